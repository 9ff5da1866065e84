using CaseSystem.Cases.EventStore;
using Npgsql;

namespace CaseSystem.Projections.Runner;

/// <summary>What the runner does with an event a projection cannot apply.</summary>
public enum FailurePolicy
{
    /// <summary>Stop this projection at the event, with the error recorded, until an operator resumes it.</summary>
    Pause,

    /// <summary>Park the event in projections.dead_letters and go on without it.</summary>
    DeadLetter,
}

/// <summary>
/// A read model built from the log. Its tables live in a schema per generation; the runner
/// creates the schema, gives the writer its name, and points the projection's stable schema
/// (<see cref="ViewSchema"/>) at the generation that serves.
/// </summary>
public interface IProjection
{
    /// <summary>A stable name, lower case with '-' ("queue-board").</summary>
    string Name { get; }

    /// <summary>Raised when the read model's shape or logic changes: a new version is built beside the old one.</summary>
    int Version { get; }

    FailurePolicy OnFailure { get; }

    /// <summary>The tables the queries read; each gets a view of the same name in <see cref="ViewSchema"/>.</summary>
    IReadOnlyList<string> Tables { get; }

    /// <summary>DDL that creates the tables in <paramref name="schema"/> (which exists already).</summary>
    string CreateSql(string schema);

    IProjectionWriter CreateWriter(string schema, ProjectionWriterOptions options);
}

public sealed class ProjectionWriterOptions(bool live, bool startsEmpty = false)
{
    /// <summary>The generation's tables are empty as the writer starts (a build from the start of the log): nothing needs loading that the writer has not itself applied.</summary>
    public bool StartsEmpty { get; } = startsEmpty;

    /// <summary>The generation serves, so its changes are announced to subscribers; false while it is rebuilt beside the one that serves.</summary>
    public bool Live { get; set; } = live;
}

/// <summary>
/// Applies events to one generation's tables. The runner calls, inside its transaction:
/// <see cref="PrepareAsync"/> for a batch, <see cref="Apply"/> for each event of it,
/// <see cref="FlushAsync"/> when it commits; after a rollback, <see cref="Reset"/>.
/// </summary>
public interface IProjectionWriter
{
    /// <summary>Whether <see cref="PrepareAsync"/> has anything to load for these events (else it need not be called).</summary>
    bool NeedsLoading(IReadOnlyList<StoredEvent> events);

    /// <summary>Loads what the batch's events need and the writer does not hold yet.</summary>
    Task PrepareAsync(NpgsqlConnection connection, IReadOnlyList<StoredEvent> events, CancellationToken ct);

    /// <summary>Applies one event in memory. Throws if it cannot; then nothing of that event was applied.</summary>
    void Apply(StoredEvent e);

    /// <summary>Writes everything applied since the last flush.</summary>
    Task FlushAsync(NpgsqlConnection connection, CancellationToken ct);

    /// <summary>Forgets what it holds in memory: the transaction it was writing in rolled back.</summary>
    void Reset();

    /// <summary>Whether the writer holds so much unflushed that it should flush now.</summary>
    bool WantsFlush { get; }
}

public static class ProjectionNames
{
    /// <summary>The stable schema of views the queries read: "queue-board" → "queue_board".</summary>
    public static string ViewSchema(this IProjection projection) => ViewSchema(projection.Name);

    public static string ViewSchema(string name) => name.Replace('-', '_');

    public static string GenerationSchema(string name, int generation) => $"{ViewSchema(name)}_g{generation}";
}

/// <summary>
/// The usual writer: state per case (stream), folded in memory and written back once per flush.
/// Rebuilding, a case's events mostly fall within one flush, so it is read and written about
/// once however many events it has.
/// </summary>
public abstract class CaseStateWriter<TState> : IProjectionWriter where TState : class
{
    private readonly Dictionary<Guid, TState?> _states = [];
    private readonly HashSet<Guid> _dirty = [];
    // Cases this writer first met while holding everything and has not written yet: they have no
    // row, so their first write is a plain insert (a COPY) rather than an upsert.
    private readonly HashSet<Guid> _unwritten = [];
    private bool _holdsEverything;

    protected CaseStateWriter(string schema, ProjectionWriterOptions options)
    {
        Schema = schema;
        Options = options;
        _holdsEverything = options.StartsEmpty;
    }

    protected string Schema { get; }

    protected ProjectionWriterOptions Options { get; }

    /// <summary>Cases held in memory beyond which the writer asks to flush and forget.</summary>
    protected virtual int MaxCases => 200_000;

    public bool WantsFlush => _states.Count > MaxCases;

    public async Task PrepareAsync(NpgsqlConnection connection, IReadOnlyList<StoredEvent> events, CancellationToken ct)
    {
        var missing = Missing(events);
        if (missing.Count == 0) return;
        var loaded = await LoadAsync(connection, [.. missing], ct);
        foreach (var id in missing) _states[id] = loaded.GetValueOrDefault(id);
    }

    public bool NeedsLoading(IReadOnlyList<StoredEvent> events) => Missing(events).Count > 0;

    private HashSet<Guid> Missing(IReadOnlyList<StoredEvent> events)
    {
        var missing = new HashSet<Guid>();
        // Holding every case it has written since its tables were empty, the writer knows that a
        // case it does not hold has no row: a rebuild reads nothing back.
        if (_holdsEverything) return missing;
        foreach (var e in events)
        {
            if (!_states.ContainsKey(e.StreamId)) missing.Add(e.StreamId);
        }
        return missing;
    }

    public void Apply(StoredEvent e)
    {
        if (!_states.TryGetValue(e.StreamId, out var before))
        {
            if (!_holdsEverything) throw new InvalidOperationException($"case {e.StreamId} was not loaded before its event {e.Sequence}");
            _unwritten.Add(e.StreamId);
        }
        var after = Evolve(before, e);
        _states[e.StreamId] = after;
        if (!ReferenceEquals(before, after)) _dirty.Add(e.StreamId);
    }

    public async Task FlushAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        if (_dirty.Count > 0)
        {
            var fresh = new List<(Guid, TState)>();
            var stored = new List<(Guid, TState)>();
            foreach (var id in _dirty)
            {
                if (_states[id] is not { } state) continue;
                if (_unwritten.Remove(id)) fresh.Add((id, state));
                else stored.Add((id, state));
            }
            await WriteAsync(connection, fresh, stored, ct);
            _dirty.Clear();
        }
        if (_states.Count > MaxCases)
        {
            _states.Clear();
            _unwritten.Clear();
            _holdsEverything = false;
        }
    }

    public void Reset()
    {
        _states.Clear();
        _dirty.Clear();
        _unwritten.Clear();
        _holdsEverything = false;
    }

    /// <summary>The stored state of these cases; cases without one are left out.</summary>
    protected abstract Task<IReadOnlyDictionary<Guid, TState>> LoadAsync(NpgsqlConnection connection, Guid[] caseIds, CancellationToken ct);

    /// <summary>The case's state after the event (the same instance when the event changes nothing). Pure.</summary>
    protected abstract TState? Evolve(TState? state, StoredEvent e);

    /// <summary>
    /// Writes the changed cases' states: <paramref name="fresh"/> ones certainly have no row yet
    /// (a plain insert will do), <paramref name="stored"/> ones may have one.
    /// </summary>
    protected abstract Task WriteAsync(NpgsqlConnection connection, IReadOnlyList<(Guid CaseId, TState State)> fresh,
        IReadOnlyList<(Guid CaseId, TState State)> stored, CancellationToken ct);
}
