using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CaseSystem.Cases.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CaseSystem.Cases.Tests.Faults;

/// <summary>
/// Issue 14: while PostgreSQL cannot be reached (a restart), the API answers 503 with Retry-After,
/// never a 500, and logs why; once it is back, the same request succeeds. The server reaches the
/// real test database through a TCP relay on loopback that the test cuts and restores.
/// </summary>
public sealed class DatabaseOutageTests : IAsyncLifetime
{
    private readonly RelayedDatabase _db = new();
    private readonly LogCollector _logs = new();
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        _server = await TestServer.StartAsync(_db, DateTimeOffset.UtcNow, configure: b => b.Logging.AddProvider(_logs));
    }

    public async Task DisposeAsync()
    {
        _db.Relay.Restore();
        await _server.DisposeAsync();
        await _db.Relay.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task While_the_database_is_unreachable_the_api_answers_503_with_retry_after_and_logs_it_then_recovers()
    {
        var opened = await _server.Http.PostAsJsonAsync("/api/saku/cases", new
        {
            holder = new { nameKanji = "停止 一郎", nameKana = "テイシ イチロウ", birthDate = "1980-06-15", registeredAddress = "長野県佐久市中込3056" },
            expiry = new { userAuthenticationExpiry = "2030-06-15", signingExpiry = "2030-06-15" },
            office = "shimin-ka",
        });
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var path = opened.Headers.Location!.ToString();

        _db.Relay.Drop();
        var refused = await _server.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(Problems.DatabaseRetryAfterSeconds), refused.Headers.RetryAfter?.Delta);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("urn:casesystem:problem:database-unavailable", problem.GetProperty("type").GetString());
        Assert.False(problem.TryGetProperty("detail", out _), "a connection failure names no host or port");
        // Logged once (issue 15): the warning that says why, with the answer's trace id, and nothing more of it.
        var trace = problem.GetProperty("traceId").GetString()!;
        var logged = Assert.Single(_logs.Entries, e => e.Message.Contains(trace, StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, logged.Level);
        Assert.Contains("database unavailable answering GET", logged.Message);

        _db.Relay.Restore();
        var until = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        HttpStatusCode status;
        while ((status = (await _server.Http.GetAsync(path)).StatusCode) != HttpStatusCode.OK && DateTimeOffset.UtcNow < until)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            await Task.Delay(200);
        }
        Assert.Equal(HttpStatusCode.OK, status);
    }
}
