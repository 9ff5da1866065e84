using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Tests.Support;

namespace CaseSystem.Cases.Tests.Http.Validation;

/// <summary>
/// The four requests of issue 12 ("Nothing malformed enters the log"), as they were seen on main:
/// each was stored (or answered 500); each is now a 400 problem naming the field, and the log is unchanged.
/// </summary>
public sealed class IssueReproductionTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private static readonly DateTimeOffset Monday10 = new(2026, 3, 16, 10, 0, 0, JapanTime.Offset);

    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(db, Monday10);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<HttpResponseMessage> PostJsonAsync(string path, string json, string? idempotencyKey = null) =>
        RequestLog.PostJsonAsync(_server.Http, path, json, idempotencyKey);

    [Fact]
    public async Task Opening_a_case_without_a_holder_is_400_naming_holder_and_opens_nothing()
    {
        var key = Guid.NewGuid().ToString();
        var before = await RequestLog.HeadAsync(db);

        var response = await PostJsonAsync("/api/saku/cases",
            """{"expiry":{"userAuthenticationExpiry":"2026-06-15","signingExpiry":"2026-06-15"},"office":"shimin-ka"}""", key);

        var problem = await RequestLog.InvalidAsync(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty("holder", out _), problem.ToString());
        Assert.Equal(before, await RequestLog.HeadAsync(db));
        Assert.Empty(await db.EventsAsync("saku", CaseIds.ForCreation("saku", key)));
    }

    [Fact]
    public async Task An_empty_object_as_an_arrival_is_400_naming_office_and_ticket_number()
    {
        var (path, _) = await _server.OpenCaseAsync();
        var before = await RequestLog.HeadAsync(db);

        var problem = await RequestLog.InvalidAsync(await PostJsonAsync(path + "/arrivals", "{}"));

        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("office", out _), problem.ToString());
        Assert.True(errors.TryGetProperty("ticketNumber", out _), problem.ToString());
        Assert.Equal(before, await RequestLog.HeadAsync(db));
    }

    [Fact]
    public async Task An_integer_outside_an_enum_is_400_naming_the_field()
    {
        var (path, _) = await _server.OpenCaseAsync();
        Assert.True((await _server.PostAsync(path + "/visits", new { office = "shimin-ka", whoCame = "Holder", documents = Array.Empty<object>() })).IsSuccessStatusCode);
        var before = await RequestLog.HeadAsync(db);

        var problem = await RequestLog.InvalidAsync(await PostJsonAsync(path + "/pin-checks", """{"certificate":7,"result":"Matched","triesLeft":3}"""));

        Assert.True(problem.GetProperty("errors").TryGetProperty("certificate", out _), problem.ToString());
        Assert.Equal(before, await RequestLog.HeadAsync(db));
    }

    [Fact]
    public async Task A_ten_megabyte_ticket_number_is_refused_and_not_stored()
    {
        var (path, _) = await _server.OpenCaseAsync();
        var before = await RequestLog.HeadAsync(db);

        var response = await PostJsonAsync(path + "/arrivals",
            JsonSerializer.Serialize(new { office = "shimin-ka", ticketNumber = new string('9', 10 * 1024 * 1024) }));

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge, $"{(int)response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await RequestLog.HeadAsync(db));
    }
}

/// <summary>What the validation tests share: raw JSON posts, the head of the log, and the invalid-request problem.</summary>
internal static class RequestLog
{
    public const string InvalidRequest = "urn:casesystem:problem:invalid-request";

    public static async Task<HttpResponseMessage> PostJsonAsync(HttpClient http, string path, string json, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await http.SendAsync(request);
    }

    /// <summary>The number of events in the log and its last sequence number: equal before and after means nothing was appended.</summary>
    public static async Task<(long Count, long Last)> HeadAsync(TestDatabase db) =>
        (await db.ScalarAsync<long>("select count(*) from cases.mt_events"),
         await db.ScalarAsync<long>("select coalesce(max(seq_id), 0) from cases.mt_events"));

    /// <summary>A 400 invalid-request problem (RFC 9457) with an errors map; its body.</summary>
    public static async Task<JsonElement> InvalidAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(InvalidRequest, problem.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Object, problem.GetProperty("errors").ValueKind);
        return problem;
    }
}
