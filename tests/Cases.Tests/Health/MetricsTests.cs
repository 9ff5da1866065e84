using System.Net;
using System.Net.Http.Json;
using CaseSystem.Cases.Tests.Support;

namespace CaseSystem.Cases.Tests.Health;

/// <summary>
/// Issue 15: a server process serves Prometheus text at /metrics (no token on loopback): after a
/// command it has the command counter with its outcome, the projections' lag gauge and the timers'
/// backlog, and no case id.
/// </summary>
public sealed class MetricsTests : IAsyncLifetime
{
    private readonly TestDatabase _db = new();
    private ServerProcesses _servers = null!;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        _servers = new ServerProcesses(_db.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _servers.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Metrics_after_a_command_have_the_command_counter_and_the_lag_gauge()
    {
        var server = await _servers.StartAsync();
        var opened = await server.Http.PostAsJsonAsync("/api/saku/cases", new
        {
            holder = new { nameKanji = "計測 一郎", nameKana = "ケイソク イチロウ", birthDate = "1980-06-15", registeredAddress = "長野県佐久市中込3056" },
            expiry = new { userAuthenticationExpiry = "2030-06-15", signingExpiry = "2030-06-15" },
            office = "shimin-ka",
        });
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var caseId = opened.Headers.Location!.ToString().Split('/').Last();

        // The Prometheus exporter caches a scrape for a moment: scraped until the command is in it.
        var until = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        string text;
        while (true)
        {
            using var scrape = new HttpClient { BaseAddress = server.Url };
            text = await scrape.GetStringAsync("/metrics");
            if (text.Split('\n').Any(l => l.StartsWith("casesystem_commands_total{", StringComparison.Ordinal) && l.Contains("outcome=\"accepted\"", StringComparison.Ordinal))
                || DateTimeOffset.UtcNow > until) break;
            await Task.Delay(200);
        }
        var command = text.Split('\n').FirstOrDefault(l => l.StartsWith("casesystem_commands_total{", StringComparison.Ordinal) && l.Contains("outcome=\"accepted\"", StringComparison.Ordinal));
        Assert.True(command is not null, "no accepted command counted in:\n" + text);
        Assert.Contains("municipality=\"saku\"", command);
        Assert.Contains("command=\"POST /api/{municipality}/cases\"", command);
        Assert.Contains(text.Split('\n'), l => l.StartsWith("casesystem_projection_lag_seconds{", StringComparison.Ordinal) && l.Contains("projection=", StringComparison.Ordinal));
        Assert.Contains(text.Split('\n'), l => l.StartsWith("casesystem_timers_backlog", StringComparison.Ordinal));
        Assert.DoesNotContain(caseId, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("計測", text, StringComparison.Ordinal);
    }
}
