using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Tests.Support;
using Microsoft.Extensions.Logging;

namespace CaseSystem.Cases.Tests.Faults;

/// <summary>
/// Issue 15: every 5xx is logged once with its trace id, also one an endpoint returns rather than
/// throws, so that the operator finds the answer a user quotes the trace id of.
/// </summary>
public sealed class ServerErrorLogTests : IAsyncLifetime
{
    private readonly TestDatabase _db = new();
    private readonly LogCollector _logs = new();
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        // Anchoring off: asking for an anchor is a 503 the endpoint returns.
        _server = await TestServer.StartAsync(_db, DateTimeOffset.UtcNow, configure: b => b.Logging.AddProvider(_logs),
            settings: new Dictionary<string, string?> { ["CASES_ANCHOR_KEY"] = "", ["CASES_ANCHOR_LOG"] = "" });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task A_503_an_endpoint_returns_is_logged_once_with_its_trace_id_and_a_4xx_is_not()
    {
        _server.Role = StaffRole.Supervisor;
        var refused = await _server.Http.PostAsync("/api/saku/integrity/anchors", null);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("urn:casesystem:problem:anchoring-not-configured", problem.GetProperty("type").GetString());
        var trace = problem.GetProperty("traceId").GetString()!;

        var logged = _logs.Entries.Where(e => e.Message.Contains(trace, StringComparison.Ordinal)).ToList();
        var entry = Assert.Single(logged);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Contains("answered 503 urn:casesystem:problem:anchoring-not-configured to POST /api/saku/integrity/anchors", entry.Message);

        _server.Role = StaffRole.Clerk;
        var forbidden = await _server.Http.PostAsync("/api/saku/integrity/anchors", null);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        var other = (await forbidden.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("traceId").GetString()!;
        Assert.DoesNotContain(_logs.Entries, e => e.Message.Contains(other, StringComparison.Ordinal));
    }
}
