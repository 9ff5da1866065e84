using System.Diagnostics;
using System.Globalization;
using System.Text;
using CaseSystem.Benchmarks.Sample;
using CaseSystem.Cases.Store;
using Marten;
using Npgsql;
using NpgsqlTypes;

namespace CaseSystem.Benchmarks;

/// <summary>The benchmark's event: a visit recorded at a municipal office's counter, about 250 bytes of JSON.</summary>
internal sealed record BenchVisitRecorded(
    string Office,
    int Ticket,
    string Counter,
    DateTimeOffset At,
    string Purpose,
    string Note,
    string StaffId,
    int WaitMinutes);

/// <summary>
/// Appends through the event store (Marten, configured as the server does it: quick append,
/// conjoined tenancy, every metadata column, the hash-chain trigger on mt_events) against plain
/// single-row inserts of the same JSON, with the same number of concurrent writers, on the same
/// database, measured alternately per writer count so both see the same conditions (table sizes,
/// checkpoints, the machine's other load).
/// <para>
/// Store writers each append single-event commands, a lightweight session per command with the
/// staff member, office, command and a correlation id as the application sets them, to a stream
/// of their own at the exact version they track (StartStream, then Append with the expected
/// version), starting a new stream every <see cref="EventsPerStream"/> events. (The
/// Idempotency-Key claim is Wolverine's, in the HTTP endpoint's transaction: not measured here.)
/// Raw writers each run autocommit
/// <c>insert into bench_raw (data) values ($1::jsonb)</c>. Each measurement runs its writers for
/// a warm-up, then counts what completes in the measured window.
/// </para>
/// </summary>
internal static class AppendBenchmark
{
    public const string Usage = "append [--seconds S] [--rounds R] [--writers 1,4,16]";

    private const int EventsPerStream = 20;
    private const int MaxPoolSize = 64;
    private const string Municipality = "saku";
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);

    private static readonly string[] Offices = ["本庁舎 市民課", "臼田支所", "浅科支所", "望月支所"];
    private static readonly string[] Counters = ["1番窓口", "2番窓口", "3番窓口", "証明書発行窓口"];
    private static readonly string[] Purposes = ["転入届の提出", "住民票の写しの交付", "印鑑登録", "児童手当の申請"];

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var seconds = 5.0;
        var rounds = 3;
        int[] writerCounts = [1, 4, 16];
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--seconds" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0:
                    seconds = s;
                    i++;
                    break;
                case "--rounds" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var r) && r > 0:
                    rounds = r;
                    i++;
                    break;
                case "--writers" when TryParseWriters(value, out var w):
                    writerCounts = w;
                    i++;
                    break;
                default:
                    return Program.UsageError($"append: bad option '{args[i]}'" + (value is null ? "" : $" '{value}'"));
            }
        }
        if (writerCounts.Max() > MaxPoolSize - 2)
        {
            return Program.UsageError($"append: at most {MaxPoolSize - 2} writers (the pool holds {MaxPoolSize} connections)");
        }

        var baseConnection = Program.BaseConnectionString();
        if (baseConnection is null) return 2;

        await using var db = await BenchDatabase.CreateAsync(baseConnection, MaxPoolSize, ct);
        var events = await db.CreateEventStoreAsync(o => o.Events.MapEventType<BenchVisitRecorded>(nameof(BenchVisitRecorded)), ct);
        await CreateRawTableAsync(db, ct);
        var registry = RawRegistry();
        if (Environment.GetEnvironmentVariable("CASES_BENCH_NO_CHAIN") == "1")
        {
            await using var off = db.DataSource.CreateCommand($"alter table {CaseStore.Schema}.mt_events disable trigger trg_case_event_link");
            await off.ExecuteNonQueryAsync(ct);
            Console.WriteLine("# the hash-chain trigger is OFF");
        }

        var duration = TimeSpan.FromSeconds(seconds);
        var cpu = new CpuMeter(db.DataSource);
        var sample = registry.Serialize(NewEvent(0, 1));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# append benchmark: postgres {db.ServerVersion}, {Environment.ProcessorCount} cores, {rounds} alternating rounds of {seconds:0.###}s per measurement"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# payload {Encoding.UTF8.GetByteCount(sample)} bytes of JSON, new stream every {EventsPerStream} events, warm-up {WarmUp.TotalSeconds:0.###}s"));

        // Raw and store alternate, round after round, and each rate is the total over its rounds:
        // on this machine fsync latency and checkpoints drift by the second, and alternating makes
        // both see the same drift instead of one of them catching a slow spell.
        foreach (var n in writerCounts)
        {
            double rawTotal = 0, storeTotal = 0;
            var rawCpu = new CpuTally();
            var storeCpu = new CpuTally();
            for (var round = 0; round < rounds; round++)
            {
                rawTotal += await rawCpu.MeasureAsync(cpu, n, duration, w => RawWriter(db.DataSource, registry, w), ct);
                storeTotal += await storeCpu.MeasureAsync(cpu, n, duration, w => StoreWriter(events, w), ct);
            }
            var raw = rawTotal / rounds;
            var store = storeTotal / rounds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"append writers={n} events/s={store:0} raw_insert/s={raw:0} ratio={(raw > 0 ? store / raw : 0):0.00}"));
            // Where an append's time goes: CPU per event of this process (the client) and of
            // PostgreSQL, and how busy the machine was, for the store and the raw inserts alike.
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"# writers={n} store: {storeCpu} | raw: {rawCpu}"));
        }

        // For a reader checking the rates: the store holds at least what the measured windows counted.
        // And the trigger was on: every event has its link in the chain.
        await using (var count = db.DataSource.CreateCommand(
            $"select (select count(*) from {CaseStore.Schema}.mt_events), (select count(*) from {CaseStore.Schema}.case_event_chain)"))
        await using (var reader = await count.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"# {reader.GetInt64(0)} events in the store at the end, {reader.GetInt64(1)} of them linked in the hash chain"));
        }
        return 0;
    }

    private static bool TryParseWriters(string? value, out int[] writers)
    {
        writers = [];
        if (string.IsNullOrWhiteSpace(value)) return false;
        var parts = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var parsed = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out parsed[i]) || parsed[i] < 1) return false;
        }
        writers = parsed;
        return parsed.Length > 0;
    }

    private static BenchVisitRecorded NewEvent(int writer, int ticket) => new(
        Office: Offices[writer % Offices.Length],
        Ticket: ticket,
        Counter: Counters[ticket % Counters.Length],
        At: DateTimeOffset.UtcNow,
        Purpose: Purposes[(writer + ticket) % Purposes.Length],
        Note: "本人確認書類（運転免許証）を確認済み。",
        StaffId: $"clerk-{writer + 1}",
        WaitMinutes: ticket % 45);

    /// <summary>The bare table the raw writers insert into, public.bench_raw: a bigserial key and the JSON.</summary>
    internal static async Task CreateRawTableAsync(BenchDatabase db, CancellationToken ct)
    {
        await using var create = db.DataSource.CreateBatch();
        create.BatchCommands.Add(new("drop table if exists public.bench_raw"));
        create.BatchCommands.Add(new("create table public.bench_raw (id bigserial primary key, data jsonb not null)"));
        await create.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The serializer of the raw writers' JSON (the benchmark's event, about 250 bytes).</summary>
    internal static EventTypeRegistry RawRegistry() => new EventTypeRegistry().Register<BenchVisitRecorded>(nameof(BenchVisitRecorded));

    /// <summary>One writer's step: one autocommit single-row insert of the serialized event.</summary>
    internal static Func<Task> RawWriter(NpgsqlDataSource dataSource, EventTypeRegistry registry, int writer)
    {
        var ticket = 0;
        return async () =>
        {
            var json = registry.Serialize(NewEvent(writer, ++ticket));
            await using var cmd = dataSource.CreateCommand("insert into bench_raw (data) values ($1::jsonb)");
            cmd.Parameters.Add(new() { Value = json, NpgsqlDbType = NpgsqlDbType.Text });
            await cmd.ExecuteNonQueryAsync();
        };
    }

    /// <summary>One writer's step: one single-event command appended to the writer's current stream at the version it tracks.</summary>
    private static Func<Task> StoreWriter(IDocumentStore store, int writer)
    {
        var ticket = 0;
        var stream = Guid.NewGuid();
        long version = 0;
        return async () =>
        {
            await using var session = store.LightweightSession(Municipality);
            session.LastModifiedBy = $"clerk-{writer + 1}";
            session.CorrelationId = Guid.NewGuid().ToString("N");
            session.SetHeader(CaseStore.Headers.Office, "main");
            session.SetHeader(CaseStore.Headers.Command, "RecordVisit");
            var e = NewEvent(writer, ++ticket);
            if (version == 0) session.Events.StartStream(stream, e);
            else session.Events.Append(stream, version + 1, e);
            await session.SaveChangesAsync();
            version++;
            if (version >= EventsPerStream)
            {
                stream = Guid.NewGuid();
                version = 0;
            }
        };
    }

    /// <summary>
    /// Runs <paramref name="writers"/> writers, each repeating its step until stopped; returns the
    /// steps completed per second in the window after the warm-up. A failing step fails the run.
    /// </summary>
    internal static async Task<double> MeasureAsync(int writers, TimeSpan duration, Func<int, Func<Task>> createWriter, CancellationToken ct)
    {
        long completed = 0;
        var stop = 0;
        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var step = createWriter(w);
            while (Volatile.Read(ref stop) == 0)
            {
                await step();
                Interlocked.Increment(ref completed);
            }
        }, CancellationToken.None)).ToArray();
        var all = Task.WhenAll(tasks);

        try
        {
            await WaitAsync(all, WarmUp, ct);
            var startCount = Interlocked.Read(ref completed);
            var start = Stopwatch.GetTimestamp();
            await WaitAsync(all, duration, ct);
            var endCount = Interlocked.Read(ref completed);
            var elapsed = Stopwatch.GetElapsedTime(start);
            return (endCount - startCount) / elapsed.TotalSeconds;
        }
        finally
        {
            Volatile.Write(ref stop, 1);
            await all; // every writer finishes its step in flight; a failed one throws here
        }
    }

    /// <summary>Waits for <paramref name="span"/>, or less when a writer fails (its exception then surfaces).</summary>
    internal static async Task WaitAsync(Task writers, TimeSpan span, CancellationToken ct)
    {
        var finished = await Task.WhenAny(writers, Task.Delay(span, ct));
        await finished;
        if (finished == writers) throw new InvalidOperationException("the writers stopped before they were told to");
    }

    /// <summary>The CPU of a measurement's rounds (warm-up included), per event completed in them.</summary>
    private sealed class CpuTally
    {
        private TimeSpan _own, _postgres;
        private double _events, _busy;
        private int _rounds;

        public async Task<double> MeasureAsync(CpuMeter meter, int writers, TimeSpan duration, Func<int, Func<Task>> createWriter, CancellationToken ct)
        {
            var before = await meter.ReadAsync(ct);
            var rate = await AppendBenchmark.MeasureAsync(writers, duration, createWriter, ct);
            var (own, postgres, machine, busy) = CpuMeter.Between(before, await meter.ReadAsync(ct));
            _own += own;
            _postgres += postgres;
            _events += rate * (duration + WarmUp).TotalSeconds;
            _busy += busy;
            _rounds++;
            return rate;
        }

        public override string ToString() => _events <= 0 ? "no events" : string.Create(CultureInfo.InvariantCulture,
            $"client_us/event={_own.TotalMicroseconds / _events:0} postgres_us/event={_postgres.TotalMicroseconds / _events:0} machine_busy={_busy / _rounds:P0}");
    }
}
