using System.Net;
using CaseSystem.Cases.Tests.Support;

namespace CaseSystem.Cases.Tests.Health;

/// <summary>
/// Issue 15: the command counter tells a refusal by its rule's id and an invalid body apart from an
/// accepted command, and /metrics is open to a collector on loopback (the in-process server's clients are).
/// </summary>
public sealed class CommandMetricsTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await TestServer.StartAsync(db, new DateTimeOffset(2026, 3, 16, 12, 0, 0, JapanTime.Offset));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_refusal_is_counted_with_its_rule_and_a_bad_body_as_invalid()
    {
        var (path, _) = await _server.OpenCaseAsync("takatsuki", "shimin-ka");
        var refused = await _server.Http.PostAsync(path + "/visits", Body("""{"office":"shimin-ka","whoCame":"Holder","documents":[]}"""));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var invalid = await _server.Http.PostAsync(path + "/visits", Body("""{"office":"shimin-ka","whoCame":"Nobody","documents":[]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);

        var lines = await CounterLinesAsync(l => l.Contains("outcome=\"invalid\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("outcome=\"refused\"", StringComparison.Ordinal) && l.Contains("rule=\"takatsuki-lunch-break\"", StringComparison.Ordinal)
            && l.Contains("command=\"POST /api/{municipality}/cases/{caseId", StringComparison.Ordinal) && l.Contains("municipality=\"takatsuki\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("outcome=\"accepted\"", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(path.Split('/').Last(), StringComparison.OrdinalIgnoreCase));
    }

    private static StringContent Body(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    /// <summary>The command counter's lines, scraped until one satisfies <paramref name="wanted"/> (the exporter caches a scrape briefly).</summary>
    private async Task<string[]> CounterLinesAsync(Func<string, bool> wanted)
    {
        var until = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var text = await _server.Http.GetStringAsync("/metrics");
            var lines = text.Split('\n').Where(l => l.StartsWith("casesystem_commands_total{", StringComparison.Ordinal)).ToArray();
            if (lines.Any(wanted)) return lines;
            if (DateTimeOffset.UtcNow > until) Assert.Fail("the counter never showed the command:\n" + text);
            await Task.Delay(200);
        }
    }
}
