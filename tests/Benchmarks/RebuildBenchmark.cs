using System.Diagnostics;
using System.Globalization;
using CaseSystem.Benchmarks.Sample;
using CaseSystem.Cases.EventStore;
using CaseSystem.Projections;
using CaseSystem.Projections.Runner;
using Npgsql;

namespace CaseSystem.Benchmarks;

/// <summary>
/// Replays a national-scale sample through every projection, as a rebuild does (the runner's
/// catch-up lane, from the start of the log), against a plain sequential read of the same
/// events' rows in the same run: <c>rebuild events=N events/s=X raw_scan/s=Y ratio=X/Y</c>.
/// The raw scan reads every column of every event row in sequence order and nothing else;
/// the rebuild also reads them, deserialises the events, folds them per case and writes every
/// read model with its checkpoint.
/// </summary>
internal static class RebuildBenchmark
{
    public const string Usage = "rebuild [--events N] [--seed S] [--scans R] [--projections a,b]";

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        long events = 1_000_000;
        var seed = 2025;
        var scans = 3;
        var only = (string?)null;
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
                default:
                    return Program.UsageError($"rebuild: bad option '{args[i]}'");
            }
        }
        if (Program.BaseConnectionString() is not { } conn) return 2;

        await using var bench = await BenchDatabase.CreateAsync(conn, 16, ct);
        await bench.CreateEventStoreAsync(ct: ct);
        await new SchemaMigrator(bench.DataSource).MigrateAsync(Migration.EmbeddedIn(typeof(ProjectionsModule).Assembly), ct);
        var types = EventTypeRegistry.ForRenewalEvents();
        Console.WriteLine($"# PostgreSQL {bench.ServerVersion}; {Environment.ProcessorCount} cores; loading a sample of {events:N0} events (seed {seed})");
        var sample = await NationalSample.LoadAsync(bench.DataSource, types, events, seed, ct);
        Console.WriteLine($"# sample: {sample.Events:N0} events, {sample.Cases:N0} cases, loaded in {sample.Took.TotalSeconds:0.0} s");
        await Execute(bench.DataSource, "vacuum analyze cases.mt_events", ct);
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

        // The runner's own read of the same log (gap rule, deserialisation), for the record.
        var readWatch = Stopwatch.StartNew();
        var logReader = new LogReader(bench.DataSource, types);
        long position = 0, readEvents = 0;
        while (true)
        {
            var batch = await logReader.ReadAsync(position, 10_000, ct);
            if (batch.Events.Count == 0) break;
            readEvents += batch.Events.Count;
            position = batch.Settled;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# the runner's read alone (events deserialised, no projection): {readEvents / readWatch.Elapsed.TotalSeconds:0} events/s"));

        var projections = ProjectionsModule.All().Where(p => only is null || only.Split(',').Contains(p.Name)).ToList();
        if (projections.Count == 0) return Program.UsageError($"rebuild: no projection named '{only}' ({string.Join(", ", ProjectionsModule.All().Select(p => p.Name))})");
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var gc0 = GC.GetTotalPauseDuration();
        var alloc0 = GC.GetTotalAllocatedBytes();
        var watch = Stopwatch.StartNew();
        await using (var daemon = new ProjectionDaemon(bench.DataSource, types, projections, new ProjectionOptions
        {
            ElectionInterval = TimeSpan.FromMilliseconds(100),
            PollInterval = TimeSpan.FromMilliseconds(100),
        }))
        {
            await daemon.StartAsync(ct);
            var head = await Scalar(bench.DataSource, "select max(seq_id) from cases.mt_events", ct);
            await daemon.WaitForCheckpointAsync(head, TimeSpan.FromHours(1), ct);
        }
        watch.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# rebuild: {(Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds:0.0} s of CPU in this process, {(GC.GetTotalPauseDuration() - gc0).TotalSeconds:0.0} s of it paused in GC, {(GC.GetTotalAllocatedBytes() - alloc0) / 1e6:0} MB allocated"));
        raw = Math.Max(raw, await RawScanAsync(bench.DataSource, ct));

        var rate = sample.Events / watch.Elapsed.TotalSeconds;
        Console.WriteLine($"# projections: {string.Join(", ", projections.Select(p => p.Name))}; rebuild took {watch.Elapsed.TotalSeconds:0.0} s");
        foreach (var p in projections)
        {
            foreach (var table in p.Tables)
            {
                Console.WriteLine($"# {p.ViewSchema()}.{table}: {await Scalar(bench.DataSource, $"select count(*) from {p.ViewSchema()}.{table}", ct):N0} rows");
            }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rebuild events={sample.Events} events/s={rate:0} raw_scan/s={raw:0} ratio={rate / raw:0.00}"));
        return 0;
    }

    /// <summary>Events per second of a plain sequential read of every column of every event row.</summary>
    private static async Task<double> RawScanAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        long rows = 0, chars = 0;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(
            "select e.seq_id, e.id, e.stream_id, e.version, e.tenant_id, e.type, e.data::text, e.headers::text, e.user_name, e.correlation_id, e.causation_id, e.timestamp " +
            "from cases.mt_events e order by e.seq_id", conn);
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
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<long> Scalar(NpgsqlDataSource db, string sql, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(sql);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }
}
