using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CaseSystem.Cases.Tests.EventStore;
using CaseSystem.Cases.Tests.Support;

namespace CaseSystem.Cases.Tests.Http;

/// <summary>The server as ops/run builds it (AddCases, MapCases, the exception handler), on a real Kestrel port.</summary>
public sealed class ProblemDetailsTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private TestServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(db, DateTimeOffset.UtcNow);
        _http = _server.Http;
        _server.Role = CaseSystem.Cases.Auth.StaffRole.Supervisor; // the integrity checks are the supervisor's
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static async Task<JsonElement> ProblemOf(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task An_unknown_municipality_is_404_problem()
    {
        var response = await _http.GetAsync("/api/osaka/integrity");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("urn:casesystem:problem:unknown-municipality", (await ProblemOf(response)).GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_case_of_another_municipality_is_404_problem()
    {
        var stream = Guid.NewGuid();
        await db.AppendAsync("saku", stream, [Samples.Opened()]);
        var response = await _http.GetAsync($"/api/kawasaki/cases/{stream}/integrity");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("urn:casesystem:problem:case-not-found", (await ProblemOf(response)).GetProperty("type").GetString());
    }

    [Fact]
    public async Task The_integrity_checks_answer_supervisors_and_admins_only_not_a_clerk_nor_a_request_without_a_token()
    {
        var stream = Guid.NewGuid();
        await db.AppendAsync("hirosaki", stream, [Samples.Opened()]);
        foreach (var path in new[] { "/api/hirosaki/integrity", $"/api/hirosaki/cases/{stream}/integrity", $"/api/hirosaki/cases/{Guid.NewGuid()}/integrity" })
        {
            _server.Role = null;
            Assert.Equal(HttpStatusCode.Unauthorized, (await _http.GetAsync(path)).StatusCode);
            _server.Role = CaseSystem.Cases.Auth.StaffRole.Clerk;
            Assert.Equal(HttpStatusCode.Forbidden, (await _http.GetAsync(path)).StatusCode);
        }
        _server.Role = CaseSystem.Cases.Auth.StaffRole.Admin;
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync($"/api/hirosaki/cases/{stream}/integrity")).StatusCode);
        _server.Role = CaseSystem.Cases.Auth.StaffRole.Supervisor;
    }

    [Fact]
    public async Task No_answer_of_the_api_may_be_kept_by_a_cache_nor_sniffed_as_another_type_problems_and_refusals_included()
    {
        var stream = Guid.NewGuid();
        await db.AppendAsync("hirosaki", stream, [Samples.Opened()]);
        var answers = new List<HttpResponseMessage>
        {
            await _http.GetAsync($"/api/hirosaki/cases/{stream}/integrity"),
            await _http.GetAsync("/api/osaka/integrity"),
            await _http.GetAsync($"/api/kawasaki/cases/{stream}/integrity"),
        };
        _server.Role = null;
        answers.Add(await _http.GetAsync($"/api/hirosaki/cases/{stream}"));
        _server.Role = CaseSystem.Cases.Auth.StaffRole.Supervisor;
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.Unauthorized], answers.Select(a => a.StatusCode));
        foreach (var answer in answers)
        {
            Assert.True(answer.Headers.CacheControl?.NoStore, $"{answer.RequestMessage!.RequestUri}: Cache-Control {answer.Headers.CacheControl}");
            Assert.Equal(["nosniff"], answer.Headers.GetValues("X-Content-Type-Options"));
        }
    }

    [Fact]
    public async Task The_integrity_check_of_a_case_reports_an_intact_chain()
    {
        var stream = Guid.NewGuid();
        await db.AppendAsync("hirosaki", stream, [Samples.Opened(), Samples.Arrived(2)]);
        var report = await _http.GetFromJsonAsync<JsonElement>($"/api/hirosaki/cases/{stream}/integrity");
        Assert.True(report.GetProperty("isIntact").GetBoolean());
        Assert.Equal(2, report.GetProperty("eventsChecked").GetInt32());
    }

    [Fact]
    public async Task Health_answers_when_the_database_does()
    {
        // Ready once the leader has given a process the timers' agent, seconds after the start.
        await HealthProbe.UntilAsync(_http, "/health", HttpStatusCode.OK);
    }
}
