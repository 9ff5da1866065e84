using System.Diagnostics;
using System.Globalization;
using CaseSystem.Benchmarks.Sample;
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
    public const string Usage = "rebuild [--events N] [--seed S] [--scans R] [--projections a,b] [--baseline] [--settings BATCH:HOPPER,…] [--no-warmup]";

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        long events = 1_000_000;
        var seed = 2025;
        var scans = 3;
        var only = (string?)null;
        var baseline = false;
        var warmup = true;
        // Daemon settings to try, each a page size and a hopper size (events read ahead), rebuilt in turn over the
        // same sample; none: the read models' own.
        var sweep = new List<(int Batch, int Hopper)>();
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
                case "--no-warmup":
                    warmup = false; break;
                case "--settings" when value is not null && ParseSettings(value) is { } parsed:
                    sweep.AddRange(parsed); i++; break;
                default:
                    return Program.UsageError($"rebuild: bad option '{args[i]}'");
            }
        }
        if (Program.BaseConnectionString() is not { } conn) return 2;

        var models = new ReadModels();
        // A member's name (case-finder) chooses its group, which is what the daemon rebuilds.
        var named = only?.Split(',').Select(models.Named).ToList();
        if (named is not null && named.Any(m => m is null))
            return Program.UsageError($"rebuild: no read model named '{only}' ({string.Join(", ", models.All.Select(m => m.Name))})");
        var chosen = named is null ? [.. models.All] : named.OfType<IReadModel>().Distinct().ToList();

        if (warmup) await WarmUpAsync(conn, ct);
        var nothing = new NothingProjection(models.QueueBoard.Options);
        await using var bench = await BenchDatabase.CreateAsync(conn, 16, ct);
        // The server's store: CaseStore and the read models' registration and daemon settings. With
        // --baseline, one more projection that writes nothing: what the daemon's own reading costs.
        var store = await bench.CreateEventStoreAsync(o =>
        {
            models.Configure(o);
            // As AddAsyncDaemon sets it in the server (the daemon here is the benchmark's own).
            o.Projections.AsyncMode = DaemonMode.HotCold;
            if (baseline) o.Projections.Add(nothing, ProjectionLifecycle.Async);
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
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# raw scan {raw:0} events/s"));

        using var logging = LoggerFactory.Create(b => b.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning));
        using var daemon = await store.BuildProjectionDaemonAsync(logger: logging.CreateLogger("daemon"));
        // The daemon's projections share their options with these (Marten's wrapper takes the projection's own).
        var projections = chosen.Cast<ProjectionBase>().Append(nothing).ToList();
        var rebuilds = chosen.Select(m => m.Name).ToList();
        if (baseline) rebuilds.Insert(0, NothingProjection.ProjectionName);
        var results = new List<(string Name, string Settings, double Seconds)>();
        var meter = new CpuMeter(bench.DataSource);
        foreach (var setting in sweep.Count == 0 ? [((int, int)?)null] : sweep.Select(s => ((int, int)?)s))
        {
            foreach (var name in rebuilds)
            {
                // The daemon reads a projection's options when it builds the rebuild's agent.
                var options = projections.Single(p => p.Name == name).Options;
                if (setting is var (batch, hopper))
                {
                    options.BatchSize = batch;
                    options.MaximumHopperSize = hopper;
                }
                var settings = string.Create(CultureInfo.InvariantCulture, $"batch={options.BatchSize} hopper={options.MaximumHopperSize}");
                // Each try of a sweep starts from empty tables, as the first: Marten's teardown deletes
                // the rows of the try before, and their dead tuples would slow the next one down.
                foreach (var table in chosen.FirstOrDefault(m => m.Name == name)?.Tables ?? [])
                {
                    await Execute(bench.DataSource, $"truncate {table.Identifier.QualifiedName}", ct);
                }
                var cpu0 = await meter.ReadAsync(ct);
                var gc0 = GC.GetTotalPauseDuration();
                var alloc0 = GC.GetTotalAllocatedBytes();
                var watch = Stopwatch.StartNew();
                await daemon.RebuildProjectionAsync(name, TimeSpan.FromHours(1), ct);
                watch.Stop();
                var (own, postgres, _, busy) = CpuMeter.Between(cpu0, await meter.ReadAsync(ct));
                results.Add((name, settings, watch.Elapsed.TotalSeconds));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"# {name} ({settings}): {watch.Elapsed.TotalSeconds:0.0} s, CPU {own.TotalSeconds:0.0} s in this process and {postgres.TotalSeconds:0.0} s in PostgreSQL (machine {busy:P0} busy), " +
                    $"GC pauses {(GC.GetTotalPauseDuration() - gc0).TotalSeconds:0.0} s, {(GC.GetTotalAllocatedBytes() - alloc0) / 1e6:0} MB allocated; load average {LoadAverage()}"));
            }
        }
        raw = Math.Max(raw, await RawScanAsync(bench.DataSource, ct));

        // Every rebuild reached the head of the log, and none set an event aside.
        var status = await new ProjectionAdmin(store, bench.DataSource, models).StatusAsync(ct: ct);
        foreach (var model in chosen)
        {
            var s = status.Single(s => s.Name == model.Name);
            Console.WriteLine($"# {model.Name}: position {s.Position:N0} of {s.Head:N0}, {s.DeadLetters:N0} dead letters");
            foreach (var table in model.Tables)
            {
                var name = table.Identifier.QualifiedName;
                // How PostgreSQL read the table through the rebuilds: the page loads should go through its key.
                await using var cmd = bench.DataSource.CreateCommand(
                    "select seq_scan, seq_tup_read, coalesce(idx_scan, 0), n_tup_ins, n_tup_upd, n_tup_hot_upd, n_dead_tup from pg_stat_user_tables where relid = $1::regclass");
                cmd.Parameters.AddWithValue(name);
                await using var r = await cmd.ExecuteReaderAsync(ct);
                var stats = await r.ReadAsync(ct)
                    ? $"seq scans {r.GetInt64(0):N0} ({r.GetInt64(1):N0} rows), index scans {r.GetInt64(2):N0}, inserted {r.GetInt64(3):N0}, updated {r.GetInt64(4):N0} ({r.GetInt64(5):N0} HOT), dead {r.GetInt64(6):N0}"
                    : "no statistics";
                await r.CloseAsync();
                Console.WriteLine($"# {name}: {await Scalar(bench.DataSource, $"select count(*) from {name}", ct):N0} rows " +
                    $"of {await Scalar(bench.DataSource, $"select coalesce(avg(pg_column_size(t.*)), 0)::bigint from {name} t", ct):N0} bytes on average; {stats}");
            }
            if (s.Position != s.Head || s.DeadLetters != 0) Console.WriteLine($"# WARNING: {model.Name} did not apply the whole log cleanly");
        }

        foreach (var (name, settings, seconds) in results)
        {
            var rate = sample.Events / seconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(name == NothingProjection.ProjectionName ? "# " : "")}rebuild projection={name} events={sample.Events} seconds={seconds:0.0} " +
                $"events/s={rate:0} raw_scan/s={raw:0} ratio={rate / raw:0.00}{(sweep.Count == 0 ? "" : " " + settings)}"));
        }
        return 0;
    }

    /// <summary>
    /// Rebuilds every read model once over a small sample in a database of its own, so that the
    /// measured rebuilds run in a process whose code is compiled, as a server's is: the first rebuild
    /// of a cold process spent about 5 s more CPU than the same one after it (2026-12-02, JIT).
    /// </summary>
    private static async Task WarmUpAsync(string conn, CancellationToken ct)
    {
        var models = new ReadModels();
        await using var db = await BenchDatabase.CreateAsync(conn, 8, ct);
        var store = await db.CreateEventStoreAsync(o =>
        {
            models.Configure(o);
            o.Projections.AsyncMode = DaemonMode.HotCold;
        }, ct);
        await NationalSample.LoadAsync(db.DataSource, EventTypeRegistry.ForRenewalEvents(), 50_000, 1, ct);
        using var daemon = await store.BuildProjectionDaemonAsync();
        foreach (var model in models.All) await daemon.RebuildProjectionAsync(model.Name, TimeSpan.FromMinutes(10), ct);
    }

    private static List<(int, int)>? ParseSettings(string text)
    {
        var settings = new List<(int, int)>();
        foreach (var pair in text.Split(','))
        {
            if (pair.Split(':') is not [var b, var h]
                || !int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var batch) || batch <= 0
                || !int.TryParse(h, NumberStyles.None, CultureInfo.InvariantCulture, out var hopper) || hopper <= 0) return null;
            settings.Add((batch, hopper));
        }
        return settings;
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
