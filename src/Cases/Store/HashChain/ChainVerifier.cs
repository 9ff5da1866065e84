using Npgsql;
using NpgsqlTypes;

namespace CaseSystem.Cases.Store.HashChain;

/// <summary>
/// Walks the hash chains of a municipality's cases (a page at a time, or all of them), of one
/// case, or of the whole store, and names where each first breaks: an edited event, a missing
/// version, an event moved to another municipality, an event without its stream or without its
/// link, a stream without events. The chain alone cannot see a case's newest events deleted
/// together with their links, nor a case rewritten with its links recomputed: both leave a chain
/// that holds. With anchors (<see cref="AnchorLedger"/>), each case is also compared with its
/// newest anchored head: the anchored version gone is a truncation, another hash there a
/// rewrite, a case anchored but no longer there one whose every event was deleted.
/// </summary>
public sealed class ChainVerifier(NpgsqlDataSource dataSource, AnchorLedger? anchors = null)
{
    /// <summary>A page of the municipality-wide check: 1,000 cases unless asked, at most 5,000.</summary>
    public const int DefaultPage = 1_000;

    public const int MaxPage = 5_000;

    private static readonly string S = CaseStore.Schema;

    /// <summary>Every case of the municipality (page after page), or, without one, the whole store in one pass: for tools and tests, never a request.</summary>
    public async Task<ChainVerification> VerifyAllAsync(string? municipality = null, CancellationToken ct = default)
    {
        var state = anchors?.Read();
        if (municipality is null) return await WalkAsync(WholeStoreSql, null, null, null, null, state, h => true, ct);
        var pages = new List<ChainVerification>();
        Guid? after = null;
        do
        {
            pages.Add(await PageAsync(municipality, after, MaxPage, state, ct));
            after = pages[^1].Next;
        }
        while (after is not null);
        return pages[^1] with
        {
            StreamsChecked = pages.Sum(p => p.StreamsChecked),
            EventsChecked = pages.Sum(p => p.EventsChecked),
            Breaks = [.. pages.SelectMany(p => p.Breaks)],
            AnchorBreaks = [.. pages.SelectMany(p => p.AnchorBreaks)],
        };
    }

    /// <summary>
    /// The municipality's cases with ids after <paramref name="after"/> (in PostgreSQL's uuid
    /// order), at most <paramref name="limit"/> of them, with whatever else lies in that range of
    /// ids (events or links without their stream); <see cref="ChainVerification.Next"/> continues.
    /// </summary>
    public Task<ChainVerification> VerifyPageAsync(string municipality, Guid? after, int limit, CancellationToken ct = default) =>
        PageAsync(municipality, after, limit, anchors?.Read(), ct);

    /// <summary>One case's chain; null when the municipality has no such case (and never had one anchored).</summary>
    public async Task<ChainVerification?> VerifyStreamAsync(string municipality, Guid streamId, CancellationToken ct = default)
    {
        var result = await WalkAsync(ScopedSql("stream_id = $3", "id = $3"), municipality, streamId, null, null, anchors?.Read(),
            h => h.Case == streamId && h.Municipality == municipality, ct);
        return result.StreamsChecked == 0 && result.AnchorBreaks.Count == 0 ? null : result;
    }

    private async Task<ChainVerification> PageAsync(string municipality, Guid? after, int limit, AnchorState? state, CancellationToken ct)
    {
        // The page ends at the limit-th stream of the municipality after the cursor; the last page is open-ended.
        // (Statements are prepared after a few uses: each shape has its own text rather than "$2 is null or …", which a generic plan could not use an index for.)
        await using var bound = dataSource.CreateCommand(
            $"select id from {S}.mt_streams where tenant_id = $1 and {(after is null ? "true" : "id > $3")} order by id offset $2 limit 1");
        bound.Parameters.Add(new() { Value = municipality, NpgsqlDbType = NpgsqlDbType.Text });
        bound.Parameters.Add(new() { Value = limit - 1, NpgsqlDbType = NpgsqlDbType.Integer });
        bound.Parameters.Add(new() { Value = (object?)after ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        var upTo = await bound.ExecuteScalarAsync(ct) as Guid?;
        var sql = ScopedSql(
            $"{(after is null ? "true" : "stream_id > $3")} and {(upTo is null ? "true" : "stream_id <= $4")}",
            $"{(after is null ? "true" : "id > $3")} and {(upTo is null ? "true" : "id <= $4")}");
        var result = await WalkAsync(sql, municipality, after, upTo, (after, upTo), state, h => h.Municipality == municipality, ct);
        return result with { Next = upTo };
    }

    /// <summary>
    /// Events and links of a range of stream ids of one municipality, each side read through its
    /// own index before they are joined (a filter over the joined rows would scan the whole log).
    /// The outer joins keep what must not exist: an event without its link, a link whose event is
    /// gone, an event whose stream has no row, a stream row without events. An event moved to
    /// another municipality is looked up by its link's sequence number, only for a link without
    /// an event of this municipality (for the others the lookup is by null, which finds nothing).
    /// </summary>
    private static string ScopedSql(string range, string streamRange) => $"""
        with tombstones as (
            {TombstonesSql} and mt_streams.tenant_id = $1 and {streamRange}
        ),
        st as (
            select id, tenant_id from {S}.mt_streams where tenant_id = $1 and {streamRange} and id not in (select id from tombstones)
        ),
        c as (
            select stream_id, version, tenant_id, seq_id, hash from {S}.case_event_chain
            where {range} and (tenant_id = $1 or stream_id in (select id from st))
        ),
        e as (
            select seq_id, id, stream_id, version, tenant_id, type, user_name, correlation_id, causation_id, timestamp, headers, data
            from {S}.mt_events where tenant_id = $1 and {range} and stream_id not in (select id from tombstones)
        ),
        rows as (
            select coalesce(e.stream_id, c.stream_id) as stream_id, coalesce(e.version, c.version) as version,
                   coalesce(e.seq_id, x.seq_id) as seq_id, coalesce(e.id, x.id) as id, coalesce(e.tenant_id, x.tenant_id) as tenant_id,
                   coalesce(e.type, x.type) as type, coalesce(e.user_name, x.user_name) as user_name,
                   coalesce(e.correlation_id, x.correlation_id) as correlation_id, coalesce(e.causation_id, x.causation_id) as causation_id,
                   coalesce(e.timestamp, x.timestamp) as timestamp, coalesce(e.headers, x.headers)::text as headers,
                   coalesce(e.data, x.data)::text as data, c.hash, c.tenant_id as link_tenant
            from e full join c on c.stream_id = e.stream_id and c.version = e.version
            left join lateral (
                select * from {S}.mt_events x
                where x.seq_id = (case when e.seq_id is null then c.seq_id end) and x.stream_id = c.stream_id and x.version = c.version
            ) x on true
        )
        select coalesce(r.stream_id, st.id), st.tenant_id, r.version, r.seq_id, r.id, r.tenant_id, r.type, r.user_name,
               r.correlation_id, r.causation_id, r.timestamp, r.headers, r.data, r.hash, r.link_tenant
        from rows r
        full join st on st.id = r.stream_id
        where coalesce(st.tenant_id, r.tenant_id, r.link_tenant) = $1
        order by 1, r.version
        """;

    /// <summary>
    /// Marten's own bookkeeping, not cases ($2 is the tombstone event type). After any save that
    /// fails (a lost race), Marten establishes a tombstone stream in the session's tenant (version
    /// 0), and when the failed append had taken its sequence numbers already (its transaction failed
    /// at the commit, say), it writes a tombstone event there for each, which the chain leaves
    /// unlinked (HashChainFeature's trigger). The stream's id is drawn at random in each process
    /// (JasperFx's Tombstone.StreamId), so it is known by what it holds: version 0, no link, no
    /// event but tombstones. Any other stream is walked whole, a tombstone in it included.
    /// </summary>
    private static readonly string TombstonesSql = $"""
        select mt_streams.id from {S}.mt_streams
            where mt_streams.version = 0
              and not exists (select 1 from {S}.mt_events t where t.stream_id = mt_streams.id and t.type <> $2)
              and not exists (select 1 from {S}.case_event_chain l where l.stream_id = mt_streams.id)
        """;

    /// <summary>Every event, link and stream of every municipality in one ordered pass (no index helps; tools and tests only).</summary>
    private static readonly string WholeStoreSql = $"""
        with tombstones as ({TombstonesSql}),
        rows as (
            select coalesce(e.stream_id, c.stream_id) as stream_id, coalesce(e.version, c.version) as version,
                   e.seq_id, e.id, e.tenant_id, e.type, e.user_name, e.correlation_id, e.causation_id, e.timestamp,
                   e.headers::text as headers, e.data::text as data, c.hash, c.tenant_id as link_tenant
            from {S}.mt_events e
            full join {S}.case_event_chain c on c.stream_id = e.stream_id and c.version = e.version
            where coalesce(e.stream_id, c.stream_id) not in (select id from tombstones)
        )
        select coalesce(r.stream_id, st.id), st.tenant_id, r.version, r.seq_id, r.id, r.tenant_id, r.type, r.user_name,
               r.correlation_id, r.causation_id, r.timestamp, r.headers, r.data, r.hash, r.link_tenant
        from rows r
        full join (select id, tenant_id from {S}.mt_streams where id not in (select id from tombstones)) st on st.id = r.stream_id
        order by 1, r.version
        """;

    /// <param name="range">For a page: the anchored cases of the municipality in this range of ids that no row names were deleted whole.</param>
    private async Task<ChainVerification> WalkAsync(string sql, string? municipality, Guid? id3, Guid? id4, (Guid? After, Guid? UpTo)? range,
        AnchorState? state, Func<AnchorHead, bool> concerns, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(sql);
        cmd.Parameters.Add(new() { Value = (object?)municipality ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        // Marten's tombstone streams are known by their events' type (TombstonesSql).
        cmd.Parameters.Add(new() { Value = HashChainFeature.TombstoneType, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = (object?)id3 ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        cmd.Parameters.Add(new() { Value = (object?)id4 ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });

        var breaks = new List<ChainBreak>();
        var anchorBreaks = new List<AnchorBreak>();
        var walked = new HashSet<Guid>();
        long events = 0;
        StreamWalker? walker = null;
        void Finish()
        {
            if (walker is null) return;
            if (walker.Finish() is { } b) breaks.Add(b);
            if (walker.FinishAnchor() is { } a) anchorBreaks.Add(a);
        }
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                var id = r.GetGuid(0);
                if (walker is null || walker.StreamId != id)
                {
                    Finish();
                    walker = new StreamWalker(id, Text(r, 1), state is not null && state.TryGetHead(id, out var head) ? head : null);
                    walked.Add(id);
                }
                if (r.IsDBNull(2)) continue;
                var version = r.GetInt64(2);
                var link = r.IsDBNull(13) ? null : (byte[])r[13];
                if (r.IsDBNull(3))
                {
                    walker.Missing(version, "the event was deleted", link);
                    continue;
                }
                events++;
                var row = new StoredEventRow(r.GetInt64(3), r.GetGuid(4), id, version, r.GetString(5), r.GetString(6), Text(r, 7),
                    Text(r, 8), Text(r, 9), r.GetDateTime(10), Text(r, 11), r.GetString(12));
                walker.Accept(row, link, Text(r, 14));
            }
        }
        Finish();

        if (state is not null)
        {
            // Cases anchored but without a single row left: deleted whole.
            IEnumerable<Guid> anchored = (municipality, range) switch
            {
                (null, _) => state.Cases(null),
                (_, { } page) => state.CasesBetween(municipality, page.After, page.UpTo),
                _ => id3 is { } one ? new[] { one } : Array.Empty<Guid>(),
            };
            foreach (var id in anchored)
            {
                if (!walked.Contains(id) && state.TryGetHead(id, out var head) && (municipality is null || head.Municipality == municipality))
                {
                    anchorBreaks.Add(AnchorBreak.Truncated(id, head, 0));
                }
            }
        }
        return new ChainVerification(walked.Count, events, breaks)
        {
            AnchorBreaks = anchorBreaks,
            Anchors = state is null ? null : AnchorReport.Of(state, concerns),
        };
    }

    private static string? Text(NpgsqlDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    private sealed class StreamWalker(Guid streamId, string? streamTenant, AnchoredHead? anchored)
    {
        private long _nextVersion = 1;
        private byte[]? _previous;
        private ChainBreak? _break;
        private long _newestEvent;
        private byte[]? _linkAtAnchored;

        public Guid StreamId { get; } = streamId;

        public void Missing(long version, string why, byte[]? link)
        {
            _break ??= new ChainBreak(StreamId, version, null, $"event version {version} is missing ({why})");
            _nextVersion = version + 1;
            if (version == anchored?.Version) _linkAtAnchored = link;
        }

        public void Accept(StoredEventRow e, byte[]? link, string? linkTenant)
        {
            if (_break is null)
            {
                _break = e switch
                {
                    _ when streamTenant is null => new(StreamId, e.Version, e.Sequence, "the event's stream has no record"),
                    _ when e.Version != _nextVersion => new(StreamId, _nextVersion, null, $"event version {_nextVersion} is missing"),
                    _ when e.TenantId != streamTenant || (linkTenant is not null && linkTenant != e.TenantId) =>
                        new(StreamId, e.Version, e.Sequence, "the event's municipality is not its stream's"),
                    _ when link is null => new(StreamId, e.Version, e.Sequence, "the event has no link in the chain (written around the store)"),
                    _ when !CanonicalForm.Link(_previous, e).AsSpan().SequenceEqual(link) =>
                        new(StreamId, e.Version, e.Sequence, "the stored event no longer matches its hash"),
                    _ => null,
                };
            }
            _previous = link;
            _nextVersion = e.Version + 1;
            _newestEvent = Math.Max(_newestEvent, e.Version);
            if (e.Version == anchored?.Version) _linkAtAnchored = link;
        }

        public ChainBreak? Finish() =>
            _break ?? (_nextVersion == 1 ? new ChainBreak(StreamId, 1, null, "the stream has no events") : null);

        /// <summary>The anchored version gone is a truncation; another link there, a rewrite.</summary>
        public AnchorBreak? FinishAnchor()
        {
            if (anchored is not { } head) return null;
            if (_newestEvent < head.Version) return AnchorBreak.Truncated(StreamId, head, _newestEvent);
            return _linkAtAnchored is { } link && link.AsSpan().SequenceEqual(head.Hash) ? null : AnchorBreak.Rewritten(StreamId, head, _newestEvent);
        }
    }
}
