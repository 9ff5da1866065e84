using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CaseSystem.Cases;
using CaseSystem.Cases.Auth;
using Microsoft.Extensions.Logging;

namespace CaseSystem.Benchmarks;

/// <summary>
/// The server as ops/run builds it, on a real port, with a Server-Sent Events subscriber to one
/// office's queue board; each measured command is a clerk's arrival or call sent over HTTP, and
/// its latency runs from the command's response to the first board pushed to the subscriber that
/// shows it: <c>freshness p50_ms=A p99_ms=B</c>.
/// </summary>
internal static class FreshnessBenchmark
{
    public const string Usage = "freshness [--commands N]";

    private const string Municipality = "saku";
    private const string Office = "shimin-ka";

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var commands = 1000;
        if (args is ["--commands", var n] && int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var c) && c > 1) commands = c;
        else if (args.Length > 0) return Program.UsageError($"freshness: bad options '{string.Join(' ', args)}'");
        if (Program.BaseConnectionString() is not { } conn) return 2;

        await using var bench = await BenchDatabase.CreateAsync(conn, 32, ct);
        // A Monday morning at the counter, running at real speed: visits are refused outside reception hours.
        await using var server = await BenchServer.StartAsync(conn, bench, new DateTimeOffset(2026, 3, 16, 10, 0, 0, JapanTime.Offset), builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            // The cases' timers (renewal window opening) would race the measured commands; they are not measured here.
        }, ct, timers: false);
        using var http = new HttpClient { BaseAddress = server.Address, Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.Token("clerk-bench", StaffRole.Clerk, Municipality, Office));

        // Cases to act on, opened before anything is measured.
        var cases = new List<string>();
        for (var i = 0; i < commands / 2 + 1; i++)
        {
            var response = await http.PostAsJsonAsync($"/api/{Municipality}/cases", new
            {
                holder = new { nameKanji = "佐藤 一郎", nameKana = "サトウ イチロウ", birthDate = "1980-06-15", registeredAddress = "長野県佐久市中込3056" },
                expiry = new { userAuthenticationExpiry = "2026-06-15", signingExpiry = (string?)null },
                office = Office,
            }, ct);
            response.EnsureSuccessStatusCode();
            cases.Add(response.Headers.Location!.ToString());
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/{Municipality}/offices/{Office}/board/stream");
        using var stream = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        stream.EnsureSuccessStatusCode();
        var boards = new BoardReader(await stream.Content.ReadAsStreamAsync(ct));
        _ = boards.RunAsync(ct);
        await boards.WaitAsync(_ => true, ct);

        var latencies = new List<double>(commands);
        for (var i = 0; i < commands; i++)
        {
            var path = cases[i / 2];
            var ticket = $"F-{i / 2}";
            var arrival = i % 2 == 0;
            var body = arrival ? (object)new { office = Office, ticketNumber = ticket } : new { office = Office, counter = "1番窓口", clerkId = "clerk-bench" };
            var response = await http.PostAsJsonAsync(path + (arrival ? "/arrivals" : "/calls"), body, ct);
            var accepted = Stopwatch.GetTimestamp();
            response.EnsureSuccessStatusCode();
            var shownAt = await boards.WaitAsync(b => arrival ? b.Waiting.Contains(ticket) : b.AtCounters.Contains(ticket), ct);
            latencies.Add(Math.Max(0, Stopwatch.GetElapsedTime(accepted, shownAt).TotalMilliseconds));
            if (!arrival)
            {
                // Off the board again (unmeasured), so it stays the size of a real office's.
                (await http.PostAsJsonAsync(path + "/visits", new { office = Office, whoCame = "Holder", documents = Array.Empty<object>() }, ct)).EnsureSuccessStatusCode();
                (await http.PostAsJsonAsync(path + "/visits/current/end", new { outcome = "Left" }, ct)).EnsureSuccessStatusCode();
            }
        }
        latencies.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# {commands} commands (arrivals and calls) at one office; latency from the command's response to the pushed board showing it; " +
            $"p90_ms={Percentile(latencies, 0.90):0.0} p95_ms={Percentile(latencies, 0.95):0.0} over_100ms={latencies.Count(l => l > 100)}; " +
            $"load average {RebuildBenchmark.LoadAverage()}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"freshness p50_ms={Percentile(latencies, 0.50):0.0} p99_ms={Percentile(latencies, 0.99):0.0} max_ms={latencies[^1]:0.0}"));
        return 0;
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private sealed record Seen(HashSet<string> Waiting, HashSet<string> AtCounters, long At);

    /// <summary>Reads the SSE stream as it comes and lets the benchmark wait for the first board that satisfies a condition.</summary>
    private sealed class BoardReader(Stream stream)
    {
        private readonly object _gate = new();
        private readonly List<Seen> _seen = [];
        private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task RunAsync(CancellationToken ct)
        {
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
                var at = Stopwatch.GetTimestamp();
                using var board = JsonDocument.Parse(line.AsMemory(6));
                var seen = new Seen(
                    [.. board.RootElement.GetProperty("waiting").EnumerateArray().Select(w => w.GetProperty("ticket").GetString()!)],
                    [.. board.RootElement.GetProperty("atCounters").EnumerateArray().Select(w => w.GetProperty("ticket").GetString()!)],
                    at);
                lock (_gate)
                {
                    _seen.Add(seen);
                    _next.TrySetResult();
                    _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        }

        /// <summary>The moment the first board matching arrived (looking back at boards that came before the wait, too).</summary>
        public async Task<long> WaitAsync(Func<Seen, bool> match, CancellationToken ct)
        {
            var from = 0;
            while (true)
            {
                Task next;
                lock (_gate)
                {
                    for (; from < _seen.Count; from++)
                    {
                        if (match(_seen[from])) return Math.Max(_seen[from].At, 0);
                    }
                    next = _next.Task;
                }
                await next.WaitAsync(TimeSpan.FromSeconds(30), ct);
            }
        }
    }
}
