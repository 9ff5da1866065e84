using System.Diagnostics;
using System.Globalization;
using CaseSystem.Cases.Api;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Store;
using CaseSystem.Cases.Store.HashChain;
using Marten;
using Npgsql;
using NpgsqlTypes;

namespace CaseSystem.Benchmarks.Sample;

/// <summary>What a sample load wrote.</summary>
/// <param name="Events">Events written (sequence numbers 1..Events).</param>
/// <param name="Cases">Cases, one stream each.</param>
/// <param name="Took">Wall time of the load, generation and COPY together (they overlap).</param>
/// <param name="From">The first event's time.</param>
/// <param name="To">The last event's time.</param>
/// <param name="Digest">SHA-256 over every event's chain link in sequence order: the same seed and size give the same digest.</param>
/// <param name="PeakCasesInMemory">Most cases generated but not yet fully written, at any time.</param>
/// <param name="PeakEventsInMemory">Most events generated but not yet written, at any time.</param>
/// <param name="CasesByTag">Cases per trait (how the case started, who came, what happened); a case has several.</param>
/// <param name="CasesByMunicipality">Cases per municipality slug.</param>
/// <param name="EventsByType">Events per event type.</param>
public sealed record SampleStats(
    long Events,
    long Cases,
    TimeSpan Took,
    DateTimeOffset From,
    DateTimeOffset To,
    string Digest,
    int PeakCasesInMemory,
    long PeakEventsInMemory,
    IReadOnlyDictionary<string, long> CasesByTag,
    IReadOnlyDictionary<string, long> CasesByMunicipality,
    IReadOnlyDictionary<string, long> EventsByType);

/// <summary>
/// A national-scale-shaped sample of renewal cases, loaded straight into the event store (Marten's
/// tables) of a benchmark database: for benchmarks that need a large, realistic log (the
/// projection rebuild).
/// <para>
/// The cases are the product's own: every stream is what the real <see cref="RenewalDecider"/>
/// recorded for a sequence of commands, with its policies (office hours, reservations, identity
/// rules) and its timers (<see cref="RenewalTimers"/>); see <see cref="SampleCaseWriter"/> for
/// the mix. Events of all cases interleave by time as in production. The same seed and size give
/// the same sample, byte for byte.
/// </para>
/// <para>
/// Loading bypasses the append (one round trip per command would take hours for millions of
/// events): one binary COPY writes mt_events with their sequence numbers and versions computed
/// here, another mt_streams, and Marten's sequence is moved past the last number. The hash chain
/// trigger on mt_events fires for every row the COPY inserts (row triggers fire on COPY), so
/// cases.case_event_chain is filled by the database's own code, as for an append. Marten's
/// foreign key from mt_events to mt_streams is dropped for the load (the streams' last versions
/// are known only once their events are written) and added back, checked, before the commit.
/// The links the pipeline computes in C# (<see cref="CanonicalForm"/>) cover the data as jsonb
/// prints it; <see cref="JsonbText"/> writes exactly that text, which the load checks on samples
/// of each event type (text and link against the trigger's), and <see cref="SelfCheckAsync"/>
/// checks on every event through the <see cref="ChainVerifier"/>.
/// </para>
/// </summary>
public static class NationalSample
{
    /// <summary>mt_streams.type of a case stream: Marten's alias of <see cref="RenewalCase"/>, as StartStream&lt;RenewalCase&gt; writes it.</summary>
    private const string StreamType = "renewal_case";

    private static readonly string S = CaseStore.Schema;

    /// <summary>Generates cases until at least <paramref name="targetEvents"/> events, loads them into the (empty) event store, returns counts.</summary>
    public static async Task<SampleStats> LoadAsync(NpgsqlDataSource db, EventTypeRegistry types, long targetEvents, int seed, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(targetEvents);
        var clock = Stopwatch.StartNew();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using (var check = new NpgsqlCommand(
            $"select exists (select 1 from {S}.mt_events) or exists (select 1 from {S}.mt_streams)", conn))
        {
            if ((bool)(await check.ExecuteScalarAsync(ct))!)
            {
                throw new InvalidOperationException("the national sample loads into an empty event store (it numbers events from 1); this one has events or streams");
            }
        }

        SamplePipeline pipeline;
        SampleStats stats;
        string foreignKey;
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            // Marten's key from the events to their streams, as Marten made it, to put back after the load.
            await using (var fk = new NpgsqlCommand(
                $"select conname, pg_get_constraintdef(oid) from pg_constraint where conrelid = '{S}.mt_events'::regclass and contype = 'f'", conn))
            await using (var reader = await fk.ExecuteReaderAsync(ct))
            {
                if (!await reader.ReadAsync(ct)) throw new InvalidOperationException($"{S}.mt_events has no foreign key to its streams: not Marten's schema as expected");
                foreignKey = $"alter table {S}.mt_events add constraint {reader.GetString(0)} {reader.GetString(1)}";
                var name = reader.GetString(0);
                if (await reader.ReadAsync(ct)) throw new InvalidOperationException($"{S}.mt_events has more than one foreign key");
                await reader.CloseAsync();
                await ExecuteAsync(conn, $"alter table {S}.mt_events drop constraint {name}", ct);
            }
            // Emptied (they are empty) in this transaction, so that COPY may write the rows frozen:
            // no hint bits to set and nothing for vacuum to do when the benchmark first reads
            // them, as in a log that has long settled.
            await ExecuteAsync(conn, $"truncate {S}.mt_events, {S}.mt_streams, {HashChainFeature.ChainTable.QualifiedName}", ct);
            await using (var importer = await conn.BeginBinaryImportAsync(
                $"copy {S}.mt_events ({SamplePipeline.EventColumns}) from stdin (format binary, freeze)", ct))
            {
                pipeline = new SamplePipeline(types, targetEvents, seed, new CopyRowSink(importer));
                stats = pipeline.Run(ct);
                await importer.CompleteAsync(ct);
            }
            await using (var importer = await conn.BeginBinaryImportAsync(
                $"copy {S}.mt_streams (tenant_id, id, type, version, timestamp, created) from stdin (format binary, freeze)", ct))
            {
                foreach (var (id, municipality, createdAt, updatedAt, version) in pipeline.Streams)
                {
                    await importer.StartRowAsync(ct);
                    await importer.WriteAsync(municipality, NpgsqlDbType.Varchar, ct);
                    await importer.WriteAsync(id, NpgsqlDbType.Uuid, ct);
                    await importer.WriteAsync(StreamType, NpgsqlDbType.Varchar, ct);
                    await importer.WriteAsync(version, NpgsqlDbType.Bigint, ct);
                    await importer.WriteAsync(updatedAt, NpgsqlDbType.TimestampTz, ct);
                    await importer.WriteAsync(createdAt, NpgsqlDbType.TimestampTz, ct);
                }
                await importer.CompleteAsync(ct);
            }
            await ExecuteAsync(conn, foreignKey, ct);
            if (stats.Events > 0)
            {
                // The append takes its numbers from Marten's sequence: the next one follows the sample.
                await ExecuteAsync(conn, $"select setval('{S}.mt_events_sequence', {stats.Events.ToString(CultureInfo.InvariantCulture)})", ct);
            }
            await tx.CommitAsync(ct);
        }

        await SpotCheckAsync(conn, pipeline.SpotChecks, ct);
        await ExecuteAsync(conn, $"analyze {S}.mt_events, {S}.mt_streams, {HashChainFeature.ChainTable.QualifiedName}", ct);
        return stats with { Took = clock.Elapsed };
    }

    /// <summary>
    /// Loads a small sample (about <paramref name="targetEvents"/> events) into the given,
    /// empty database with Marten's schema (<paramref name="store"/>'s) and checks it: the same
    /// seed gives the same sample and another seed another; the counts, the sequence and the
    /// streams agree; every hash chain verifies; every stream folds through
    /// <see cref="RenewalState"/> from its opening to its closing in order, and Marten reads it;
    /// nothing in the data looks like a My Number or carries a PIN; an append through Marten
    /// goes on from the sample. Writes one line per check to <paramref name="log"/> (stdout by
    /// default); returns 0 when all hold, 1 when not.
    /// </summary>
    public static async Task<int> SelfCheckAsync(
        NpgsqlDataSource db, IDocumentStore store, EventTypeRegistry types, int seed = 1, long targetEvents = 20_000, TextWriter? log = null, CancellationToken ct = default)
    {
        log ??= Console.Out;
        var failures = 0;
        void Check(bool ok, string what)
        {
            if (!ok) failures++;
            log.WriteLine($"# {(ok ? "ok  " : "FAIL")} {what}");
        }

        var dry = Generate(types, targetEvents, seed, ct);
        var again = Generate(types, targetEvents, seed, ct);
        var other = Generate(types, targetEvents, seed + 1, ct);
        Check(dry.Events == again.Events && dry.Digest == again.Digest, $"same seed, same sample: {dry.Events} events, digest {dry.Digest[..16]}…");
        Check(other.Digest != dry.Digest, "another seed, another sample");
        Check(dry.Events >= targetEvents, $"at least the {targetEvents} events asked for ({dry.Events})");

        var stats = await LoadAsync(db, types, targetEvents, seed, ct);
        Check(stats.Digest == dry.Digest && stats.Events == dry.Events, $"the loaded sample is the generated one ({stats.Events} events, {stats.Cases} cases, {stats.Took.TotalSeconds:0.00}s)");

        long events, maxSeq, streamsOfEvents, streams, sequence, links, streamVersionsOff;
        await using (var cmd = db.CreateCommand(
            $"select (select count(*) from {S}.mt_events), (select coalesce(max(seq_id), 0) from {S}.mt_events), " +
            $"(select count(distinct stream_id) from {S}.mt_events), (select count(*) from {S}.mt_streams), " +
            $"(select last_value from {S}.mt_events_sequence), (select count(*) from {HashChainFeature.ChainTable.QualifiedName}), " +
            $"(select count(*) from {S}.mt_streams s where s.version <> (select max(e.version) from {S}.mt_events e where e.tenant_id = s.tenant_id and e.stream_id = s.id))"))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            (events, maxSeq, streamsOfEvents, streams, sequence, links, streamVersionsOff) =
                (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6));
        }
        Check(events == stats.Events && maxSeq == stats.Events, $"events stored {events}, numbered 1..{maxSeq}");
        Check(streams == stats.Cases && streamsOfEvents == stats.Cases && streamVersionsOff == 0,
            $"streams {streams}, streams with events {streamsOfEvents}, cases {stats.Cases}, streams whose version is not their last event's {streamVersionsOff}");
        Check(sequence == stats.Events, $"the sequence stands at {sequence}: the next append gets {sequence + 1}");
        Check(links == stats.Events, $"the chain trigger linked {links} events as the COPY inserted them");

        var verifier = new ChainVerifier(db);
        var verification = await verifier.VerifyAllAsync(ct: ct);
        Check(verification.IsIntact && verification.EventsChecked == stats.Events && verification.StreamsChecked == stats.Cases,
            $"hash chains: {verification.StreamsChecked} streams, {verification.EventsChecked} events, {verification.Breaks.Count} breaks" +
            (verification.FirstBreak is { } b ? $" (first: {b.StreamId} v{b.Version}: {b.Reason})" : ""));

        var (folded, closed, problems, firstProblem, firstStream) = await FoldAllAsync(db, types, ct);
        Check(problems == 0, $"every event read back as a renewal event, in order, folding its stream ({problems} problems){(firstProblem is null ? "" : ": " + firstProblem)}");
        Check(folded == stats.Cases && closed == stats.Cases, $"{folded} streams folded, {closed} closed");

        // Marten reads a sample case as the application does (its tenant, its events, the state they fold to).
        if (firstStream is { } first)
        {
            var loaded = await LoadedCase.ReadAsync(store, first.Municipality, first.StreamId, ct);
            Check(loaded.Version == first.Version && loaded.State is RenewalState.Closed,
                $"Marten reads sample case {first.StreamId} in {first.Municipality}: version {loaded.Version} of {first.Version}, {loaded.State.GetType().Name}");
        }

        await using (var cmd = db.CreateCommand(
            "select count(*) filter (where data::text ~ '(^|[^0-9])[0-9]{12}([^0-9]|$)'), " +
            $"count(*) filter (where data::text ~* '\"[a-z]*(pin|mynumber|individualnumber)\"\\s*:') from {S}.mt_events"))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            Check(reader.GetInt64(0) == 0 && reader.GetInt64(1) == 0,
                $"no 12-digit number ({reader.GetInt64(0)}) and no PIN or My Number field ({reader.GetInt64(1)}) in any event");
        }

        // The store goes on from the sample: an append through Marten, as the application opens a
        // case at the counter (CaseDecision, StartStream), takes the next number and chains.
        var caseId = Guid.CreateVersion7();
        var holder = new Holder("佐藤 花子", "サトウ ハナコ", new DateOnly(1985, 7, 1), "長野県佐久市中込1番地");
        int appendedCount;
        await using (var session = store.LightweightSession("saku"))
        {
            var opened = CaseDecision.Decide(session, "saku", caseId, null,
                new RenewalCommand.OpenCaseAtCounter(holder, new CertificateDates(new DateOnly(2030, 7, 1), new DateOnly(2030, 7, 1)), "shimin-ka", DateTimeOffset.UtcNow),
                new Actor("clerk-001", "shimin-ka"), TimeProvider.System);
            session.Events.StartStream<RenewalCase>(caseId, [.. opened.Events]);
            await session.SaveChangesAsync(ct);
            appendedCount = opened.Events.Count;
        }
        long appendedSeq;
        await using (var cmd = db.CreateCommand($"select max(seq_id) from {S}.mt_events where stream_id = $1"))
        {
            cmd.Parameters.Add(new() { Value = caseId, NpgsqlDbType = NpgsqlDbType.Uuid });
            appendedSeq = (long)(await cmd.ExecuteScalarAsync(ct))!;
        }
        var after = await verifier.VerifyAllAsync(ct: ct);
        Check(appendedCount == 1 && appendedSeq == stats.Events + 1 && after.IsIntact && after.EventsChecked == stats.Events + 1,
            $"an append after the sample gets sequence {appendedSeq} and every chain still verifies ({after.Breaks.Count} breaks)");

        log.WriteLine(failures == 0
            ? $"sample self-check ok events={stats.Events} cases={stats.Cases}"
            : $"sample self-check FAILED ({failures} checks)");
        return failures == 0 ? 0 : 1;
    }

    /// <summary>The sample without a database: the same pipeline writing nowhere.</summary>
    internal static SampleStats Generate(EventTypeRegistry types, long targetEvents, int seed, CancellationToken ct) =>
        new SamplePipeline(types, targetEvents, seed, new NullRowSink()).Run(ct);

    /// <summary>An event as the self-check reads it back from mt_events.</summary>
    private sealed record LoggedEvent(long Sequence, Guid StreamId, long Version, string Municipality, string EventType, object Data, DateTimeOffset RecordedAt);

    /// <summary>Reads the whole log in sequence order, a page at a time, each event deserialised by its stored type name.</summary>
    private static async IAsyncEnumerable<LoggedEvent> ReadLogAsync(NpgsqlDataSource db, EventTypeRegistry types,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        long after = 0;
        while (true)
        {
            var page = new List<LoggedEvent>(5000);
            await using (var cmd = db.CreateCommand(
                $"select seq_id, stream_id, version, tenant_id, type, data::text, timestamp from {S}.mt_events where seq_id > $1 order by seq_id limit 5000"))
            {
                cmd.Parameters.AddWithValue(after);
                await using var reader = await cmd.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    var type = reader.GetString(4);
                    page.Add(new LoggedEvent(reader.GetInt64(0), reader.GetGuid(1), reader.GetInt64(2), reader.GetString(3), type,
                        types.Deserialize(type, reader.GetString(5)), reader.GetFieldValue<DateTimeOffset>(6)));
                }
            }
            if (page.Count == 0) yield break;
            foreach (var e in page) yield return e;
            after = page[^1].Sequence;
        }
    }

    /// <summary>Reads the whole log in sequence order and folds every stream.</summary>
    private static async Task<(long Folded, long Closed, long Problems, string? First, (Guid StreamId, string Municipality, long Version)? FirstStream)> FoldAllAsync(
        NpgsqlDataSource db, EventTypeRegistry types, CancellationToken ct)
    {
        var streams = new Dictionary<Guid, (RenewalState State, long Version, string Municipality)>();
        Guid? firstStream = null;
        long previous = 0, problems = 0;
        var lastAt = DateTimeOffset.MinValue;
        string? first = null;
        void Problem(string what)
        {
            problems++;
            first ??= what;
        }

        await foreach (var e in ReadLogAsync(db, types, ct))
        {
            if (e.Sequence != previous + 1) Problem($"sequence {e.Sequence} after {previous}");
            previous = e.Sequence;
            if (e.Data is not RenewalEvent renewal)
            {
                Problem($"event {e.Sequence} is a {e.Data.GetType().Name}");
                continue;
            }
            if (renewal.At != e.RecordedAt) Problem($"event {e.Sequence}: At {renewal.At:O} but recorded {e.RecordedAt:O}");
            if (e.RecordedAt < lastAt) Problem($"event {e.Sequence} recorded {e.RecordedAt:O}, before the one ahead of it ({lastAt:O})");
            lastAt = e.RecordedAt;

            firstStream ??= e.StreamId;
            var (state, version, _) = streams.TryGetValue(e.StreamId, out var s) ? s : (RenewalState.Initial, 0L, e.Municipality);
            if (e.Version != version + 1) Problem($"stream {e.StreamId}: version {e.Version} after {version}");
            if (state is RenewalState.Closed) Problem($"stream {e.StreamId}: {e.EventType} after the case was closed");
            var next = RenewalState.Evolve(state, renewal);
            if (next is RenewalState.NoCase) Problem($"stream {e.StreamId}: {e.EventType} does not open a case");
            streams[e.StreamId] = (next, e.Version, e.Municipality);
        }
        var firstOf = firstStream is { } id ? (id, streams[id].Municipality, streams[id].Version) : ((Guid, string, long)?)null;
        return (streams.Count, streams.Values.Count(s => s.State is RenewalState.Closed), problems, first, firstOf);
    }

    /// <summary>
    /// The hash covers the data as the database prints it: compare what was written for samples
    /// of every event type with what the database now prints, and the link computed here with
    /// the one the chain trigger wrote. A difference means every chain through such an event
    /// would fail verification, or the sample's digest would not be the chain's, so the load
    /// fails instead.
    /// </summary>
    private static async Task SpotCheckAsync(NpgsqlConnection conn, List<(long Sequence, string Data, byte[] Link)> expected, CancellationToken ct)
    {
        if (expected.Count == 0) return;
        var wanted = expected.ToDictionary(e => e.Sequence, e => (e.Data, e.Link));
        await using var cmd = new NpgsqlCommand(
            $"select e.seq_id, e.data::text, c.hash from {S}.mt_events e left join {HashChainFeature.ChainTable.QualifiedName} c on c.stream_id = e.stream_id and c.version = e.version " +
            "where e.seq_id = any($1)", conn);
        cmd.Parameters.Add(new() { Value = wanted.Keys.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        var seen = 0;
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var sequence = reader.GetInt64(0);
            var stored = reader.GetString(1);
            var (data, link) = wanted[sequence];
            if (stored != data)
            {
                throw new InvalidOperationException(
                    $"event {sequence}: jsonb prints its data otherwise than the sample hashed it; its stream's hash chain would not verify.\n" +
                    $"  hashed: {data}\n  stored: {stored}");
            }
            if (reader.IsDBNull(2) || !((byte[])reader[2]).AsSpan().SequenceEqual(link))
            {
                throw new InvalidOperationException($"event {sequence}: the chain trigger's link is not the one the sample computed");
            }
            seen++;
        }
        if (seen != wanted.Count) throw new InvalidOperationException($"spot check: {wanted.Count - seen} sampled events are missing");
    }

    private static async Task ExecuteAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
