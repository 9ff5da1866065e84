using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using CaseSystem.Cases;
using CaseSystem.Cases.Tests.Support;
using CaseSystem.Projections.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace CaseSystem.Projections.Tests.ReadModels;

/// <summary>
/// The reads' query parameters are checked as the command edge checks a body: the case finder's
/// limit, status, office, name and notice number, the queue board's office and asOf. A bad one is
/// 400 invalid-request naming the parameter, in Japanese and English, without the value; a read
/// appends nothing, refused or not.
/// </summary>
public sealed class ReadQueryValidationTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Monday10 = new(2026, 3, 16, 10, 0, 0, JapanTime.Offset);
    private readonly ProjectionsDatabase _db = new();
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        _server = await TestServer.StartAsync(_db, Monday10, app => app.MapProjections(), builder => builder.Services.AddProjections(builder.Configuration));
        await _server.OpenCaseAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _db.DisposeAsync();
    }

    private Task<long> EventsAsync() => _db.ScalarAsync<long>("select count(*) from cases.mt_events");

    /// <summary>(the path and query, the parameter named, a value that must not come back).</summary>
    public static TheoryData<string, string, string?> Refused() => new()
    {
        { "/api/saku/cases?limit=0", "limit", null },
        { "/api/saku/cases?limit=201", "limit", "201" },
        { "/api/saku/cases?limit=-5", "limit", "-5" },
        { "/api/saku/cases?limit=lots", "limit", "lots" },
        { "/api/saku/cases?limit=99999999999", "limit", "99999999999" },
        { "/api/saku/cases?status=opened", "status", "opened" },
        { "/api/saku/cases?status=Active", "status", "Active" },
        { "/api/saku/cases?office=nowhere-office", "office", "nowhere-office" },
        { "/api/saku/cases?office=mynumber-card-center", "office", "mynumber-card-center" },
        { "/api/saku/cases?name=" + new string('Ｚ', 101), "name", "ＺＺＺＺ" },
        { "/api/saku/cases?name=" + Uri.EscapeDataString("佐藤\u202E一郎"), "name", null },
        { "/api/saku/cases?noticeNumber=" + new string('N', 41), "noticeNumber", "NNNN" },
        { "/api/saku/cases?noticeNumber=" + Uri.EscapeDataString("N-1\n2"), "noticeNumber", null },
        { "/api/saku/cases?birthDate=" + Uri.EscapeDataString("1980-02-30"), "birthDate", null },
        { "/api/saku/offices/shimin-ka/board?asOf=yesterday-ish", "asOf", "yesterday-ish" },
        { "/api/saku/offices/shimin-ka/board?asOf=2026-03-16T10:15:00", "asOf", "2026-03-16T10:15:00" },
        { "/api/saku/offices/shimin-ka/board?asOf=2026-13-16T10:15:00%2B09:00", "asOf", "2026-13-16" },
        { "/api/saku/offices/nowhere-office/board", "office", "nowhere-office" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_bad_query_parameter_is_400_naming_it_without_its_value(string path, string field, string? secret)
    {
        var before = await EventsAsync();
        var response = await _server.Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal("urn:casesystem:problem:invalid-request", problem.GetProperty("type").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), text);
        Assert.All(messages.EnumerateArray(), m => Assert.Matches(@"^[^/]*[\p{IsHiragana}\p{IsKatakana}\p{IsCJKUnifiedIdeographs}][^/]* / [A-Z]", m.GetString()));
        Assert.Contains(field, problem.GetProperty("detail").GetString());
        if (secret is not null) Assert.DoesNotContain(secret, Regex.Replace(text, "\"traceId\":\"[^\"]*\"", ""));
        Assert.Equal(before, await EventsAsync());
    }

    [Fact]
    public async Task Every_bad_parameter_is_named_in_one_answer()
    {
        var response = await _server.Http.GetAsync("/api/saku/cases?limit=0&status=gone&office=nowhere&noticeNumber=" + new string('N', 41));
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.Equal(["limit", "noticeNumber", "office", "status"], errors.EnumerateObject().Select(p => p.Name).Order());
    }

    [Theory]
    [InlineData("groupBy=7")]
    [InlineData("groupBy=office,secret-dimension")]
    public async Task A_report_grouped_by_what_it_does_not_know_is_400_without_the_value(string query)
    {
        // By name only: "7" would have parsed as an enum number and failed later with a 500.
        _server.Role = Cases.Auth.StaffRole.Analyst;
        var response = await _server.Http.GetAsync("/api/saku/reports/renewals?" + query);
        var text = await response.Content.ReadAsStringAsync();
        _server.Role = Cases.Auth.StaffRole.Clerk;
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Contains("groupBy", text);
        Assert.DoesNotContain("secret-dimension", text);
        Assert.DoesNotContain("'7'", text);
    }

    [Theory]
    [InlineData("/api/saku/cases?limit=1")]
    [InlineData("/api/saku/cases?limit=200&status=active")]
    [InlineData("/api/saku/cases?status=closed&office=shimin-ka")]
    [InlineData("/api/saku/cases?status=&office=&limit=")]
    [InlineData("/api/saku/offices/shimin-ka/board?asOf=2026-03-16T10:15:00%2B09:00")]
    [InlineData("/api/saku/offices/shimin-ka/board?asOf=2026-03-16T01:15:00.5Z")]
    [InlineData("/api/saku/offices/usuda/board")]
    public async Task Parameters_within_their_bounds_are_answered(string path)
    {
        var response = await _server.Http.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task The_limit_limits_and_names_at_the_edges_bound_are_searched()
    {
        await _server.OpenCaseAsync();
        await _db.CaughtUpAsync(_server.Services.GetRequiredService<Marten.IDocumentStore>());
        Assert.Equal(1, JsonDocument.Parse(await _server.Http.GetStringAsync("/api/saku/cases?limit=1")).RootElement.GetArrayLength());
        Assert.Equal(2, JsonDocument.Parse(await _server.Http.GetStringAsync("/api/saku/cases?limit=2")).RootElement.GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, (await _server.Http.GetAsync("/api/saku/cases?name=" + new string('Ｚ', 100))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _server.Http.GetAsync("/api/saku/cases?noticeNumber=" + new string('N', 40))).StatusCode);
    }
}
