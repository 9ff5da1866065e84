using System.Net;
using CaseSystem.Cases.Tests.Support;

namespace CaseSystem.Cases.Tests.Health;

/// <summary>
/// Issue 15: /health/live answers while the process is up, whatever the database does; /health/ready
/// (and /health, its alias) is 503 while the database cannot be reached and 200 again once it can.
/// The server reaches the test database through a relay the test cuts (as DatabaseOutageTests).
/// </summary>
public sealed class HealthTests : IAsyncLifetime
{
    private readonly RelayedDatabase _db = new();
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        _server = await TestServer.StartAsync(_db, DateTimeOffset.UtcNow);
    }

    public async Task DisposeAsync()
    {
        _db.Relay.Restore();
        await _server.DisposeAsync();
        await _db.Relay.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Ready_is_503_while_the_database_is_unreachable_and_live_stays_200()
    {
        var ready = await HealthProbe.UntilAsync(_server.Http, "/health/ready", HttpStatusCode.OK);
        Assert.Equal("Healthy", HealthProbe.Check(ready, "database"));
        Assert.Equal("Healthy", HealthProbe.Check(ready, "timers"));
        var live = await HealthProbe.UntilAsync(_server.Http, "/health/live", HttpStatusCode.OK, TimeSpan.Zero);
        Assert.Empty(live.GetProperty("checks").EnumerateArray());
        await HealthProbe.UntilAsync(_server.Http, "/health", HttpStatusCode.OK, TimeSpan.Zero);

        _db.Relay.Drop();
        var down = await HealthProbe.UntilAsync(_server.Http, "/health/ready", HttpStatusCode.ServiceUnavailable);
        Assert.Equal("Unhealthy", HealthProbe.Check(down, "database"));
        Assert.DoesNotContain("127.0.0.1", down.ToString());
        await HealthProbe.UntilAsync(_server.Http, "/health", HttpStatusCode.ServiceUnavailable, TimeSpan.Zero);
        await HealthProbe.UntilAsync(_server.Http, "/health/live", HttpStatusCode.OK, TimeSpan.Zero);

        _db.Relay.Restore();
        await HealthProbe.UntilAsync(_server.Http, "/health/ready", HttpStatusCode.OK);
    }
}

/// <summary>A server process as ops/run starts it: ready once the read models and the timers' agent have an owner.</summary>
public sealed class ServerHealthTests : IAsyncLifetime
{
    private readonly ProcessesOnDatabase<TestDatabase> _on = new(new TestDatabase());

    public Task InitializeAsync() => _on.InitializeAsync();

    public Task DisposeAsync() => _on.DisposeAsync();

    [Fact]
    public async Task A_started_process_is_ready_with_its_database_timers_and_read_models()
    {
        // StartAsync has waited for /health/ready already.
        var server = await _on.Servers.StartAsync();
        var ready = await HealthProbe.UntilAsync(server.Http, "/health/ready", HttpStatusCode.OK, TimeSpan.Zero);
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        foreach (var check in new[] { "database", "timers", "projections" }) Assert.Equal("Healthy", HealthProbe.Check(ready, check));

        // Its stdout is a pipe: the log is one JSON object a line (ConsoleLogs), the category and message named.
        var listening = server.Tail.Split('\n').First(l => l.Contains("Now listening on", StringComparison.Ordinal));
        using var line = System.Text.Json.JsonDocument.Parse(listening);
        Assert.Equal("Microsoft.Hosting.Lifetime", line.RootElement.GetProperty("Category").GetString());
        Assert.StartsWith("Now listening on: http://127.0.0.1:", line.RootElement.GetProperty("Message").GetString());
    }
}
