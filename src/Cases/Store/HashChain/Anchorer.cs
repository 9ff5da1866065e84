using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace CaseSystem.Cases.Store.HashChain;

/// <summary>What an anchoring did: the newest anchor afterwards, and how many were written now.</summary>
public sealed record AnchorOutcome(long Written, AnchorMark? Last, IReadOnlyList<AnchorHead> Heads, IReadOnlyList<AnchorHead> Refused);

/// <summary>Another anchoring holds the lock (or the events in flight did not settle) for longer than a request should wait.</summary>
public sealed class AnchorBusyException(string message) : Exception(message);

/// <summary>
/// Makes anchors: signs the heads of the streams whose chain moved since the last anchor and
/// appends them to the anchor log. One anchoring at a time per database (a PostgreSQL advisory
/// lock; and the log's chain: each anchor names the one before it).
/// <para>
/// What "moved" means: links of events with a sequence number after the previous anchor's
/// <c>through</c> and up to a new one. That new mark must have no event still to commit below it
/// (an append that took its number and commits after the anchor would never be anchored): the
/// newest event's number is read, then every transaction of the PostgreSQL server that had a
/// transaction id by then is waited for, and once more a moment later (an append takes its number
/// and inserts within one call of Marten's append function). A transaction left open with writes
/// done (in any database of the server) holds anchoring back; after 30 s the anchoring gives up,
/// and the next one tries again. A long log is anchored in several anchors of
/// at most <see cref="MaxEventsPerAnchor"/> events each, so that no line grows without bound.
/// </para>
/// <para>
/// A stream already anchored is anchored anew only if its link at the anchored version still
/// has the anchored hash: otherwise it was rewritten or cut since, and signing its new head
/// would bless that. Such a stream keeps its old anchored head (which the verifier reports).
/// </para>
/// </summary>
public sealed class Anchorer(NpgsqlDataSource db, AnchorLedger ledger, TimeProvider clock, ILogger<Anchorer> logger)
{
    /// <summary>The advisory lock of anchoring: "CSANCHOR" in ASCII, outside the int range that Marten's and Wolverine's lock ids are taken from.</summary>
    public const long LockId = 0x4353_414E_4348_4F52;

    public const int MaxEventsPerAnchor = 50_000;

    private static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _gate = new(1, 1);

    public bool CanAnchor => ledger.Configured && ledger.Key!.CanSign;

    /// <summary>
    /// Anchors what moved since the last anchor. With <paramref name="wait"/> false (the periodic
    /// run) returns null at once when another anchoring is under way, here or in another process.
    /// </summary>
    public async Task<AnchorOutcome?> AnchorAsync(bool wait, CancellationToken ct = default)
    {
        if (!CanAnchor) throw new InvalidOperationException("anchoring is not configured, or the anchor key holds only the public key");
        if (!await _gate.WaitAsync(wait ? SettleLimit : TimeSpan.Zero, ct))
        {
            return wait ? throw new AnchorBusyException("another anchoring is under way in this process") : null;
        }
        try
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            if (!await LockAsync(conn, wait, ct)) return null;
            try
            {
                return await AnchorLockedAsync(conn, ct);
            }
            finally
            {
                await using var unlock = new NpgsqlCommand($"select pg_advisory_unlock({LockId})", conn);
                await unlock.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private static async Task<bool> LockAsync(NpgsqlConnection conn, bool wait, CancellationToken ct)
    {
        if (!wait)
        {
            await using var tryLock = new NpgsqlCommand($"select pg_try_advisory_lock({LockId})", conn);
            return (bool)(await tryLock.ExecuteScalarAsync(ct))!;
        }
        await using var cmd = new NpgsqlCommand($"set lock_timeout = '{(int)SettleLimit.TotalMilliseconds}ms'; select pg_advisory_lock({LockId}); reset lock_timeout", conn);
        try
        {
            await cmd.ExecuteNonQueryAsync(ct);
            return true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            throw new AnchorBusyException("another process has been anchoring for longer than a request waits");
        }
    }

    private async Task<AnchorOutcome> AnchorLockedAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var key = ledger.Key!;
        var log = ledger.Log!;
        var state = ledger.Read();
        var last = state.Last;
        var high = await SettledHighAsync(conn, ct);
        long written = 0;
        var heads = new List<AnchorHead>();
        var refused = new List<AnchorHead>();
        while (high > (last?.Through ?? 0))
        {
            var from = last?.Through ?? 0;
            var through = await UpToAsync(conn, from, high, ct);
            var moved = await HeadsAsync(conn, from, through, ct);
            var continuing = await ContinuingAsync(conn, moved, state, refused, ct);
            var record = new AnchorRecord((last?.Number ?? 0) + 1, clock.GetUtcNow(), through, last?.Digest, key.Id, continuing);
            var body = record.Body();
            var line = AnchorRecord.Line(body, key.Sign(body));
            log.Append(line);
            last = new AnchorMark(record.Number, record.At, through, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(line)));
            heads.AddRange(continuing);
            written++;
        }
        if (written > 0)
        {
            logger.LogInformation("anchor #{Number} written to {Log}: {Heads} case head(s) through event {Through}", last!.Number, log.Name, heads.Count, last.Through);
        }
        return new AnchorOutcome(written, last, heads, refused);
    }

    /// <summary>
    /// The highest event sequence number below which no append is still to commit: the newest
    /// event's, once every transaction that had a transaction id when it was read has ended.
    /// (A snapshot's list of running transactions leaves out the newest ones, so the wait is for
    /// the oldest running transaction to be younger than one begun after the read.)
    /// </summary>
    private static async Task<long> SettledHighAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        long high;
        await using (var cmd = new NpgsqlCommand($"select coalesce(max(seq_id), 0) from {CaseStore.Schema}.mt_events", conn))
        {
            high = (long)(await cmd.ExecuteScalarAsync(ct))!;
        }
        var deadline = DateTime.UtcNow + SettleLimit;
        // Twice: an append that had taken its number but not yet inserted (no transaction id yet) the first time has one by the second.
        for (var round = 0; round < 2; round++)
        {
            string after;
            await using (var mark = new NpgsqlCommand("select pg_current_xact_id()::text", conn))
            {
                after = (string)(await mark.ExecuteScalarAsync(ct))!;
            }
            await using var wait = new NpgsqlCommand("select pg_snapshot_xmin(pg_current_snapshot()) < $1::xid8", conn);
            wait.Parameters.Add(new() { Value = after, NpgsqlDbType = NpgsqlDbType.Text });
            while ((bool)(await wait.ExecuteScalarAsync(ct))!)
            {
                if (DateTime.UtcNow > deadline) throw new AnchorBusyException("transactions running when the anchor was begun did not finish within 30 s");
                await Task.Delay(20, ct);
            }
        }
        return high;
    }

    /// <summary>The sequence number this anchor goes up to: <paramref name="high"/>, or less so that it covers at most <see cref="MaxEventsPerAnchor"/> events.</summary>
    private static async Task<long> UpToAsync(NpgsqlConnection conn, long from, long high, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            $"select seq_id from {CaseStore.Schema}.mt_events where seq_id > $1 and seq_id <= $2 order by seq_id offset {MaxEventsPerAnchor - 1} limit 1", conn);
        cmd.Parameters.Add(new() { Value = from, NpgsqlDbType = NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new() { Value = high, NpgsqlDbType = NpgsqlDbType.Bigint });
        return await cmd.ExecuteScalarAsync(ct) is long bound ? bound : high;
    }

    /// <summary>Each moved stream's newest link in the range, found through the events' primary key (the links have no index on sequence).</summary>
    private static async Task<List<AnchorHead>> HeadsAsync(NpgsqlConnection conn, long from, long through, CancellationToken ct)
    {
        var s = CaseStore.Schema;
        await using var cmd = new NpgsqlCommand($"""
            select distinct on (c.stream_id) c.stream_id, c.tenant_id, c.version, c.hash
            from {s}.mt_events e join {s}.case_event_chain c on c.stream_id = e.stream_id and c.version = e.version
            where e.seq_id > $1 and e.seq_id <= $2
            order by c.stream_id, c.version desc
            """, conn);
        cmd.Parameters.Add(new() { Value = from, NpgsqlDbType = NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new() { Value = through, NpgsqlDbType = NpgsqlDbType.Bigint });
        var heads = new List<AnchorHead>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            heads.Add(new AnchorHead(r.GetGuid(0), string.Intern(r.GetString(1)), r.GetInt64(2), (byte[])r[3]));
        }
        return heads;
    }

    /// <summary>The moved heads whose streams still hold their anchored link; the others are left out and named.</summary>
    private async Task<List<AnchorHead>> ContinuingAsync(NpgsqlConnection conn, List<AnchorHead> moved, AnchorState state,
        List<AnchorHead> refused, CancellationToken ct)
    {
        var anchored = moved.Where(h => state.TryGetHead(h.Case, out _)).ToList();
        if (anchored.Count == 0) return moved;
        var ids = new Guid[anchored.Count];
        var versions = new long[anchored.Count];
        for (var i = 0; i < anchored.Count; i++)
        {
            state.TryGetHead(anchored[i].Case, out var head);
            (ids[i], versions[i]) = (anchored[i].Case, head.Version);
        }
        await using var cmd = new NpgsqlCommand($"""
            select a.id, c.hash from unnest($1::uuid[], $2::bigint[]) a(id, version)
            left join {CaseStore.Schema}.case_event_chain c on c.stream_id = a.id and c.version = a.version
            """, conn);
        cmd.Parameters.Add(new() { Value = ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
        cmd.Parameters.Add(new() { Value = versions, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        var broken = new HashSet<Guid>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                var id = r.GetGuid(0);
                state.TryGetHead(id, out var head);
                if (r.IsDBNull(1) || !((byte[])r[1]).AsSpan().SequenceEqual(head.Hash)) broken.Add(id);
            }
        }
        foreach (var head in moved.Where(h => broken.Contains(h.Case)))
        {
            logger.LogWarning("case {CaseId} ({Municipality}): its chain no longer holds the head anchored in anchor #{Anchor}; not anchored anew (the integrity check reports it)",
                head.Case, head.Municipality, state.TryGetHead(head.Case, out var h) ? h.Anchor : 0);
            refused.Add(head);
        }
        return broken.Count == 0 ? moved : [.. moved.Where(h => !broken.Contains(h.Case))];
    }
}
