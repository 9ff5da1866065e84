using Npgsql;

namespace CaseSystem.Projections.Runner;

public sealed record ProjectionStatus(
    string Name,
    int Generation,
    int CodeVersion,
    string State,
    string Status,
    long Checkpoint,
    long Head,
    long LagEvents,
    double LagSeconds,
    long Applied,
    string? Owner,
    long? PausedAt,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    long DeadLetters);

public sealed record DeadLetter(string Name, int Generation, long Sequence, Guid StreamId, string EventType, string Error, DateTimeOffset ParkedAt);

/// <summary>Operators' view of the projections and their commands: status, resume, rebuild.</summary>
public sealed class ProjectionAdmin(NpgsqlDataSource db, IEnumerable<IProjection> projections)
{
    /// <summary>Operators' commands NOTIFY here, so the owning process acts at once rather than at its next election.</summary>
    public const string Channel = "projections_admin";

    private readonly IReadOnlyList<IProjection> _projections = [.. projections];

    /// <summary>
    /// Every generation not yet dropped: its position, its lag behind the head of the log in
    /// events and seconds (since the oldest event it has not applied was recorded), its state,
    /// the process that owns it (from the session holding its advisory lock) and its last error.
    /// </summary>
    public async Task<IReadOnlyList<ProjectionStatus>> StatusAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            with head as (select coalesce(max(seq_id), 0) as seq from cases.mt_events)
            select g.name, g.generation, g.code_version, g.state, g.status, g.checkpoint, h.seq,
                   greatest(h.seq - g.checkpoint, 0),
                   coalesce(extract(epoch from now() - (
                       select e.timestamp from cases.mt_events e where e.seq_id > g.checkpoint order by e.seq_id limit 1)), 0)::float8,
                   g.applied,
                   (select a.application_name || ' (pid ' || a.pid || ')'
                      from pg_locks l join pg_stat_activity a on a.pid = l.pid
                     where l.locktype = 'advisory' and l.granted and l.database = (select oid from pg_database where datname = current_database())
                       and l.classid = $1::int::oid
                       and l.objid = hashtext(g.name || ':v' || g.code_version)::oid and l.objsubid = 2
                     limit 1),
                   g.paused_seq, g.last_error, g.last_error_at,
                   (select count(*) from projections.dead_letters d where d.name = g.name and d.generation = g.generation)
            from projections.generations g cross join head h
            where g.dropped_at is null
            order by g.name, g.generation
            """);
        cmd.Parameters.AddWithValue(0x50524A);
        var rows = new List<ProjectionStatus>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new ProjectionStatus(
                reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetString(3), reader.GetString(4),
                reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), Math.Round(reader.GetDouble(8), 3), reader.GetInt64(9),
                reader.IsDBNull(10) ? null : reader.GetString(10),
                reader.IsDBNull(11) ? null : reader.GetInt64(11),
                reader.IsDBNull(12) ? null : reader.GetString(12),
                reader.IsDBNull(13) ? null : reader.GetFieldValue<DateTimeOffset>(13),
                reader.GetInt64(14)));
        }
        return rows;
    }

    public async Task<IReadOnlyList<DeadLetter>> DeadLettersAsync(string name, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            "select d.name, d.generation, d.seq_id, d.stream_id, d.event_type, d.error, d.parked_at from projections.dead_letters d " +
            "join projections.generations g using (name, generation) where d.name = $1 and g.dropped_at is null order by d.generation, d.seq_id");
        cmd.Parameters.AddWithValue(name);
        var rows = new List<DeadLetter>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new DeadLetter(reader.GetString(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetGuid(3), reader.GetString(4),
                reader.GetString(5), reader.GetFieldValue<DateTimeOffset>(6)));
        }
        return rows;
    }

    /// <summary>
    /// Resumes the paused generations of a projection: they try the event they stopped at again
    /// (after a fix was deployed), or with <paramref name="skip"/> park it as a dead letter and go on.
    /// Returns how many generations were resumed.
    /// </summary>
    public async Task<int> ResumeAsync(string name, bool skip, CancellationToken ct = default)
    {
        Known(name);
        await using var cmd = db.CreateCommand("""
            update projections.generations set status = 'running',
                   skip_seq = case when $2 then paused_seq end, paused_seq = null, updated_at = now()
            where name = $1 and status = 'paused' and state <> 'retired'
            """);
        cmd.Parameters.AddWithValue(name);
        cmd.Parameters.AddWithValue(skip);
        var resumed = await cmd.ExecuteNonQueryAsync(ct);
        await NotifyAsync(name, ct);
        return resumed;
    }

    /// <summary>
    /// Starts building a new generation of the projection from the start of the log, beside the
    /// one that serves; it takes over when it has caught up. Returns the new generation's number.
    /// </summary>
    public async Task<int> RebuildAsync(string name, CancellationToken ct = default)
    {
        var projection = Known(name);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        int generation;
        await using (var next = new NpgsqlCommand(
            "select coalesce(max(generation), 0) + 1, bool_or(state = 'building') from projections.generations where name = $1", conn))
        {
            next.Parameters.AddWithValue(name);
            await using var reader = await next.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            generation = reader.GetInt32(0);
            if (!reader.IsDBNull(1) && reader.GetBoolean(1)) throw new InvalidOperationException($"{name} is being rebuilt already");
        }
        await ProjectionDaemon.CreateGenerationAsync(conn, projection, generation, "building", ct);
        await tx.CommitAsync(ct);
        await NotifyAsync(name, ct);
        return generation;
    }

    private IProjection Known(string name) =>
        _projections.FirstOrDefault(p => p.Name == name)
        ?? throw new ArgumentException($"no projection is named '{name}' (known: {string.Join(", ", _projections.Select(p => p.Name))})", nameof(name));

    private async Task NotifyAsync(string name, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("select pg_notify($1, $2)");
        cmd.Parameters.AddWithValue(Channel);
        cmd.Parameters.AddWithValue(name);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
