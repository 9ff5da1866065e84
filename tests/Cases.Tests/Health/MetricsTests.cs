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
    private readonly ProcessesOnDatabase<TestDatabase> _on = new(new TestDatabase());

    public Task InitializeAsync() => _on.InitializeAsync();

    public Task DisposeAsync() => _on.DisposeAsync();

    [Fact]
    public async Task Metrics_after_a_command_have_the_command_counter_and_the_lag_gauge()
    {
        var server = await _on.Servers.StartAsync();
        var opened = await server.Http.PostAsJsonAsync("/api/saku/cases", new
        {
            holder = new { nameKanji = "計測 一郎", nameKana = "ケイソク イチロウ", birthDate = "1980-06-15", registeredAddress = "長野県佐久市中込3056" },
            expiry = new { userAuthenticationExpiry = "2030-06-15", signingExpiry = "2030-06-15" },
            office = "shimin-ka",
        });
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var caseId = opened.Headers.Location!.ToString().Split('/').Last();

        static bool Accepted(string l) => l.StartsWith("casesystem_commands_total{", StringComparison.Ordinal) && l.Contains("outcome=\"accepted\"", StringComparison.Ordinal);
        var lines = await ScrapeUntilAsync(server, scraped => scraped.Any(Accepted));
        var text = string.Join('\n', lines);
        var command = lines.FirstOrDefault(Accepted);
        Assert.True(command is not null, "no accepted command counted in:\n" + text);
        Assert.Contains("municipality=\"saku\"", command);
        Assert.Contains("command=\"POST /api/{municipality}/cases\"", command);
        Assert.Contains(lines, l => l.StartsWith("casesystem_projection_lag_seconds{", StringComparison.Ordinal) && l.Contains("projection=", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("casesystem_timers_backlog", StringComparison.Ordinal));
        Assert.DoesNotContain(caseId, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("計測", text, StringComparison.Ordinal);

        // A ticket drawn: the office's queue is one long, and its longest wait is measured (from the queue board).
        var arrived = await server.Http.PostAsJsonAsync($"/api/saku/cases/{caseId}/arrivals", new { office = "shimin-ka", ticketNumber = "M-001" });
        Assert.Equal(HttpStatusCode.OK, arrived.StatusCode);
        static bool QueueOfOne(string l) => IsOfficeQueue(l, "casesystem_queue_length{") && l.TrimEnd().EndsWith(" 1", StringComparison.Ordinal);
        var queued = await ScrapeUntilAsync(server, scraped => scraped.Any(QueueOfOne));
        Assert.True(queued.Any(QueueOfOne),
            "no queue of one at shimin-ka in:\n" + string.Join('\n', queued.Where(l => l.StartsWith("casesystem_queue", StringComparison.Ordinal))));
        Assert.Contains(queued, l => IsOfficeQueue(l, "casesystem_queue_longest_wait_seconds{"));
        Assert.DoesNotContain(queued, l => l.Contains("M-001", StringComparison.Ordinal));
    }

    private static bool IsOfficeQueue(string line, string metric) =>
        line.StartsWith(metric, StringComparison.Ordinal) && line.Contains("municipality=\"saku\"", StringComparison.Ordinal)
        && line.Contains("office=\"shimin-ka\"", StringComparison.Ordinal);

    /// <summary>/metrics scraped until its lines hold what is awaited, or 30 s (the exporter and the gauges cache a scrape for a moment).</summary>
    private static async Task<string[]> ScrapeUntilAsync(ServerProcess server, Func<string[], bool> holds)
    {
        using var scrape = new HttpClient { BaseAddress = server.Url };
        var until = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var lines = (await scrape.GetStringAsync("/metrics")).Split('\n');
            if (holds(lines) || DateTimeOffset.UtcNow > until) return lines;
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task With_an_OTLP_endpoint_set_traces_and_metrics_are_exported_to_it_without_personal_data()
    {
        await using var collector = await OtlpReceiver.StartAsync();
        var server = await _on.Servers.StartAsync(new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        });
        var opened = await server.Http.PostAsJsonAsync("/api/saku/cases", new
        {
            holder = new { nameKanji = "送信 一郎", nameKana = "ソウシン イチロウ", birthDate = "1980-06-15", registeredAddress = "長野県佐久市中込3056" },
            expiry = new { userAuthenticationExpiry = "2030-06-15", signingExpiry = "2030-06-15" },
            office = "shimin-ka",
        });
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);

        var traces = await collector.WaitForAsync("/v1/traces", body => Contains(body, "/api/{municipality}/cases"), TimeSpan.FromSeconds(60));
        var metrics = await collector.WaitForAsync("/v1/metrics", body => Contains(body, "casesystem.commands"), TimeSpan.FromSeconds(60));
        Assert.True(Contains(traces, "casesystem"), "the service's name is in the resource");
        foreach (var body in collector.Bodies)
        {
            Assert.False(Contains(body, "送信"), "a holder's name was exported");
            Assert.False(Contains(body, "1980-06-15"), "a birth date was exported");
        }
        Assert.NotEmpty(metrics);
    }

    private static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(text)) >= 0;
}
