using System.Text.Json;
using CaseSystem.Cases.Store;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten;
using Npgsql;
using NpgsqlTypes;

namespace CaseSystem.Projections.Daemon;

/// <summary>
/// A read model as the daemon runs it: its position in the log, how far behind the head it is (in
/// events and in seconds since the oldest event it has not applied was recorded), the daemon's
/// state of its shard (written by the owning process: running, paused, stopped), why it paused,
/// which process owns it (the session holding its HotCold lock) and its dead letters.
/// </summary>
public sealed record ProjectionStatus(
    string Name,
    uint Version,
    string Shard,
    string? State,
    long Position,
    long Head,
    long LagEvents,
    double LagSeconds,
    DateTimeOffset? UpdatedAt,
    string? Owner,
    string? PauseReason,
    long? FailedAt,
    long DeadLetters);

/// <summary>An event a read model could not apply, set aside by the daemon.</summary>
public sealed record ParkedEvent(string Name, long Sequence, string? Municipality, Guid? CaseId, string? EventType, string Error, DateTimeOffset ParkedAt);

/// <summary>The operators' commands, carried out by the process that owns the read model's shard.</summary>
public enum ProjectionCommand
{
    /// <summary>Marten's rebuild: the tables are emptied and the whole log replayed into them.</summary>
    Rebuild,

    /// <summary>Starts a paused or stopped shard again where it stopped.</summary>
    Resume,

    /// <summary>Folds the cases of the dead letters anew from their whole streams (after a fix) and clears the letters.</summary>
    Replay,
}

/// <summary>
/// The operators' view of the read models over Marten's daemon tables (mt_event_progression,
/// mt_doc_deadletterevent), readable from any process, and their commands, which go to the
/// process that owns the shard by NOTIFY (<see cref="ProjectionControl"/>).
/// <para>
/// A read model's shard serves every municipality: a municipality's admin sees and replays the
/// dead letters of its own cases only (<c>municipality</c>), and the system operator, on the host
/// (ops/projections), all of them (null). Issue 14: an admin of one municipality could replay or
/// skip another's events.
/// </para>
/// </summary>
public sealed class ProjectionAdmin(IDocumentStore store, NpgsqlDataSource db, ReadModels models, IProjectionCoordinator? coordinator = null)
{
    public const string Channel = "projections_control";

    /// <summary>Every read model's status; the dead letters counted are the municipality's (all when null).</summary>
    public async Task<IReadOnlyList<ProjectionStatus>> StatusAsync(string? municipality = null, CancellationToken ct = default)
    {
        var all = models.All;
        var schema = store.Options.Events.DatabaseSchemaName;
        var lockId = ((StoreOptions)store.Options).Projections.DaemonLockId;
        await using var cmd = db.CreateCommand($"""
            with head as (select coalesce(max(seq_id), 0) as seq from {schema}.mt_events)
            select s.shard, coalesce(p.last_seq_id, 0), h.seq, greatest(h.seq - coalesce(p.last_seq_id, 0), 0),
                   coalesce(extract(epoch from now() - (
                       select e.timestamp from {schema}.mt_events e where e.seq_id > coalesce(p.last_seq_id, 0) order by e.seq_id limit 1)), 0)::float8,
                   p.last_updated, p.agent_status, p.pause_reason, p.failure_event_sequence,
                   (select a.application_name || ' (pid ' || a.pid || ')'
                      from pg_locks l join pg_stat_activity a on a.pid = l.pid
                     where l.locktype = 'advisory' and l.granted and l.classid = 0 and l.objsubid = 1 and l.objid = s.lock_id::oid
                       and l.database = (select oid from pg_database where datname = current_database())
                     limit 1)
            from unnest($1::text[], $2::bigint[]) with ordinality as s(shard, lock_id, n)
            cross join head h
            left join {schema}.mt_event_progression p on p.name = s.shard
            order by s.n
            """);
        cmd.Parameters.Add(new() { Value = all.Select(m => m.Shard.Identity).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new()
        {
            Value = all.Select(m => (long)ProjectionLockIds.Compute(schema, m.Shard, lockId)).ToArray(),
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint,
        });
        var letters = await DeadLetterCountsAsync(municipality, ct);
        var rows = new List<ProjectionStatus>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        for (var i = 0; await reader.ReadAsync(ct); i++)
        {
            var model = all[i];
            var owner = reader.IsDBNull(9) ? null : reader.GetString(9);
            rows.Add(new ProjectionStatus(
                model.Name, model.Version, reader.GetString(0),
                State(model, owner, reader.IsDBNull(6) ? null : reader.GetString(6)),
                reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), Math.Round(reader.GetDouble(4), 3),
                reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
                owner,
                reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.IsDBNull(8) ? null : reader.GetInt64(8),
                letters.GetValueOrDefault(model.Name)));
        }
        return rows;
    }

    /// <summary>
    /// The shard's state: from this process's daemon when it runs the shard; else as the daemon
    /// last wrote it to mt_event_progression (Marten writes only the transitions, and not before
    /// the shard's first progress, so a shard with an owner and no state written is running). With
    /// no owner the written state may be a dead process's last word: the page says "no owner".
    /// </summary>
    private string? State(IReadModel model, string? owner, string? written)
    {
        var agent = coordinator?.DaemonForMainDatabase().CurrentAgents().FirstOrDefault(a => a.Name.Identity == model.Shard.Identity);
        if (agent is not null) return agent.Status.ToString().ToLowerInvariant();
        return written?.ToLowerInvariant() ?? (owner is null ? null : "running");
    }

    private async Task<Dictionary<string, long>> DeadLetterCountsAsync(string? municipality, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var names = await Letters(session, municipality).Select(d => d.ProjectionName).ToListAsync(ct);
        return names.GroupBy(n => n).ToDictionary(g => g.Key, g => (long)g.Count());
    }

    /// <summary>The dead letters of the municipality's events (every municipality's when null).</summary>
    private static IQueryable<DeadLetterEvent> Letters(IQuerySession session, string? municipality) =>
        municipality is null ? session.Query<DeadLetterEvent>() : session.Query<DeadLetterEvent>().Where(d => d.TenantId == municipality);

    public async Task<IReadOnlyList<ParkedEvent>> DeadLettersAsync(string name, string? municipality = null, CancellationToken ct = default)
    {
        // A member's name stands for its group, whose shard the letters are set aside by.
        var projection = Known(name).Name;
        await using var session = store.QuerySession();
        var letters = await Letters(session, municipality).Where(d => d.ProjectionName == projection).ToListAsync(ct);
        var cases = await CasesOfAsync(letters.Select(l => l.EventSequence), ct);
        return [.. letters.OrderBy(l => l.EventSequence).Select(l =>
        {
            var found = cases.TryGetValue(l.EventSequence, out var c);
            return new ParkedEvent(l.ProjectionName, l.EventSequence, l.TenantId, found ? c.CaseId : null, found ? c.Type : null,
                l.ExceptionMessage, l.Timestamp);
        })];
    }

    /// <summary>
    /// Asks the process that owns the read model's shard to carry out the command (NOTIFY; it acts
    /// at once); a replay for a municipality replays its dead letters only.
    /// </summary>
    public async Task RequestAsync(ProjectionCommand command, string name, string? municipality = null, CancellationToken ct = default)
    {
        Known(name);
        await using var cmd = db.CreateCommand("select pg_notify($1, $2)");
        cmd.Parameters.AddWithValue(Channel);
        cmd.Parameters.AddWithValue(JsonSerializer.Serialize(new ControlMessage(command, name, municipality)));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    internal sealed record ControlMessage(ProjectionCommand Command, string Name, string? Municipality = null);

    /// <summary>The municipality whose event this is; null when the log has no such event.</summary>
    public async Task<string?> MunicipalityOfAsync(long sequence, CancellationToken ct = default) =>
        (await CasesOfAsync([sequence], ct)).TryGetValue(sequence, out var c) ? c.Municipality : null;

    /// <summary>
    /// Folds the cases of the read model's dead letters anew from their whole streams and writes
    /// the result over the rows it holds for them; then the letters go. Run by the shard's owner
    /// with the shard stopped, so no page of the daemon writes the same cases meanwhile.
    /// Returns how many cases were folded anew.
    /// </summary>
    public async Task<int> ReplayDeadLettersAsync(string name, string? municipality = null, CancellationToken ct = default)
    {
        var model = Known(name);
        List<DeadLetterEvent> letters;
        await using (var query = store.QuerySession())
        {
            letters = [.. await Letters(query, municipality).Where(d => d.ProjectionName == model.Name).ToListAsync(ct)];
        }
        if (letters.Count == 0) return 0;
        var cases = await CasesOfAsync(letters.Select(l => l.EventSequence), ct);
        var refolded = 0;
        foreach (var tenant in cases.Values.DistinctBy(c => c.CaseId).GroupBy(c => c.Municipality))
        {
            await using var session = store.LightweightSession(tenant.Key);
            var events = new List<IEvent>();
            foreach (var c in tenant) events.AddRange(await session.Events.FetchStreamAsync(c.CaseId, token: ct));
            await model.RefoldAsync(session, events, ct);
            refolded += tenant.Count();
        }
        await using (var session = store.LightweightSession())
        {
            foreach (var letter in letters) session.Delete(letter);
            await session.SaveChangesAsync(ct);
        }
        return refolded;
    }

    /// <summary>The case, municipality and event type of each logged event sequence.</summary>
    private async Task<Dictionary<long, (Guid CaseId, string Municipality, string Type)>> CasesOfAsync(IEnumerable<long> sequences, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"select seq_id, stream_id, tenant_id, type from {CaseStore.Schema}.mt_events where seq_id = any($1)");
        cmd.Parameters.Add(new() { Value = sequences.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        var found = new Dictionary<long, (Guid, string, string)>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) found[reader.GetInt64(0)] = (reader.GetGuid(1), reader.GetString(2), reader.GetString(3));
        return found;
    }

    public IReadModel? Find(string name) => models.Named(name);

    public IReadModel Known(string name) =>
        models.Named(name)
        ?? throw new ArgumentException($"no read model is named '{name}' (known: {string.Join(", ", models.All.Select(m => m.Name))})", nameof(name));
}
