using Npgsql;
using NpgsqlTypes;

namespace CaseSystem.Cases.Store.HashChain;

/// <summary>Where a chain first fails to hold, and why.</summary>
public sealed record ChainBreak(Guid StreamId, long Version, long? Sequence, string Reason);

public sealed record ChainVerification(long StreamsChecked, long EventsChecked, IReadOnlyList<ChainBreak> Breaks)
{
    public bool IsIntact => Breaks.Count == 0;
    public ChainBreak? FirstBreak => Breaks.Count > 0 ? Breaks[0] : null;
}

/// <summary>
/// Walks the hash chains of one municipality (or of all) or of one case, and names where each
/// first breaks: an edited event, a missing version, an event moved to another municipality, an
/// event without its stream or without its link, a stream without events. What it cannot see:
/// the newest events of a stream deleted together with their links, which leaves a shorter chain
/// that holds; that needs the chain heads anchored outside the database (not built yet).
/// </summary>
public sealed class ChainVerifier(NpgsqlDataSource dataSource)
{
    public Task<ChainVerification> VerifyAllAsync(string? municipality = null, CancellationToken ct = default) =>
        VerifyAsync(municipality, null, ct);

    /// <summary>One case's chain; null when the municipality has no such case.</summary>
    public async Task<ChainVerification?> VerifyStreamAsync(string municipality, Guid streamId, CancellationToken ct = default)
    {
        var result = await VerifyAsync(municipality, streamId, ct);
        return result.StreamsChecked == 0 ? null : result;
    }

    private async Task<ChainVerification> VerifyAsync(string? municipality, Guid? streamId, CancellationToken ct)
    {
        // Events and links in one ordered pass. The outer joins keep what must not exist: an
        // event without its link, a link whose event is gone, an event whose stream has no row,
        // a stream row without events.
        // Left out: Marten's own bookkeeping, not cases. After any save that fails (a lost race),
        // Marten establishes a tombstone stream in the session's tenant (version 0), and when the
        // failed append had taken its sequence numbers already (its transaction failed after the
        // append, at the commit say), it writes a tombstone event there for each, which the chain
        // leaves unlinked (HashChainFeature's trigger). The stream's id is drawn at random in each
        // process (JasperFx's Tombstone.StreamId), so it is known by what it holds: version 0, no
        // link, no event but tombstones. Any other stream is walked whole, a tombstone in it included.
        var s = CaseStore.Schema;
        await using var cmd = dataSource.CreateCommand($"""
            with tombstones as (
                select st.id from {s}.mt_streams st
                where st.version = 0
                  and not exists (select 1 from {s}.mt_events e where e.stream_id = st.id and e.type <> $3)
                  and not exists (select 1 from {s}.case_event_chain c where c.stream_id = st.id)
            ),
            rows as (
                select coalesce(e.stream_id, c.stream_id) as stream_id, coalesce(e.version, c.version) as version,
                       e.seq_id, e.id, e.tenant_id, e.type, e.user_name, e.correlation_id, e.causation_id, e.timestamp,
                       e.headers::text as headers, e.data::text as data, c.hash, c.tenant_id as link_tenant
                from {s}.mt_events e
                full join {s}.case_event_chain c on c.stream_id = e.stream_id and c.version = e.version
                where ($2::uuid is null or coalesce(e.stream_id, c.stream_id) = $2)
                  and coalesce(e.stream_id, c.stream_id) not in (select id from tombstones)
            )
            select coalesce(r.stream_id, st.id), st.tenant_id, r.version, r.seq_id, r.id, r.tenant_id, r.type, r.user_name,
                   r.correlation_id, r.causation_id, r.timestamp, r.headers, r.data, r.hash, r.link_tenant
            from rows r
            full join (select id, tenant_id from {s}.mt_streams where ($2::uuid is null or id = $2) and id not in (select id from tombstones)) st
              on st.id = r.stream_id
            where $1::text is null or coalesce(st.tenant_id, r.tenant_id, r.link_tenant) = $1
            order by 1, r.version
            """);
        cmd.Parameters.Add(new() { Value = (object?)municipality ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = (object?)streamId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        cmd.Parameters.Add(new() { Value = HashChainFeature.TombstoneType, NpgsqlDbType = NpgsqlDbType.Text });

        var breaks = new List<ChainBreak>();
        long streams = 0, events = 0;
        StreamWalker? walker = null;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                var id = r.GetGuid(0);
                if (walker is null || walker.StreamId != id)
                {
                    if (walker?.Finish() is { } b) breaks.Add(b);
                    walker = new StreamWalker(id, Text(r, 1));
                    streams++;
                }
                if (r.IsDBNull(2)) continue;
                var version = r.GetInt64(2);
                if (r.IsDBNull(3))
                {
                    walker.Missing(version, "the event was deleted");
                    continue;
                }
                events++;
                var row = new StoredEventRow(r.GetInt64(3), r.GetGuid(4), id, version, r.GetString(5), r.GetString(6), Text(r, 7),
                    Text(r, 8), Text(r, 9), r.GetDateTime(10), Text(r, 11), r.GetString(12));
                walker.Accept(row, r.IsDBNull(13) ? null : (byte[])r[13], Text(r, 14));
            }
        }
        if (walker?.Finish() is { } last) breaks.Add(last);
        return new ChainVerification(streams, events, breaks);
    }

    private static string? Text(NpgsqlDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    private sealed class StreamWalker(Guid streamId, string? streamTenant)
    {
        private long _nextVersion = 1;
        private byte[]? _previous;
        private ChainBreak? _break;

        public Guid StreamId { get; } = streamId;

        public void Missing(long version, string why)
        {
            _break ??= new ChainBreak(StreamId, version, null, $"event version {version} is missing ({why})");
            _nextVersion = version + 1;
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
        }

        public ChainBreak? Finish() =>
            _break ?? (_nextVersion == 1 ? new ChainBreak(StreamId, 1, null, "the stream has no events") : null);
    }
}
