using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CaseSystem.Cases.EventStore;
using CaseSystem.Cases.Tests.EventStore;
using CaseSystem.Cases.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CaseSystem.Cases.Tests.Http;

/// <summary>The server as ops/run builds it (AddCases, MapCases, the exception handler), on a real Kestrel port.</summary>
public sealed class ProblemDetailsTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private TestServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(db, DateTimeOffset.UtcNow, app =>
            // Stands in for a command endpoint: appends at the version the client says.
            app.MapPost("/test/{municipality}/streams/{id:guid}/at/{version:long}", async (string municipality, Guid id, long version, PostgresEventStore store) =>
                Results.Ok(await store.For(municipality).AppendAsync(id, ExpectedVersion.Exactly(version), [Samples.Arrived(1)]))));
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
    public async Task A_lost_race_is_409_with_a_stable_problem_type_and_changes_nothing()
    {
        var stream = Guid.NewGuid();
        await db.CreateStore().For("saku").AppendAsync(stream, ExpectedVersion.NoStream, [Samples.Opened()]);
        Assert.Equal(HttpStatusCode.OK, (await _http.PostAsync($"/test/saku/streams/{stream}/at/1", null)).StatusCode);

        var stale = await _http.PostAsync($"/test/saku/streams/{stream}/at/1", null);

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var problem = await ProblemOf(stale);
        Assert.Equal("urn:casesystem:problem:concurrency-conflict", problem.GetProperty("type").GetString());
        Assert.Equal(409, problem.GetProperty("status").GetInt32());
        Assert.Contains("他の操作", problem.GetProperty("title").GetString());
        Assert.Equal(2, (await db.CreateStore().For("saku").ReadStreamAsync(stream)).Version);
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
        await db.CreateStore().For("saku").AppendAsync(stream, ExpectedVersion.NoStream, [Samples.Opened()]);
        var response = await _http.GetAsync($"/api/kawasaki/cases/{stream}/integrity");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("urn:casesystem:problem:case-not-found", (await ProblemOf(response)).GetProperty("type").GetString());
    }

    [Fact]
    public async Task The_integrity_check_of_a_case_reports_an_intact_chain()
    {
        var stream = Guid.NewGuid();
        await db.CreateStore().For("hirosaki").AppendAsync(stream, ExpectedVersion.NoStream, [Samples.Opened(), Samples.Arrived(2)]);
        var report = await _http.GetFromJsonAsync<JsonElement>($"/api/hirosaki/cases/{stream}/integrity");
        Assert.True(report.GetProperty("isIntact").GetBoolean());
        Assert.Equal(2, report.GetProperty("eventsChecked").GetInt32());
    }

    [Fact]
    public async Task Health_answers_when_the_database_does()
    {
        var response = await _http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
