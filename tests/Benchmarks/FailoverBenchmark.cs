using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CaseSystem.Cases;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Store;
using CaseSystem.Cases.Timers;
using CaseSystem.Projections.Daemon;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Wolverine;

namespace CaseSystem.Benchmarks;

/// <summary>
/// Two server processes on one database, as deployed (HotCold: one runs the read models, the other
/// waits). Each round kills the owner of the projections with kill -9 and measures the time until
/// the other owns every shard (its session holds each shard's lock: ProjectionAdmin's owner), then
/// starts a replacement: <c>failover round=R takeover_s=S</c>, and the worst of them.
/// <para>
/// Then how late a due timer fires. Every domain timer falls due at midnight, Japan time (the window
/// opening, a lapse, an overdue inquiry: RenewalTimers), and the servers run on the real clock, so no
/// command can set one due a few seconds from now. Measured instead: the timer message itself
/// (<see cref="CaseTimerDue"/>, a lapse) put into Wolverine's durable schedule through Wolverine's own
/// API (<c>ScheduleAsync</c>) by a short-lived third process-like host that is gone before the timers
/// fall due, so they are fired by a server polling the stored schedule — the path of every timer whose
/// scheduling process has stopped or died. The cases are opened with a certificate that expired
/// yesterday, so the handler appends CertificateLapsed at the moment it runs; lateness is that
/// moment less the due time: <c>timer lateness processes=N timers=T p50_ms=A p99_ms=B max_ms=C</c>,
/// with both processes up, and again for timers falling due just after the owner was killed.
/// </para>
/// </summary>
internal static class FailoverBenchmark
{
    public const string Usage = "failover [--rounds R] [--timers T]";

    private const string Municipality = "saku";

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var rounds = 5;
        var timers = 40;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--rounds" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var r) && r > 0:
                    rounds = r; i++; break;
                case "--timers" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var t) && t > 0:
                    timers = t; i++; break;
                default:
                    return Program.UsageError($"failover: bad option '{args[i]}'");
            }
        }
        if (Program.BaseConnectionString() is not { } conn) return 2;

        await using var bench = await BenchDatabase.CreateAsync(conn, 8, ct);
        var models = new ReadModels();
        var store = await bench.CreateEventStoreAsync(o =>
        {
            models.Configure(o);
            // As in the servers (AddAsyncDaemon); this store runs no daemon itself, and Marten would
            // print a warning on stdout for async projections in a store whose daemon is disabled.
            o.Projections.AsyncMode = JasperFx.Events.Daemon.DaemonMode.HotCold;
        }, ct);
        var admin = new ProjectionAdmin(store, bench.DataSource, models);
        var database = new NpgsqlConnectionStringBuilder(conn) { Database = bench.Name }.ConnectionString;
        var keyDir = Directory.CreateTempSubdirectory("casesystem-bench-");
        var keyFile = Path.Combine(keyDir.FullName, "token.key");
        var servers = new List<ServerProcess>();
        try
        {
            ServerProcess StartServer()
            {
                var server = ServerProcess.Start(database, keyFile);
                servers.Add(server);
                return server;
            }

            Console.WriteLine($"# PostgreSQL {bench.ServerVersion}; {Environment.ProcessorCount} cores; load average {RebuildBenchmark.LoadAverage()}");
            var owner = StartServer();
            await owner.StartedAsync(TimeSpan.FromMinutes(2));
            await UntilAsync(async () => Owner(await admin.StatusAsync(ct: ct)) is { } o && owner.Owns(o), TimeSpan.FromMinutes(1), ct);
            var standby = StartServer();
            await standby.StartedAsync(TimeSpan.FromMinutes(2));

            var steady = await TimerLatenessAsync(store, bench.DataSource, database, keyFile, timers, beforeFirstDue: null, ct);
            Report(2, steady);

            var takeovers = new List<double>();
            for (var round = 1; round <= rounds; round++)
            {
                // The standby has started and is trying for the shards' locks (LeadershipPollingTime).
                var killedAt = Stopwatch.GetTimestamp();
                owner.KillHard();
                await UntilAsync(async () => Owner(await admin.StatusAsync(ct: ct)) is { } o && standby.Owns(o), TimeSpan.FromMinutes(1), ct);
                var seconds = Stopwatch.GetElapsedTime(killedAt).TotalSeconds;
                takeovers.Add(seconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"failover round={round} takeover_s={seconds:0.00} load={RebuildBenchmark.LoadAverage().Split(' ')[0]}"));
                (owner, standby) = (standby, StartServer());
                await standby.StartedAsync(TimeSpan.FromMinutes(2));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"failover rounds={rounds} takeover_s_max={takeovers.Max():0.00} takeover_s_median={Median(takeovers):0.00}"));

            // Timers that fall due just after the owner is killed: fired by the one process left.
            var victim = owner;
            var afterKill = await TimerLatenessAsync(store, bench.DataSource, database, keyFile, timers, beforeFirstDue: () => victim.KillHard(), ct);
            Report(1, afterKill);
            Console.WriteLine($"# load average {RebuildBenchmark.LoadAverage()}");
            return 0;
        }
        finally
        {
            foreach (var server in servers) await server.DisposeAsync();
            keyDir.Delete(recursive: true);
        }
    }

    private static void Report(int processes, List<double> lateness)
    {
        lateness.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"timer lateness processes={processes} timers={lateness.Count} p50_ms={Percentile(lateness, 0.50):0} p99_ms={Percentile(lateness, 0.99):0} max_ms={lateness[^1]:0}"));
    }

    /// <summary>The one process that owns every read model's shard, or null while none or several do.</summary>
    private static string? Owner(IReadOnlyList<ProjectionStatus> status) =>
        status.Select(s => s.Owner).Distinct().ToList() is [{ } only] ? only : null;

    private static async Task UntilAsync(Func<Task<bool>> done, TimeSpan within, CancellationToken ct)
    {
        var until = Stopwatch.GetTimestamp() + (long)(within.TotalSeconds * Stopwatch.Frequency);
        while (!await done())
        {
            if (Stopwatch.GetTimestamp() > until) throw new TimeoutException($"not done within {within}");
            await Task.Delay(10, ct);
        }
    }

    /// <summary>
    /// Opens <paramref name="count"/> cases whose certificate expired yesterday (appended straight to
    /// the store: no timer of their own), schedules a lapse timer for each through Wolverine, due from
    /// 4 s on, 100 ms apart, and returns how late each fired (ms). <paramref name="beforeFirstDue"/>
    /// runs half a second before the first is due.
    /// </summary>
    private static async Task<List<double>> TimerLatenessAsync(Marten.IDocumentStore store, NpgsqlDataSource db, string database, string keyFile, int count,
        Action? beforeFirstDue, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var expired = JapanTime.DateOf(now).AddDays(-1);
        var ids = Enumerable.Range(0, count).Select(_ => Guid.CreateVersion7()).ToArray();
        await using (var session = store.LightweightSession(Municipality))
        {
            foreach (var id in ids)
            {
                session.Events.StartStream<RenewalCase>(id, new RenewalEvent.CaseOpenedAtCounter(
                    new Holder("佐藤 一郎", "サトウ イチロウ", new DateOnly(1980, 6, 15), "長野県佐久市中込3056"),
                    new CertificateDates(expired, null), "shimin-ka", now));
            }
            await session.SaveChangesAsync(ct);
        }

        var due = new Dictionary<Guid, DateTimeOffset>();
        using (var scheduler = await SchedulerAsync(database, keyFile, ct))
        {
            var first = DateTimeOffset.UtcNow.AddSeconds(4);
            var bus = scheduler.Services.GetRequiredService<IMessageBus>();
            for (var i = 0; i < ids.Length; i++)
            {
                var at = first.AddMilliseconds(100 * i);
                due[ids[i]] = at;
                await bus.ScheduleAsync(new CaseTimerDue(ids[i], RenewalTimers.Lapse, at), at, new DeliveryOptions { TenantId = Municipality });
            }
            await scheduler.StopAsync(ct);
            var wait = due.Values.Min() - DateTimeOffset.UtcNow - TimeSpan.FromMilliseconds(500);
            if (wait < TimeSpan.Zero) throw new InvalidOperationException($"scheduling took too long: the first timer fell due before the scheduler stopped ({wait})");
            await Task.Delay(wait, ct);
        }
        beforeFirstDue?.Invoke();

        var fired = new Dictionary<Guid, DateTimeOffset>();
        var until = due.Values.Max().AddSeconds(60);
        while (fired.Count < ids.Length && DateTimeOffset.UtcNow < until)
        {
            await Task.Delay(200, ct);
            await using var cmd = db.CreateCommand($"select stream_id, data::text from {CaseStore.Schema}.mt_events where type = 'CertificateLapsed' and stream_id = any($1)");
            cmd.Parameters.AddWithValue(ids);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                using var data = JsonDocument.Parse(reader.GetString(1));
                fired[reader.GetGuid(0)] = data.RootElement.GetProperty("at").GetDateTimeOffset();
            }
        }
        if (fired.Count < ids.Length) Console.WriteLine($"# WARNING: {ids.Length - fired.Count} of {ids.Length} timers had not fired a minute after their time");
        return [.. fired.Select(f => (f.Value - due[f.Key]).TotalMilliseconds)];
    }

    /// <summary>
    /// A host with the server's write side (AddCases: Marten and Wolverine, the same durable local
    /// queues), running no projections and serving nothing: it schedules the timers and is stopped
    /// before they fall due, so a server fires them from the stored schedule.
    /// </summary>
    private static async Task<IHost> SchedulerAsync(string database, string keyFile, CancellationToken ct)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            EnvironmentName = "Production",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration["CASES_DB"] = database;
        builder.Configuration["CASES_TOKEN_KEY_FILE"] = keyFile;
        builder.Configuration["CASES_PROJECTIONS"] = "off";
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddCases(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync(ct);
        return host;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
