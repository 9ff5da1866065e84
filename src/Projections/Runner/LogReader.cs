using CaseSystem.Cases.EventStore;
using Npgsql;
using NpgsqlTypes;

namespace CaseSystem.Projections.Runner;

/// <summary>An event whose stored data this code cannot read (an unknown type, a shape it does not know); projections fail on it like on any event they cannot apply.</summary>
public sealed record UnreadableEvent(string EventType, string Data, string Error);

/// <summary>What one read of the log gave: the events that may be applied, in order, and where the reader stands.</summary>
/// <param name="Events">Events above the position asked for, with no unsettled gap before or between them.</param>
/// <param name="Settled">Every sequence number up to here is applied by these events or known never to exist.</param>
/// <param name="WaitingOnGap">The first number after <paramref name="Settled"/> is missing and a transaction still running may yet commit it.</param>
public sealed record LogRead(IReadOnlyList<StoredEvent> Events, long Settled, bool WaitingOnGap);

/// <summary>
/// Reads the global log in sequence order for the projection runner, without ever passing a gap
/// that a transaction in flight could still fill, and without waiting forever on one nothing
/// can fill any more.
/// </summary>
/// <remarks>
/// <para>
/// Why gaps happen: seq_id comes from a sequence, and nextval() is not transactional. A writer
/// takes its number, then commits some milliseconds later; a writer that took a later number may
/// commit first. A reader that saw 11 and 13 committed, and moved its checkpoint past 12, would
/// never apply 12 when it commits a moment later: the event is silently skipped, Marten's worst
/// failure. Numbers are also lost for good: an append that loses a race on its version, or
/// rolls back for any reason, has already taken its numbers. Waiting for every number forever
/// stalls the projection for good; waiting "long enough" and then skipping (the high-water-mark
/// timeout) is the silent skip again whenever a transaction is slower than the timeout.
/// </para>
/// <para>
/// The rule here instead, exact under READ COMMITTED: a number g is missing from a read while a
/// higher number s is present. Whoever holds g took it before s was taken (the sequence hands
/// numbers out in one order: CACHE 1), and every append has its transaction id before it takes
/// a number (Marten's quick append: a new stream's row is inserted first; an append to an
/// existing stream locks the stream's row first, UseExclusiveLockOnConcurrentAppends and the
/// expected version of FetchForWriting, see CaseStore). The transaction that committed s did so
/// before this read's snapshot was taken. So the holder of g had its transaction id before that
/// snapshot. That snapshot alone cannot tell whether it is still running: a snapshot's xmax is
/// one past the newest transaction that has ended, not past the newest that has an id, and a
/// running transaction with an id at or above xmax is not listed (measured: a transaction
/// with id 35136 running, the snapshot "35136:35136:"). So on first sighting the reader takes a
/// transaction id of its own (pg_current_xact_id(), committed at once): it is higher than the
/// id of every transaction that held a number missing from that read. Once a snapshot taken
/// after it has an xmin at or above it, every transaction that could have held g has ended
/// (that snapshot's xmax is past the reader's id, so each one still running would be listed),
/// and that snapshot shows every one that committed: if g is still missing in it, g will never
/// exist. The reader reads again at once after taking the id, so a gap whose holder has ended
/// costs two short statements.
/// </para>
/// <para>
/// So a gap waits only for the transactions that had an id when it was first seen (never
/// for ones that started later: the id to wait for is kept from the first sighting, so a busy
/// store cannot postpone it forever), and never passes a number that could still be committed.
/// What can hold a gap open is a transaction that was running at the first sighting and stays
/// open: any such transaction could be the one holding the number, as far as any snapshot can
/// tell. The runner reports such a wait in its status instead of skipping. A snapshot lists the
/// running transactions of the whole cluster, not of this database alone, so on a shared server
/// a gap may also wait for another database's transactions: a short wait, never a wrong pass.
/// </para>
/// <para>
/// Not covered: Marten's plain <c>Events.Append</c> to an existing stream without an expected
/// version reads the stream's row without a lock and takes its number before its first write, so
/// before it has a transaction id. Nothing in the system appends that way; code that did could
/// have an event skipped.
/// </para>
/// </remarks>
public sealed class LogReader(NpgsqlDataSource dataSource, EventTypeRegistry types)
{
    // The snapshot is taken once (a materialised CTE); the events come off the primary key in
    // order, limited before the join, so nothing sorts the batch's wide rows again. With no
    // event above the position there is no row and no snapshot is needed: there is no gap.
    private const string ReadSql =
        "with x as materialized (select pg_snapshot_xmin(s)::text::bigint as xmin, pg_snapshot_xmax(s)::text::bigint as xmax" +
        "                        from pg_current_snapshot() s) " +
        "select x.xmin, x.xmax, " + EventColumns +
        " from (select * from cases.mt_events e where e.seq_id > $1 order by e.seq_id limit $2) e cross join x";

    /// <summary>The columns of Marten's mt_events the runner reads (the headers hold the office and the command).</summary>
    internal const string EventColumns =
        "e.seq_id, e.stream_id, e.version, e.tenant_id, e.type, e.data::text, e.user_name, " +
        "e.headers ->> 'office', e.correlation_id, e.headers ->> 'command', e.timestamp";

    // The gap this reader waits on: every missing number up to GapEnd is settled once a
    // snapshot's xmin reaches WaitForXid (the reader's own transaction id, taken after the
    // snapshot that first showed the gap).
    private (long GapEnd, long WaitForXid)? _gap;

    /// <summary>The sequence number the reader is waiting on, if it is waiting on a gap.</summary>
    public long? WaitingAt { get; private set; }

    public async Task<LogRead> ReadAsync(long after, int batchSize, CancellationToken ct)
    {
        // One list per reader, reused: a batch of rows is a large object, and allocating one per
        // batch would set off a full collection every few batches in a rebuild.
        var rows = _rows;
        for (var attempt = 1; ; attempt++)
        {
            var xmin = await ReadRowsAsync(after, batchSize, rows, ct);
            var expected = after + 1;
            var waiting = false;
            var newGap = false;
            var take = 0;
            foreach (var row in rows)
            {
                if (row.Sequence != expected)
                {
                    var gapEnd = row.Sequence - 1;
                    if (_gap is not { } known || gapEnd > known.GapEnd)
                    {
                        newGap = true;
                        waiting = true;
                        break;
                    }
                    if (xmin < known.WaitForXid) { waiting = true; break; }
                    // Settled: numbers expected..gapEnd will never be committed.
                }
                take++;
                expected = row.Sequence + 1;
            }
            if (newGap && attempt == 1)
            {
                // Every number missing below this read's last row was taken by a transaction that
                // had its id before this read's snapshot: lower than an id taken now.
                _gap = (rows[^1].Sequence - 1, await NewTransactionIdAsync(ct));
                continue;
            }
            if (take < rows.Count) rows.RemoveRange(take, rows.Count - take);
            if (_gap is { } g && expected > g.GapEnd) _gap = null;
            WaitingAt = waiting ? expected : null;
            var events = Deserialize(rows);
            rows.Clear();
            return new LogRead(events, expected - 1, waiting);
        }
    }

    /// <summary>Reads the rows above <paramref name="after"/> into <paramref name="rows"/>, in sequence order; returns the read's snapshot's xmin.</summary>
    private async Task<long> ReadRowsAsync(long after, int batchSize, List<RawRow> rows, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(ReadSql);
        cmd.Parameters.Add(new() { Value = after, NpgsqlDbType = NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new() { Value = batchSize, NpgsqlDbType = NpgsqlDbType.Integer });
        await using var reader = await cmd.ExecuteReaderAsync(ct);

        rows.Clear();
        long xmin = 0;
        while (await reader.ReadAsync(ct))
        {
            xmin = reader.GetInt64(0);
            rows.Add(Raw(reader, reader.GetInt64(2)));
        }
        // The query has no outer ORDER BY (it would sort the whole batch again); should a plan
        // ever join in another order, the batch is put back in sequence order here.
        for (var i = 1; i < rows.Count; i++)
        {
            if (rows[i].Sequence >= rows[i - 1].Sequence) continue;
            rows.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
            break;
        }
        return xmin;
    }

    /// <summary>A transaction id of the reader's own, in a transaction that commits at once: higher than every id given out before.</summary>
    private async Task<long> NewTransactionIdAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("select pg_current_xact_id()::text::bigint");
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private readonly List<RawRow> _rows = [];

    private readonly record struct RawRow(
        long Sequence, Guid StreamId, long Version, string Municipality, string EventType, string Data,
        string? ActorId, string? ActorOffice, string? CorrelationId, string? Command, DateTime RecordedAt);

    private static RawRow Raw(NpgsqlDataReader reader, long seq) => new(
        // Columns 2.. are EventColumns.
        seq, reader.GetGuid(3), reader.GetInt64(4), reader.GetString(5), reader.GetString(6), reader.GetString(7),
        Text(reader, 8), Text(reader, 9), Text(reader, 10), Text(reader, 11), reader.GetDateTime(12));

    /// <summary>JSON to events, on every core for a large batch: in a rebuild this is most of the reading's cost.</summary>
    private StoredEvent[] Deserialize(List<RawRow> rows)
    {
        var events = new StoredEvent[rows.Count];
        if (rows.Count < 512)
        {
            for (var i = 0; i < rows.Count; i++) events[i] = ToEvent(rows[i]);
        }
        else
        {
            Parallel.For(0, Environment.ProcessorCount, part =>
            {
                var size = (rows.Count + Environment.ProcessorCount - 1) / Environment.ProcessorCount;
                for (var i = part * size; i < Math.Min(rows.Count, (part + 1) * size); i++) events[i] = ToEvent(rows[i]);
            });
        }
        return events;
    }

    private StoredEvent ToEvent(in RawRow row)
    {
        object data;
        try
        {
            data = types.Deserialize(row.EventType, row.Data);
        }
        catch (Exception e) when (e is UnknownEventTypeException or System.Text.Json.JsonException or NotSupportedException or InvalidOperationException)
        {
            data = new UnreadableEvent(row.EventType, row.Data, e.Message);
        }
        return new StoredEvent(row.Sequence, row.StreamId, row.Version, row.Municipality, row.EventType, data,
            new EventMetadata(row.ActorId, row.ActorOffice, row.CorrelationId, row.Command),
            new DateTimeOffset(row.RecordedAt, TimeSpan.Zero));
    }

    /// <summary>Forgets the gap it waits on: the caller reads from another position now.</summary>
    public void Reset()
    {
        _gap = null;
        WaitingAt = null;
    }

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
