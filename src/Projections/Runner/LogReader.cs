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
/// numbers out in one order: CACHE 1), and the append statement takes its transaction id before
/// it takes a number (AppendSql.cs). The transaction that committed s did so before this read's
/// snapshot was taken. So the holder of g had its transaction id before that snapshot too: in
/// that snapshot it is either listed as running, or it has ended; if it ended by committing, its
/// row is visible to the same snapshot, and it is not, so it ended by rolling back. Hence: g can
/// still appear only if a transaction running at the snapshot commits it. The read returns its
/// own snapshot's xmin and xmax, taken by pg_current_snapshot() in the very statement that reads
/// the events: under READ COMMITTED each statement runs on one snapshot, and the function
/// reports that statement's snapshot, so the rows and the transaction list agree. A snapshot's
/// xmax is one past the newest transaction id it knows; every id below it not listed as running
/// had ended. Once a later snapshot's xmin (its oldest running transaction) has reached the
/// first snapshot's xmax, every transaction that could have held g has ended, and that later
/// snapshot shows every one that committed: if g is still missing in it, g will never exist.
/// </para>
/// <para>
/// So a gap costs nothing when the snapshot showed no transaction running (xmin = xmax: settled
/// at once), waits only for the transactions that were running when it was first seen (never
/// for ones that started later: the xmax to wait for is kept from the first sighting, so a busy
/// store cannot postpone it forever), and never passes a number that could still be committed.
/// What can hold a gap open is a transaction that was running at the first sighting and stays
/// open: any such transaction could be the one holding the number, as far as any snapshot can
/// tell. The runner reports such a wait in its status instead of skipping. A snapshot lists the
/// running transactions of the whole cluster, not of this database alone, so on a shared server
/// a gap may also wait for another database's transactions: a short wait, never a wrong pass.
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
    // snapshot's xmin reaches WaitForXmax.
    private (long GapEnd, long WaitForXmax)? _gap;

    /// <summary>The sequence number the reader is waiting on, if it is waiting on a gap.</summary>
    public long? WaitingAt { get; private set; }

    public async Task<LogRead> ReadAsync(long after, int batchSize, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(ReadSql);
        cmd.Parameters.Add(new() { Value = after, NpgsqlDbType = NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new() { Value = batchSize, NpgsqlDbType = NpgsqlDbType.Integer });
        await using var reader = await cmd.ExecuteReaderAsync(ct);

        // One list per reader, reused: a batch of rows is a large object, and allocating one per
        // batch would set off a full collection every few batches in a rebuild.
        var rows = _rows;
        rows.Clear();
        long xmin = 0, xmax = 0;
        while (await reader.ReadAsync(ct))
        {
            (xmin, xmax) = (reader.GetInt64(0), reader.GetInt64(1));
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

        var expected = after + 1;
        var waiting = false;
        var take = 0;
        foreach (var row in rows)
        {
            if (row.Sequence != expected)
            {
                var gapEnd = row.Sequence - 1;
                if (_gap is { } known && gapEnd <= known.GapEnd)
                {
                    if (xmin < known.WaitForXmax) { waiting = true; break; }
                }
                else if (xmin < xmax)
                {
                    _gap = (gapEnd, xmax);
                    waiting = true;
                    break;
                }
                // Settled: numbers expected..gapEnd will never be committed.
            }
            take++;
            expected = row.Sequence + 1;
        }
        if (take < rows.Count) rows.RemoveRange(take, rows.Count - take);
        if (_gap is { } g && expected > g.GapEnd) _gap = null;
        WaitingAt = waiting ? expected : null;
        var events = Deserialize(rows);
        rows.Clear();
        return new LogRead(events, expected - 1, waiting);
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
