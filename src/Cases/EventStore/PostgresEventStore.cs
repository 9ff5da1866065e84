using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Npgsql;
using NpgsqlTypes;

namespace CaseSystem.Cases.EventStore;

/// <summary>
/// The PostgreSQL event store. Appends and stream reads go through <see cref="For"/>, which
/// scopes every query to one municipality; the catch-up read across the whole log is for
/// projections and operators, and filters by municipality when asked.
/// </summary>
public sealed partial class PostgresEventStore(NpgsqlDataSource dataSource, EventTypeRegistry types, AppendNotifier? notifier = null)
{
    public EventTypeRegistry Types { get; } = types;

    public TenantEventStore For(string municipality)
    {
        if (!MunicipalitySlug().IsMatch(municipality))
        {
            throw new ArgumentException($"'{municipality}' is not a municipality slug (lower-case letters, digits, '-')", nameof(municipality));
        }
        return new TenantEventStore(this, municipality);
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{1,39}$")]
    private static partial Regex MunicipalitySlug();

    /// <summary>
    /// Events with a global sequence above <paramref name="after"/>, in sequence order, at most
    /// <paramref name="batchSize"/> of them. A plain read of what is committed now: a sequence
    /// number below the last one returned may still be filled by a transaction in flight, which
    /// the projection runner, not this read, has to account for.
    /// </summary>
    public async Task<IReadOnlyList<StoredEvent>> ReadBatchAsync(long after, int batchSize, string? municipality = null, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        await using var cmd = dataSource.CreateCommand(
            $"select {EventColumns} from event_store.events e " +
            "where e.seq_id > $1 and ($3::text is null or e.municipality = $3) order by e.seq_id limit $2");
        cmd.Parameters.Add(new() { Value = after, NpgsqlDbType = NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new() { Value = batchSize, NpgsqlDbType = NpgsqlDbType.Integer });
        cmd.Parameters.Add(new() { Value = (object?)municipality ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        return await ReadEventsAsync(cmd, ct);
    }

    /// <summary>All events above <paramref name="after"/>, read in batches until the end of the log as it is now.</summary>
    public async IAsyncEnumerable<IReadOnlyList<StoredEvent>> ReadAllAsync(
        long after = 0, int batchSize = 1000, string? municipality = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        while (true)
        {
            var batch = await ReadBatchAsync(after, batchSize, municipality, ct);
            if (batch.Count == 0) yield break;
            yield return batch;
            after = batch[^1].Sequence;
            if (batch.Count < batchSize) yield break;
        }
    }

    /// <summary>Walks every stream's hash chain (of one municipality, or of all) and names where each first breaks.</summary>
    public Task<ChainVerification> VerifyAllAsync(string? municipality = null, CancellationToken ct = default) =>
        VerifyAsync(municipality, null, ct);

    internal const string EventColumns =
        "e.seq_id, e.stream_id, e.version, e.municipality, e.type, e.data::text, e.actor_id, e.actor_office, " +
        "e.correlation_id, e.causation_id, e.idempotency_key, e.command, e.recorded_at";

    internal async Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        var events = new List<StoredEvent>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var type = reader.GetString(4);
            events.Add(new StoredEvent(
                Sequence: reader.GetInt64(0),
                StreamId: reader.GetGuid(1),
                Version: reader.GetInt64(2),
                Municipality: reader.GetString(3),
                EventType: type,
                Data: Types.Deserialize(type, reader.GetString(5)),
                Metadata: new EventMetadata(
                    ActorId: NullableString(reader, 6),
                    ActorOffice: NullableString(reader, 7),
                    CorrelationId: reader.IsDBNull(8) ? null : reader.GetGuid(8),
                    CausationId: reader.IsDBNull(9) ? null : reader.GetGuid(9),
                    IdempotencyKey: NullableString(reader, 10),
                    Command: NullableString(reader, 11)),
                RecordedAt: new DateTimeOffset(reader.GetDateTime(12), TimeSpan.Zero)));
        }
        return events;
    }

    internal async Task<AppendResult> AppendAsync(
        string municipality, Guid streamId, ExpectedVersion expected, IReadOnlyList<object> events, EventMetadata metadata,
        IReadOnlyList<TimerSchedule> timers, CancellationToken ct)
    {
        if (events.Count == 0) throw new ArgumentException("append needs at least one event", nameof(events));
        var typeNames = new string[events.Count];
        var data = new string[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            typeNames[i] = Types.NameOf(events[i].GetType());
            data[i] = Types.Serialize(events[i]);
        }

        // "Any" that loses a race simply tries again on the new head; a few rounds suffice for
        // any realistic contention on one case.
        for (var attempt = 1; ; attempt++)
        {
            var (outcome, actual) = await TryAppendAsync(municipality, streamId, expected, typeNames, data, metadata, timers, ct);
            if (outcome is not null)
            {
                if (!outcome.Repeated) notifier?.Appended(outcome.LastSequence);
                return outcome;
            }
            if (expected != ExpectedVersion.Any || attempt == 10)
            {
                throw new ConcurrencyException(streamId, expected, actual ?? await CurrentVersionAsync(municipality, streamId, ct));
            }
        }
    }

    /// <summary>
    /// The append statement once. No outcome when the version was not the expected one (with the
    /// version found) or when a concurrent writer took it first (with no version: ask again).
    /// </summary>
    private async Task<(AppendResult? Outcome, string? ActualVersion)> TryAppendAsync(
        string municipality, Guid streamId, ExpectedVersion expected, string[] typeNames, string[] data, EventMetadata metadata,
        IReadOnlyList<TimerSchedule> timers, CancellationToken ct)
    {
        try
        {
            if (expected.Value > 0 && typeNames.Length == 1 && timers.Count == 0)
            {
                await using var fast = AppendCommand(AppendSql.OneEventAtVersion, municipality, streamId, expected, typeNames[0], data[0], metadata);
                if (await fast.ExecuteScalarAsync(ct) is long seq)
                {
                    return (new AppendResult(streamId, expected.Value + 1, expected.Value + 1, seq, Repeated: false), null);
                }
            }

            await using var cmd = AppendCommand(AppendSql.For(typeNames.Length), municipality, streamId, expected, typeNames, data, metadata);
            cmd.Parameters.Add(new() { Value = timers.Select(t => t.Kind).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            cmd.Parameters.Add(new() { Value = timers.Select(t => t.DueAt.UtcDateTime).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            return reader.GetString(0) switch
            {
                "appended" => (new AppendResult(streamId, reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), Repeated: false), null),
                "repeated" => (new AppendResult(streamId, reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), Repeated: true), null),
                "other-municipality" => throw new StreamNotFoundException(streamId, municipality),
                _ => (null, reader.GetInt64(4).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            };
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "events_stream_version_key")
        {
            // A concurrent writer took the version; it may have been an earlier send of this very
            // command, whose outcome is then this one's.
            if (metadata.IdempotencyKey is { } key && await PriorOutcomeAsync(municipality, streamId, key, ct) is { } earlier)
            {
                return (earlier, null);
            }
            return (null, null);
        }
    }

    /// <summary>The append's parameters: <paramref name="typeNames"/> and <paramref name="data"/> are arrays for the full statements, a single string for the fast path.</summary>
    private NpgsqlCommand AppendCommand(
        string sql, string municipality, Guid streamId, ExpectedVersion expected, object typeNames, object data, EventMetadata metadata)
    {
        var array = typeNames is string[] ? NpgsqlDbType.Array : 0;
        var cmd = dataSource.CreateCommand(sql);
        cmd.Parameters.Add(Text(municipality));
        cmd.Parameters.Add(Uuid(streamId));
        cmd.Parameters.Add(new() { Value = expected.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new() { Value = typeNames, NpgsqlDbType = array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = data, NpgsqlDbType = array | NpgsqlDbType.Jsonb });
        cmd.Parameters.Add(Text(metadata.ActorId));
        cmd.Parameters.Add(Text(metadata.ActorOffice));
        cmd.Parameters.Add(Uuid(metadata.CorrelationId));
        cmd.Parameters.Add(Uuid(metadata.CausationId));
        cmd.Parameters.Add(Text(metadata.IdempotencyKey));
        cmd.Parameters.Add(Text(metadata.Command));
        return cmd;
    }

    private async Task<string> CurrentVersionAsync(string municipality, Guid streamId, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            "select max(version) from event_store.events where stream_id = $1 and municipality = $2");
        cmd.Parameters.Add(Uuid(streamId));
        cmd.Parameters.Add(Text(municipality));
        return (await cmd.ExecuteScalarAsync(ct)) is long version
            ? version.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : "0";
    }

    private async Task<AppendResult?> PriorOutcomeAsync(string municipality, Guid streamId, string key, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            "select min(version), max(version), max(seq_id) from event_store.events " +
            "where stream_id = $1 and municipality = $2 and idempotency_key = $3 having count(*) > 0");
        cmd.Parameters.Add(Uuid(streamId));
        cmd.Parameters.Add(Text(municipality));
        cmd.Parameters.Add(Text(key));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new AppendResult(streamId, reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), Repeated: true)
            : null;
    }

    internal async Task<StreamSlice> ReadStreamAsync(
        string municipality, Guid streamId, long? toVersion, DateTimeOffset? asOf, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            $"select {EventColumns} from event_store.events e " +
            "where e.stream_id = $1 and e.municipality = $2 " +
            "and ($3::bigint is null or e.version <= $3) and ($4::timestamptz is null or e.recorded_at <= $4) " +
            "order by e.version");
        cmd.Parameters.Add(Uuid(streamId));
        cmd.Parameters.Add(Text(municipality));
        cmd.Parameters.Add(new() { Value = (object?)toVersion ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new() { Value = (object?)asOf?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        var events = await ReadEventsAsync(cmd, ct);
        if (events.Count == 0 && !await StreamExistsAsync(municipality, streamId, ct))
        {
            throw new StreamNotFoundException(streamId, municipality);
        }
        return new StreamSlice(streamId, municipality, events.Count == 0 ? 0 : events[^1].Version, events);
    }

    private async Task<bool> StreamExistsAsync(string municipality, Guid streamId, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            "select exists (select 1 from event_store.streams where id = $1 and municipality = $2)");
        cmd.Parameters.Add(Uuid(streamId));
        cmd.Parameters.Add(Text(municipality));
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    internal async Task<ChainVerification> VerifyAsync(string? municipality, Guid? streamId, CancellationToken ct)
    {
        // Streams and events in one ordered pass. The outer joins keep what must not exist: an
        // event whose stream has no row, a stream row without events.
        await using var cmd = dataSource.CreateCommand(streamId is null
            ? "select coalesce(e.stream_id, s.id), s.municipality, " + VerifyColumns +
              " from event_store.events e full join event_store.streams s on s.id = e.stream_id" +
              " where $1::text is null or coalesce(s.municipality, e.municipality) = $1 order by 1, e.version"
            : "select k.id, s.municipality, " + VerifyColumns +
              " from (select $2::uuid as id) k left join event_store.streams s on s.id = k.id" +
              " left join event_store.events e on e.stream_id = k.id order by e.version");
        cmd.Parameters.Add(Text(municipality));
        cmd.Parameters.Add(Uuid(streamId));

        var breaks = new List<ChainBreak>();
        long streams = 0, eventsChecked = 0;
        StreamChainWalker? walker = null;
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var id = reader.GetGuid(0);
                var streamMunicipality = NullableString(reader, 1);
                var owner = streamMunicipality ?? NullableString(reader, 4);
                if (streamId is not null && (owner is null || (municipality is not null && owner != municipality)))
                {
                    throw new StreamNotFoundException(id, municipality ?? "(any)");
                }
                if (walker is null || walker.StreamId != id)
                {
                    if (walker?.Finish() is { } b) breaks.Add(b);
                    walker = new StreamChainWalker(id, streamMunicipality);
                    streams++;
                }
                if (reader.IsDBNull(2)) continue;
                eventsChecked++;
                walker.Accept(new RawEvent(
                    Sequence: reader.GetInt64(2),
                    StreamId: id,
                    Version: reader.GetInt64(3),
                    Municipality: reader.GetString(4),
                    EventType: reader.GetString(5),
                    DataText: reader.GetString(6),
                    ActorId: NullableString(reader, 7),
                    ActorOffice: NullableString(reader, 8),
                    CorrelationId: reader.IsDBNull(9) ? null : reader.GetGuid(9),
                    CausationId: reader.IsDBNull(10) ? null : reader.GetGuid(10),
                    IdempotencyKey: NullableString(reader, 11),
                    Command: NullableString(reader, 12),
                    RecordedAt: reader.GetDateTime(13),
                    Hash: (byte[])reader[14]));
            }
        }
        if (walker?.Finish() is { } last) breaks.Add(last);
        return new ChainVerification(streams, eventsChecked, breaks);
    }

    private const string VerifyColumns =
        "e.seq_id, e.version, e.municipality, e.type, e.data::text, e.actor_id, e.actor_office, e.correlation_id, " +
        "e.causation_id, e.idempotency_key, e.command, e.recorded_at, e.hash";

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static NpgsqlParameter Text(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    private static NpgsqlParameter Uuid(Guid? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid };

    /// <summary>
    /// Checks one stream's events, in version order, against their stored hashes. What it cannot
    /// see: the newest events of a stream removed, which leaves a shorter chain that holds. That
    /// needs the chains' heads anchored outside the database.
    /// </summary>
    private sealed class StreamChainWalker(Guid streamId, string? streamMunicipality)
    {
        private long _nextVersion = 1;
        private byte[]? _previous;
        private ChainBreak? _break;

        public Guid StreamId { get; } = streamId;

        public void Accept(RawEvent e)
        {
            if (_break is not null) return;
            _break = e switch
            {
                _ when streamMunicipality is null =>
                    new ChainBreak(StreamId, e.Version, e.Sequence, "the event's stream has no record"),
                _ when e.Version != _nextVersion =>
                    new ChainBreak(StreamId, _nextVersion, null, $"event version {_nextVersion} is missing"),
                _ when e.Municipality != streamMunicipality =>
                    new ChainBreak(StreamId, e.Version, e.Sequence, "the event's municipality is not its stream's"),
                _ when !HashChain.Next(_previous, e).AsSpan().SequenceEqual(e.Hash) =>
                    new ChainBreak(StreamId, e.Version, e.Sequence, "the stored event no longer matches its hash"),
                _ => null,
            };
            _previous = e.Hash;
            _nextVersion++;
        }

        public ChainBreak? Finish() =>
            _break ?? (_nextVersion == 1 ? new ChainBreak(StreamId, 1, null, "the stream has no events") : null);
    }
}

/// <summary>The event store as one municipality sees it: no query here can reach another's streams.</summary>
public sealed class TenantEventStore
{
    private readonly PostgresEventStore _store;

    internal TenantEventStore(PostgresEventStore store, string municipality)
    {
        _store = store;
        Municipality = municipality;
    }

    public string Municipality { get; }

    /// <summary>Appends the events, and sets the timers they set, in one transaction: both or neither.</summary>
    public Task<AppendResult> AppendAsync(
        Guid streamId, ExpectedVersion expected, IReadOnlyList<object> events, EventMetadata? metadata = null,
        IReadOnlyList<TimerSchedule>? timers = null, CancellationToken ct = default) =>
        _store.AppendAsync(Municipality, streamId, expected, events, metadata ?? new EventMetadata(), timers ?? [], ct);

    /// <summary>The whole stream, or up to a version, or as it stood at a moment (events recorded at or before it).</summary>
    public Task<StreamSlice> ReadStreamAsync(
        Guid streamId, long? toVersion = null, DateTimeOffset? asOf = null, CancellationToken ct = default) =>
        _store.ReadStreamAsync(Municipality, streamId, toVersion, asOf, ct);

    public Task<IReadOnlyList<StoredEvent>> ReadBatchAsync(long after, int batchSize, CancellationToken ct = default) =>
        _store.ReadBatchAsync(after, batchSize, Municipality, ct);

    public Task<ChainVerification> VerifyStreamAsync(Guid streamId, CancellationToken ct = default) =>
        _store.VerifyAsync(Municipality, streamId, ct);

    public Task<ChainVerification> VerifyAllAsync(CancellationToken ct = default) =>
        _store.VerifyAsync(Municipality, null, ct);
}
