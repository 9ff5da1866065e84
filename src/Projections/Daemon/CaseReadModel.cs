using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;
using Npgsql;
using Weasel.Postgresql.Tables;

namespace CaseSystem.Projections.Daemon;

/// <summary>
/// A read model that keeps one state per case in tables of its own, run by Marten's async daemon.
/// The daemon hands it a page of events at a time (per municipality); it loads the stored state of
/// the page's cases in one query, folds the page in memory, and queues one set-based upsert per
/// table into the daemon's batch, which commits with the daemon's progress. Marten's aggregations
/// would read and write a document per case and event; a page here costs one read and one write
/// per table, which is what keeps a rebuild near the speed of reading the log.
/// <para>
/// An event the fold cannot apply is thrown as Marten's <see cref="ApplyEventException"/>: the
/// daemon (Errors.SkipApplyErrors) sets it aside as a dead letter and applies the page without it,
/// so one bad event stops neither other cases nor other municipalities.
/// </para>
/// <para>
/// The tables live in a schema per version (<see cref="Schema"/>: queue_board_v3): a new version
/// is built by the daemon beside the one that serves, as Marten's projection versions intend.
/// </para>
/// </summary>
public abstract class CaseReadModel<TState> : ProjectionBase, IProjection, IReadModel, IFoldsOneEvent where TState : class
{
    protected CaseReadModel(string name, uint version)
    {
        Name = name;
        Version = version;
        Schema = $"{name.Replace('-', '_')}_v{version}";
        // Events per page the daemon hands over: larger pages mean fewer loads and upserts per
        // event, at the cost of a longer transaction per page. ops/bench rebuild, 1M events,
        // 2026-12-02 (load average 3-5 on 2 cores; CPU of this process + PostgreSQL per rebuild):
        // 2000: board 11.8 s, finder 36.1 s, report 14.9 s; 4000: 8.0, 26.6, 13.5 s; 8000: board
        // 14.7 s, finder 31.4 s with 2.5 s of GC pauses (pages on the large object heap).
        Options.BatchSize = 4000;
        // How far (in sequence numbers) the daemon reads ahead of what is applied: Marten's 5000 is
        // less than the span of one page of a read model that reads a third of the log, so it read
        // nothing ahead of the page being applied. Ten pages: the queue board's rebuild at 2000
        // events a page took 35.2 s with 5000 and 14.2 s with 20000 (same run, 2026-12-02).
        Options.MaximumHopperSize = 10 * Options.BatchSize;
        // Marten's RebuildFlushThreshold is not set: it applies to its aggregations only
        // (AggregationRunner), never to an IProjection such as this.
    }

    /// <summary>
    /// The event types the fold acts on: the daemon then loads (and deserialises) only these, its
    /// query filtered by type. A type left out must be one the fold returns the state unchanged for.
    /// </summary>
    protected void Reads(params Type[] eventTypes)
    {
        foreach (var type in eventTypes) IncludeType(type);
    }

    /// <summary>The schema of this version's tables.</summary>
    public string Schema { get; }

    /// <summary>The daemon's name for this version's one shard (its row in mt_event_progression).</summary>
    public ShardName Shard => new(Name, ShardName.All, Version);

    /// <summary>This version's tables, created and migrated by Weasel with Marten's own.</summary>
    public abstract IReadOnlyList<Table> Tables { get; }

    /// <summary>A table's qualified name in this version's schema.</summary>
    protected string InSchema(string name) => $"{Schema}.{name}";

    /// <summary>A table of one row per case: keyed by the case, with its municipality; the read model adds its columns.</summary>
    protected static Table CaseTable(string qualifiedName)
    {
        var table = new Table(qualifiedName);
        table.AddColumn<Guid>("case_id").AsPrimaryKey();
        table.AddColumn("municipality", "text").NotNull();
        return table;
    }

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var caseIds = events.Select(e => e.StreamId).Distinct().ToArray();
        IReadOnlyDictionary<Guid, TState> stored;
        // The daemon runs one page after another, so the previous page's writes have committed.
        await using (var connection = operations.Database.CreateConnection())
        {
            await connection.OpenAsync(cancellation);
            stored = await LoadAsync(connection, caseIds, cancellation);
        }
        var changed = new Dictionary<Guid, TState>();
        foreach (var e in events)
        {
            var before = changed.TryGetValue(e.StreamId, out var current) ? current : stored.GetValueOrDefault(e.StreamId);
            TState? after;
            try
            {
                after = Evolve(before, e);
            }
            catch (Exception ex)
            {
                throw new FoldException(e, ex);
            }
            if (after is not null && !ReferenceEquals(before, after)) changed[e.StreamId] = after;
        }
        if (changed.Count == 0) return;
        // Tried, 2026-12-02: the page's commit not waiting for its WAL (set local synchronous_commit =
        // off, safe here as the tables and the progress commit together) gained nothing measurable in
        // ops/bench rebuild (case finder 1.86 times the daemon's bare reading with it, 1.85 without).
        foreach (var statement in Write([.. changed.Select(c => (c.Key, c.Value))]))
        {
            operations.QueueOperation(statement);
        }
    }

    /// <summary>
    /// Marten's exception for an event that cannot be applied, saying why: the daemon keeps only its
    /// message in the dead letter, and Marten's own names the event but not the cause.
    /// </summary>
    private sealed class FoldException(IEvent e, Exception cause) : ApplyEventException(e, cause)
    {
        public override string Message => $"{base.Message}: {InnerException!.GetType().Name}: {InnerException.Message}";
    }

    /// <summary>Cases' whole streams folded anew from the log and written over what the read model holds (replaying dead letters after a fix).</summary>
    public async Task RefoldAsync(IDocumentSession session, IReadOnlyList<IEvent> events, CancellationToken ct)
    {
        QueueRefold(session, events);
        await session.SaveChangesAsync(ct);
    }

    /// <summary>The statements of <see cref="RefoldAsync"/>, queued in the session and not yet saved (a group saves its members' together).</summary>
    public void QueueRefold(IDocumentSession session, IReadOnlyList<IEvent> events)
    {
        var states = new Dictionary<Guid, TState>();
        foreach (var e in events.OrderBy(e => e.Sequence))
        {
            var after = Evolve(states.GetValueOrDefault(e.StreamId), e);
            if (after is not null) states[e.StreamId] = after;
        }
        foreach (var statement in Replace([.. states.Select(s => (s.Key, s.Value))]))
        {
            session.QueueOperation(statement);
        }
    }

    /// <summary>
    /// A query of this read model's rows of the cases in $1 (a uuid array), looked up case by case
    /// through the key. <c>where case_id = any($1)</c> let PostgreSQL plan sequential scans of the
    /// tables that a rebuild had emptied as they grew again (ops/bench rebuild, 2026-12-02: in two
    /// rebuilds of the queue board over a 1M-event log, 1,137 loads read 36 million ticket rows in
    /// all; the second took 6.9 s of PostgreSQL's CPU, and 4.4 s in the next run with lookups by key
    /// only). A lateral subquery behind OFFSET 0 can only be run per case, by the key, whatever the
    /// table's statistics say (a planner hint, enable_seqscan off for larger pages, missed the small
    /// groups of a page: 258 sequential scans still read 6.3 million rows).
    /// </summary>
    protected static string ByCase(string columns, string table, string? orderBy = null) =>
        $"select r.* from unnest($1::uuid[]) as k(id) cross join lateral (select {columns} from {table} where case_id = k.id offset 0) r" +
        (orderBy is null ? "" : $" order by {orderBy}");

    /// <summary>The fold, untyped: for the tests that check an event type the daemon does not load changes nothing.</summary>
    object? IFoldsOneEvent.FoldOne(object? state, IEvent e) => Evolve((TState?)state, e);

    /// <summary>The stored state of these cases; cases without one are left out.</summary>
    protected abstract Task<IReadOnlyDictionary<Guid, TState>> LoadAsync(NpgsqlConnection connection, Guid[] caseIds, CancellationToken ct);

    /// <summary>The case's state after the event: the same instance when the event changes nothing. Pure.</summary>
    protected abstract TState? Evolve(TState? state, IEvent e);

    /// <summary>Set-based upserts of the changed cases' states.</summary>
    protected abstract IEnumerable<SqlStatement> Write(IReadOnlyList<(Guid CaseId, TState State)> changed);

    /// <summary>Statements that make these cases' rows exactly their states: by default, delete and write.</summary>
    protected virtual IEnumerable<SqlStatement> Replace(IReadOnlyList<(Guid CaseId, TState State)> states)
    {
        var ids = SqlStatement.Column(states.Select(s => s.CaseId), NpgsqlTypes.NpgsqlDbType.Uuid);
        foreach (var table in Tables)
        {
            yield return new SqlStatement($"delete from {table.Identifier.QualifiedName} where case_id = any(?)", ids);
        }
        foreach (var statement in Write(states)) yield return statement;
    }
}

/// <summary>What the daemon's operators (status, rebuild, dead letters) need of a read model, whatever its state type.</summary>
public interface IReadModel : IProjection
{
    string Name { get; }

    uint Version { get; }

    ShardName Shard { get; }

    IReadOnlyList<Table> Tables { get; }

    /// <summary>Folds these cases' whole streams anew and writes over what the read model holds for them.</summary>
    Task RefoldAsync(IDocumentSession session, IReadOnlyList<IEvent> events, CancellationToken ct);

    /// <summary>The statements of <see cref="RefoldAsync"/>, queued and not saved.</summary>
    void QueueRefold(IDocumentSession session, IReadOnlyList<IEvent> events);
}

/// <summary>A read model's fold, untyped (for the tests of the event types it reads).</summary>
internal interface IFoldsOneEvent
{
    object? FoldOne(object? state, IEvent e);
}
