using System.Diagnostics;
using System.Globalization;
using CaseSystem.Benchmarks.Sample;
using CaseSystem.Cases.EventStore;
using CaseSystem.Cases.Store;
using CaseSystem.Projections.Daemon;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CaseSystem.Benchmarks;

/// <summary>
/// Rebuilds every read model over a national-scale sample through Marten's async daemon, as an
/// operator's rebuild does (<c>RebuildProjectionAsync</c>: the tables emptied, the whole log
/// replayed), with the store configured as the server configures it (<see cref="CaseStore"/> and
/// <see cref="ReadModels"/>), one read model after another, against a plain sequential read of
/// the same events' rows in the same run:
/// <c>rebuild projection=NAME events=N seconds=S events/s=X raw_scan/s=Y ratio=X/Y</c>.
/// The raw scan reads every column of every event row in sequence order and nothing else; the
/// rebuild also has Marten read and deserialise the events, and the read model fold them per
/// case and write its tables with the daemon's progress.
/// </summary>
internal static class RebuildBenchmark
{
    public const string Usage = "rebuild [--events N] [--seed S] [--scans R] [--projections a,b] [--baseline]";

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        long events = 1_000_000;
        var seed = 2025;
        var scans = 3;
        var only = (string?)null;
        var baseline = false;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--events" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0:
                    events = n; i++; break;
                case "--seed" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var s):
                    seed = s; i++; break;
                case "--projections" when value is not null:
                    only = value; i++; break;
                case "--scans" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var r) && r > 0:
                    scans = r; i++; break;
                case "--baseline":
                    baseline = true; break;
                default:
                    return Program.UsageError($"rebuild: bad option '{args[i]}'");
            }
        }
        if (Program.BaseConnectionString() is not { } conn) return 2;

        var models = new ReadModels();
        var chosen = models.All.Where(m => only is null || only.Split(',').Contains(m.Name)).ToList();
        if (chosen.Count == 0) return Program.UsageError($"rebuild: no read model named '{only}' ({string.Join(", ", models.All.Select(m => m.Name))})");

        await using var bench = await BenchDatabase.CreateAsync(conn, 16, ct);
        // The server's store: CaseStore and the read models' registration and daemon settings. With
        // --baseline, one more projection that writes nothing: what the daemon's own reading costs.
        var store = await bench.CreateEventStoreAsync(o =>
        {
            models.Configure(o);
            // As AddAsyncDaemon sets it in the server (the daemon here is the benchmark's own).
            o.Projections.AsyncMode = DaemonMode.HotCold;
            if (baseline) o.Projections.Add(new NothingProjection(models.QueueBoard.Options), ProjectionLifecycle.Async);
        }, ct);
        Console.WriteLine($"# PostgreSQL {bench.ServerVersion}; {Environment.ProcessorCount} cores; load average {LoadAverage()}; " +
            $"loading a sample of {events:N0} events (seed {seed})");
        var sample = await NationalSample.LoadAsync(bench.DataSource, EventTypeRegistry.ForRenewalEvents(), events, seed, ct);
        Console.WriteLine($"# sample: {sample.Events:N0} events, {sample.Cases:N0} cases, loaded in {sample.Took.TotalSeconds:0.0} s");
        await Execute(bench.DataSource, $"vacuum analyze {CaseStore.Schema}.mt_events", ct);
        // The load's writes reach the data files now, not in a checkpoint during the measurement
        // (a superuser's or pg_checkpoint member's right; without it the run goes on as it is).
        try
        {
            await Execute(bench.DataSource, "checkpoint", ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            Console.WriteLine("# (no right to CHECKPOINT: a checkpoint may run during the measurement)");
        }

        // The raw scan: best of a few runs, before and after, so caching favours neither side.
        var raw = 0.0;
        for (var i = 0; i < scans; i++) raw = Math.Max(raw, await RawScanAsync(bench.DataSource, ct));
        var settings = models.QueueBoard.Options;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# daemon: BatchSize={settings.BatchSize} MaximumHopperSize={settings.MaximumHopperSize} RebuildFlushThreshold={settings.RebuildFlushThreshold}; raw scan {raw:0} events/s"));

        using var logging = LoggerFactory.Create(b => b.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning));
        using var daemon = await store.BuildProjectionDaemonAsync(logger: logging.CreateLogger("daemon"));
        var results = new List<(string Name, double Seconds)>();
        var rebuilds = chosen.Select(m => m.Name).ToList();
        if (baseline) rebuilds.Insert(0, NothingProjection.ProjectionName);
        foreach (var name in rebuilds)
        {
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var gc0 = GC.GetTotalPauseDuration();
            var alloc0 = GC.GetTotalAllocatedBytes();
            var watch = Stopwatch.StartNew();
            await daemon.RebuildProjectionAsync(name, TimeSpan.FromHours(1), ct);
            watch.Stop();
            results.Add((name, watch.Elapsed.TotalSeconds));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"# {name}: {watch.Elapsed.TotalSeconds:0.0} s, {(Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds:0.0} s of CPU in this process, " +
                $"{(GC.GetTotalPauseDuration() - gc0).TotalSeconds:0.0} s of it paused in GC, {(GC.GetTotalAllocatedBytes() - alloc0) / 1e6:0} MB allocated; load average {LoadAverage()}"));
        }
        raw = Math.Max(raw, await RawScanAsync(bench.DataSource, ct));

        // Every rebuild reached the head of the log, and none set an event aside.
        var status = await new ProjectionAdmin(store, bench.DataSource, models).StatusAsync(ct);
        foreach (var model in chosen)
        {
            var s = status.Single(s => s.Name == model.Name);
            Console.WriteLine($"# {model.Name}: position {s.Position:N0} of {s.Head:N0}, {s.DeadLetters:N0} dead letters");
            foreach (var table in model.Tables)
            {
                var name = table.Identifier.QualifiedName;
                Console.WriteLine($"# {name}: {await Scalar(bench.DataSource, $"select count(*) from {name}", ct):N0} rows");
            }
            if (s.Position != s.Head || s.DeadLetters != 0) Console.WriteLine($"# WARNING: {model.Name} did not apply the whole log cleanly");
        }

        foreach (var (name, seconds) in results)
        {
            var rate = sample.Events / seconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(name == NothingProjection.ProjectionName ? "# " : "")}rebuild projection={name} events={sample.Events} seconds={seconds:0.0} events/s={rate:0} raw_scan/s={raw:0} ratio={rate / raw:0.00}"));
        }
        return 0;
    }

    /// <summary>The load average of the machine (1, 5, 15 minutes), which the figures depend on: the machine is shared.</summary>
    internal static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    /// <summary>Events per second of a plain sequential read of every column of every event row.</summary>
    private static async Task<double> RawScanAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        long rows = 0, chars = 0;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(
            "select e.seq_id, e.id, e.stream_id, e.version, e.tenant_id, e.type, e.data::text, e.headers::text, e.user_name, e.correlation_id, e.causation_id, e.timestamp " +
            $"from {CaseStore.Schema}.mt_events e order by e.seq_id", conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows++;
            chars += reader.GetString(6).Length + reader.GetString(5).Length + (reader.IsDBNull(7) ? 0 : reader.GetString(7).Length);
            _ = reader.GetGuid(2);
            _ = reader.GetInt64(0);
            _ = reader.GetDateTime(11);
        }
        return rows / watch.Elapsed.TotalSeconds + (chars < 0 ? 1 : 0);
    }

    private static async Task Execute(NpgsqlDataSource db, string sql, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(sql);
        cmd.CommandTimeout = 0;
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<long> Scalar(NpgsqlDataSource db, string sql, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(sql);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    /// <summary>A projection that applies nothing: its rebuild is the daemon's reading of the log and its progress alone (--baseline).</summary>
    private sealed class NothingProjection : ProjectionBase, IProjection
    {
        public const string ProjectionName = "nothing";

        public NothingProjection(AsyncOptions like)
        {
            Name = ProjectionName;
            Options.BatchSize = like.BatchSize;
            Options.MaximumHopperSize = like.MaximumHopperSize;
        }

        public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation) => Task.CompletedTask;
    }
}
