using CaseSystem.Cases.EventStore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace CaseSystem.Projections.Runner;

public sealed class ProjectionOptions
{
    /// <summary>How often a process tries to take projections no process owns, and looks for operators' changes.</summary>
    public TimeSpan ElectionInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the log is read when no NOTIFY came (a missed notification costs at most this).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public int LiveBatchSize { get; set; } = 1000;
    public int CatchUpBatchSize { get; set; } = 10_000;

    /// <summary>A generation being caught up writes its tables and checkpoint after this many events or this long.</summary>
    public long CatchUpFlushEvents { get; set; } = 1_000_000;
    public TimeSpan CatchUpFlushInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A replaced generation's tables are dropped this long after it stopped serving.</summary>
    public TimeSpan RetiredGrace { get; set; } = TimeSpan.FromMinutes(1);

    public string Instance { get; set; } = $"{Environment.MachineName}:{Environment.ProcessId}";
}

/// <summary>Another runner advanced the generation's checkpoint: this process no longer owns it.</summary>
public sealed class LostOwnershipException(string slot) : Exception($"the checkpoint of {slot} moved under this runner: another runner owns it");

/// <summary>
/// Runs the projections this process owns. Ownership: a session advisory lock per projection and
/// code version, held on a connection of its own for as long as this process runs it; when the
/// process dies its connection closes, PostgreSQL releases the lock, and another process takes
/// the projection at its next election (every <see cref="ProjectionOptions.ElectionInterval"/>).
/// A process that loses its lock connection stops the projections at once; and because every
/// checkpoint write is a compare-and-set on the checkpoint it started from, a runner that still
/// believes itself the owner after another took over fails its next write instead of applying
/// an event twice.
/// <para>
/// Two lanes read the log: the live lane for generations near its head, which flushes and
/// commits every batch so read models follow within milliseconds; and the catch-up lane for
/// generations far behind (a rebuild, a projection resumed after a pause), which folds large
/// batches in memory and writes every <see cref="ProjectionOptions.CatchUpFlushEvents"/>, so a
/// rebuild does not hold the live read models back, and the live lane does not slow a rebuild.
/// In each lane, one read of the log serves every generation in it, each in a savepoint of the
/// lane's transaction, with its checkpoint.
/// </para>
/// </summary>
public sealed class ProjectionDaemon : IAsyncDisposable
{
    private const int LockClass = 0x50524A; // "PRJ": the advisory lock space of projection ownership

    private readonly NpgsqlDataSource _db;
    private readonly EventTypeRegistry _types;
    private readonly IReadOnlyList<IProjection> _projections;
    private readonly ProjectionOptions _options;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly List<Slot> _slots = [];
    private readonly HashSet<string> _owned = [];
    private readonly Signal _liveWake = new();
    private readonly Signal _catchUpWake = new();
    private readonly Signal _electionWake = new();
    private readonly CancellationTokenSource _stop = new();
    private NpgsqlConnection? _lockConnection;
    private Task _running = Task.CompletedTask;
    private long _liveCursor = -1;
    private int _disposed;

    public ProjectionDaemon(NpgsqlDataSource db, EventTypeRegistry types, IEnumerable<IProjection> projections,
        ProjectionOptions? options = null, ILogger<ProjectionDaemon>? logger = null)
    {
        _db = db;
        _types = types;
        _projections = [.. projections];
        _options = options ?? new ProjectionOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        var duplicate = _projections.GroupBy(p => p.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidOperationException($"two projections are named {duplicate.Key}");
    }

    /// <summary>A session of its own for the locks or LISTEN, named after the instance so the status can say who owns what.</summary>
    private async Task<NpgsqlConnection> OpenSessionAsync(CancellationToken ct)
    {
        var conn = await _db.OpenConnectionAsync(ct);
        await using var name = new NpgsqlCommand("select set_config('application_name', $1, false)", conn);
        name.Parameters.AddWithValue("casesystem projections " + _options.Instance);
        await name.ExecuteNonQueryAsync(ct);
        return conn;
    }

    /// <summary>Test hook: called at named points of a batch ("before-commit"); what it throws aborts the batch like a crash.</summary>
    internal Func<string, Task>? Fault { get; set; }

    /// <summary>The projections this process owns now.</summary>
    public IReadOnlyCollection<string> Owned
    {
        get { lock (_gate) return [.. _owned]; }
    }

    public Task StartAsync(CancellationToken ct = default)
    {
        var stop = _stop.Token;
        _running = Task.WhenAll(
            Task.Run(() => LoopAsync("election", ElectAsync, _electionWake, () => _options.ElectionInterval, stop), stop),
            Task.Run(() => ListenAsync(stop), stop),
            Task.Run(() => LaneAsync(LaneKind.Live, stop), stop),
            Task.Run(() => LaneAsync(LaneKind.CatchUp, stop), stop));
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }
        if (_lockConnection is not null) await _lockConnection.DisposeAsync();
        _stop.Dispose();
    }

    /// <summary>Waits until every generation this process runs has written a checkpoint at or past <paramref name="sequence"/>.</summary>
    public async Task WaitForCheckpointAsync(long sequence, TimeSpan timeout, CancellationToken ct = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        while (true)
        {
            lock (_gate)
            {
                if (_owned.Count == _projections.Count && _slots.Count > 0 &&
                    _slots.Where(s => s.Owned && !s.Paused).All(s => s.Checkpoint >= sequence)) return;
            }
            try
            {
                await Task.Delay(5, limit.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"the projections did not reach sequence {sequence} within {timeout}");
            }
        }
    }

    private async Task LoopAsync(string what, Func<CancellationToken, Task> step, Signal wake, Func<TimeSpan> interval, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await step(ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                _logger.LogWarning(e, "projection {What} step failed; trying again", what);
            }
            await wake.WaitAsync(interval(), ct);
        }
    }

    // ---- ownership ------------------------------------------------------------------------

    private async Task ElectAsync(CancellationToken ct)
    {
        if (!await LockConnectionAliveAsync(ct)) return;
        foreach (var projection in _projections)
        {
            bool owned;
            lock (_gate) owned = _owned.Contains(projection.Name);
            if (owned) continue;
            await using (var cmd = new NpgsqlCommand("select pg_try_advisory_lock($1, hashtext($2))", _lockConnection))
            {
                cmd.Parameters.AddWithValue(LockClass);
                cmd.Parameters.AddWithValue(LockName(projection));
                if (!(bool)(await cmd.ExecuteScalarAsync(ct))!) continue;
            }
            _logger.LogInformation("this process ({Instance}) now runs projection {Projection}", _options.Instance, projection.Name);
            lock (_gate) _owned.Add(projection.Name);
            await AdoptAsync(projection, ct);
        }
        await PollOperatorChangesAsync(ct);
        await DropRetiredAsync(ct);
    }

    internal static string LockName(IProjection projection) => $"{projection.Name}:v{projection.Version}";

    /// <summary>Whether the session holding the locks is alive; when it is not, every projection stops here before another process can take it.</summary>
    private async Task<bool> LockConnectionAliveAsync(CancellationToken ct)
    {
        try
        {
            if (_lockConnection is { State: System.Data.ConnectionState.Open })
            {
                await using var ping = new NpgsqlCommand("select 1", _lockConnection);
                await ping.ExecuteScalarAsync(ct);
                return true;
            }
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException)
        {
            _logger.LogWarning(e, "the projection lock session broke; stopping every projection this process ran");
        }
        DropAllSlots();
        if (_lockConnection is not null) await _lockConnection.DisposeAsync();
        _lockConnection = null;
        try
        {
            _lockConnection = await OpenSessionAsync(ct);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException)
        {
            _logger.LogWarning(e, "cannot open the projection lock session");
            return false;
        }
    }

    private void DropAllSlots()
    {
        lock (_gate)
        {
            foreach (var slot in _slots) slot.Owned = false;
            _slots.Clear();
            _owned.Clear();
        }
    }

    /// <summary>Takes up a projection this process has just locked: creates its first generation, or one for this code version, and runs what is its.</summary>
    private async Task AdoptAsync(IProjection projection, CancellationToken ct)
    {
        await using var conn = await _db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var rows = await GenerationRowsAsync(conn, projection.Name, ct);
        var live = rows.Where(r => r.State != "retired").ToList();
        var mine = live.Where(r => r.CodeVersion == projection.Version).ToList();
        if (live.Count == 0)
        {
            mine.Add(await CreateGenerationAsync(conn, projection, NextGeneration(rows), "active", ct));
        }
        else if (mine.Count == 0)
        {
            var active = live.FirstOrDefault(r => r.State == "active");
            var building = live.FirstOrDefault(r => r.State == "building");
            if (active is not null && active.CodeVersion > projection.Version)
            {
                _logger.LogWarning("projection {Projection}: version {Serving} serves, newer than this code's {Mine}; not running it",
                    projection.Name, active.CodeVersion, projection.Version);
            }
            else if (building is not null && building.CodeVersion > projection.Version)
            {
                _logger.LogWarning("projection {Projection}: version {Building} is being built, newer than this code's {Mine}",
                    projection.Name, building.CodeVersion, projection.Version);
            }
            else
            {
                if (building is not null) await RetireAsync(conn, projection.Name, building.Generation, ct);
                mine.Add(await CreateGenerationAsync(conn, projection, NextGeneration(rows), active is null ? "active" : "building", ct));
                _logger.LogInformation("projection {Projection}: building version {Version} beside the one that serves", projection.Name, projection.Version);
            }
        }
        await tx.CommitAsync(ct);
        lock (_gate)
        {
            foreach (var row in mine) _slots.Add(NewSlot(projection, row));
        }
        _catchUpWake.Set();
        _liveWake.Set();
    }

    private Slot NewSlot(IProjection projection, GenerationRow row) => new(projection, row.Generation, row.Schema, row.State == "active", row.Checkpoint)
    {
        Paused = row.Status == "paused",
        SkipSeq = row.SkipSeq,
        Lane = LaneKind.CatchUp,
    };

    private static int NextGeneration(IReadOnlyList<GenerationRow> rows) => rows.Count == 0 ? 1 : rows.Max(r => r.Generation) + 1;

    /// <summary>A new generation of the projection: its schema and tables, its row, and the views onto it if it serves at once. In the caller's transaction.</summary>
    internal static async Task<GenerationRow> CreateGenerationAsync(NpgsqlConnection conn, IProjection projection, int generation, string state, CancellationToken ct)
    {
        var schema = ProjectionNames.GenerationSchema(projection.Name, generation);
        await ExecuteAsync(conn, $"drop schema if exists {schema} cascade; create schema {schema}", ct);
        await ExecuteAsync(conn, projection.CreateSql(schema), ct);
        await using (var insert = new NpgsqlCommand(
            "insert into projections.generations (name, generation, code_version, schema_name, state, activated_at) " +
            "values ($1, $2, $3, $4, $5, case when $5 = 'active' then now() end)", conn))
        {
            insert.Parameters.AddWithValue(projection.Name);
            insert.Parameters.AddWithValue(generation);
            insert.Parameters.AddWithValue(projection.Version);
            insert.Parameters.AddWithValue(schema);
            insert.Parameters.AddWithValue(state);
            await insert.ExecuteNonQueryAsync(ct);
        }
        if (state == "active") await PointViewsAsync(conn, projection, schema, ct);
        return new GenerationRow(generation, projection.Version, schema, state, "running", 0, null);
    }

    /// <summary>The projection's stable schema gets a view per table onto the generation that serves, in the caller's transaction.</summary>
    private static Task PointViewsAsync(NpgsqlConnection conn, IProjection projection, string schema, CancellationToken ct)
    {
        var view = projection.ViewSchema();
        var sql = $"create schema if not exists {view};" + string.Concat(projection.Tables.Select(t =>
            $"drop view if exists {view}.{t}; create view {view}.{t} as select * from {schema}.{t};"));
        return ExecuteAsync(conn, sql, ct);
    }

    private static async Task RetireAsync(NpgsqlConnection conn, string name, int generation, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "update projections.generations set state = 'retired', updated_at = now() where name = $1 and generation = $2", conn);
        cmd.Parameters.AddWithValue(name);
        cmd.Parameters.AddWithValue(generation);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    internal sealed record GenerationRow(int Generation, int CodeVersion, string Schema, string State, string Status, long Checkpoint, long? SkipSeq);

    private static async Task<IReadOnlyList<GenerationRow>> GenerationRowsAsync(NpgsqlConnection conn, string name, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "select generation, code_version, schema_name, state, status, checkpoint, skip_seq " +
            "from projections.generations where name = $1 order by generation for update", conn);
        cmd.Parameters.AddWithValue(name);
        var rows = new List<GenerationRow>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new GenerationRow(reader.GetInt32(0), reader.GetInt32(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetInt64(6)));
        }
        return rows;
    }

    /// <summary>What operators changed: a rebuild requested (a new building generation), a paused generation resumed, a generation retired elsewhere.</summary>
    private async Task PollOperatorChangesAsync(CancellationToken ct)
    {
        List<IProjection> owned;
        lock (_gate) owned = [.. _projections.Where(p => _owned.Contains(p.Name))];
        if (owned.Count == 0) return;
        await using var conn = await _db.OpenConnectionAsync(ct);
        foreach (var projection in owned)
        {
            IReadOnlyList<GenerationRow> rows;
            await using (var tx = await conn.BeginTransactionAsync(ct))
            {
                rows = await GenerationRowsAsync(conn, projection.Name, ct);
                await tx.CommitAsync(ct);
            }
            lock (_gate)
            {
                foreach (var row in rows.Where(r => r.CodeVersion == projection.Version))
                {
                    var slot = _slots.FirstOrDefault(s => s.Projection == projection && s.Generation == row.Generation);
                    if (slot is null && row.State != "retired")
                    {
                        _slots.Add(NewSlot(projection, row));
                        _catchUpWake.Set();
                    }
                    else if (slot is not null && row.State == "retired")
                    {
                        slot.Owned = false;
                        _slots.Remove(slot);
                    }
                    else if (slot is { Paused: true } && row.Status == "running")
                    {
                        slot.ForgetUnflushed();
                        slot.Checkpoint = row.Checkpoint;
                        slot.AppliedThrough = row.Checkpoint;
                        slot.SkipSeq = row.SkipSeq;
                        slot.Lane = LaneKind.CatchUp;
                        slot.Paused = false;
                        _catchUpWake.Set();
                    }
                }
            }
        }
    }

    private async Task DropRetiredAsync(CancellationToken ct)
    {
        await using var conn = await _db.OpenConnectionAsync(ct);
        var schemas = new List<(string Name, int Generation, string Schema)>();
        await using (var cmd = new NpgsqlCommand(
            "select name, generation, schema_name from projections.generations " +
            "where state = 'retired' and dropped_at is null and updated_at < now() - $1", conn))
        {
            cmd.Parameters.AddWithValue(_options.RetiredGrace);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) schemas.Add((reader.GetString(0), reader.GetInt32(1), reader.GetString(2)));
        }
        foreach (var (name, generation, schema) in schemas)
        {
            await using var tx = await conn.BeginTransactionAsync(ct);
            await ExecuteAsync(conn, $"drop schema if exists {schema} cascade", ct);
            await using (var cmd = new NpgsqlCommand(
                "update projections.generations set dropped_at = now() where name = $1 and generation = $2", conn))
            {
                cmd.Parameters.AddWithValue(name);
                cmd.Parameters.AddWithValue(generation);
                await cmd.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
        }
    }

    // ---- waking ---------------------------------------------------------------------------

    /// <summary>LISTENs for appends (wakes the lanes) and operators' commands (wakes the election); NOTIFY is only a hint, the lanes poll too.</summary>
    private async Task ListenAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var conn = await OpenSessionAsync(ct);
                conn.Notification += (_, n) =>
                {
                    if (n.Channel == ProjectionAdmin.Channel)
                    {
                        _electionWake.Set();
                        return;
                    }
                    _liveWake.Set();
                    _catchUpWake.Set();
                };
                await ExecuteAsync(conn, $"listen {AppendNotifier.Channel}; listen {ProjectionAdmin.Channel}", ct);
                // Events appended while this session was not listening are found now.
                _liveWake.Set();
                while (!ct.IsCancellationRequested) await conn.WaitAsync(ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                _logger.LogWarning(e, "the projections' LISTEN session broke; polling until it is back");
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
    }

    // ---- lanes ----------------------------------------------------------------------------

    private async Task LaneAsync(LaneKind lane, CancellationToken ct)
    {
        var reader = new PrefetchingReader(new LogReader(_db, _types));
        var wake = lane == LaneKind.Live ? _liveWake : _catchUpWake;
        var backoff = TimeSpan.Zero;
        while (!ct.IsCancellationRequested)
        {
            var progressed = false;
            try
            {
                progressed = await StepAsync(lane, reader, ct);
                backoff = TimeSpan.Zero;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                _logger.LogWarning(e, "projection {Lane} lane: batch failed; its generations start again from their checkpoints", lane);
                lock (_gate)
                {
                    foreach (var slot in _slots.Where(s => s.Lane == lane)) slot.ForgetUnflushed();
                }
                await reader.ResetAsync();
                backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(50) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
                await Task.Delay(backoff, ct);
                continue;
            }
            if (progressed) continue;
            // A gap that a running transaction may still fill is usually filled within
            // milliseconds (its commit also sends a NOTIFY); one that a rollback left is settled
            // once the transactions running when it was seen have ended. Look again soon.
            await wake.WaitAsync(reader.WaitingAt is null ? _options.PollInterval : TimeSpan.FromMilliseconds(10), ct);
        }
    }

    private sealed record Outcome(Slot Slot, long Applied, bool Flushed, StoredEvent? FailedAt, long Count);

    /// <summary>One batch for the lane's generations; false when there was nothing to do.</summary>
    private async Task<bool> StepAsync(LaneKind lane, PrefetchingReader reader, CancellationToken ct)
    {
        List<Slot> members;
        lock (_gate) members = [.. _slots.Where(s => s.Lane == lane && s.Owned && !s.Paused)];
        if (members.Count == 0)
        {
            if (lane == LaneKind.Live) Volatile.Write(ref _liveCursor, -1);
            return false;
        }

        var cursor = members.Min(s => s.AppliedThrough);
        var batchSize = lane == LaneKind.Live ? _options.LiveBatchSize : _options.CatchUpBatchSize;
        // The catch-up lane reads the next batch while it applies this one.
        var read = await reader.ReadAsync(cursor, batchSize, prefetch: lane == LaneKind.CatchUp, ct);
        var atEnd = read.Events.Count < batchSize && !read.WaitingOnGap;
        if (read.Settled == cursor)
        {
            await IdleAsync(lane, members, ct);
            if (lane == LaneKind.CatchUp) HandOver(members, atEnd);
            return false;
        }

        var outcomes = new List<Outcome>();
        IReadOnlyList<Slot> takeovers = [];
        // The lane's transaction is opened only when something is to be read or written: a
        // catch-up batch that needs nothing loaded and flushes nothing folds in memory alone.
        await using (var tx = new LaneTransaction(_db))
        {
            var work = new List<Work>();
            foreach (var slot in members)
            {
                var from = FirstAfter(read.Events, slot.AppliedThrough);
                var events = new List<StoredEvent>(read.Events.Count - from);
                for (var i = from; i < read.Events.Count; i++) events.Add(read.Events[i]);
                var settled = read.Settled;
                if (slot.SingleStepThrough > slot.AppliedThrough && events.Count > 0)
                {
                    events = [events[0]];
                    settled = events[0].Sequence;
                }
                if (settled > slot.AppliedThrough) work.Add(new Work(slot, events, settled));
            }
            if (work.Count == 0) return false;

            // Loading what the batch needs goes over the one connection, one generation after
            // another; folding the events in memory is each generation's own, so the
            // generations fold side by side; their writes go over the connection again.
            foreach (var w in work)
            {
                if (await PrepareAsync(w, tx, ct) is { } failed) outcomes.Add(failed);
            }
            var folding = work.Where(w => !w.Done).ToList();
            if (folding.Sum(w => w.Events.Count) >= 2000 && folding.Count > 1)
            {
                Parallel.ForEach(folding, w => w.Folded = Fold(w));
            }
            else
            {
                foreach (var w in folding) w.Folded = Fold(w);
            }
            foreach (var w in folding) outcomes.Add(await FinishAsync(lane, w, tx, atEnd, ct));

            if (lane == LaneKind.Live && tx.Opened) takeovers = await TakeOverAsync(outcomes, await tx.ConnectionAsync(ct), ct);
            if (tx.Opened)
            {
                if (Fault is { } fault) await fault("before-commit");
                await tx.CommitAsync(ct);
            }
        }
        Settle(outcomes, takeovers);
        if (lane == LaneKind.Live)
        {
            Volatile.Write(ref _liveCursor, members.Where(s => s.Owned && !s.Paused).Select(s => s.AppliedThrough).DefaultIfEmpty(-1).Min());
        }
        else
        {
            HandOver(members, atEnd);
        }
        return true;
    }

    /// <summary>After a commit: the generations' positions, pauses and takeovers as written.</summary>
    private void Settle(List<Outcome> outcomes, IReadOnlyList<Slot> takeovers)
    {
        lock (_gate)
        {
            foreach (var o in outcomes)
            {
                o.Slot.AppliedThrough = o.Applied;
                if (o.Flushed)
                {
                    o.Slot.Checkpoint = o.Applied;
                    o.Slot.EventsSinceFlush = 0;
                    o.Slot.LastFlush = DateTimeOffset.UtcNow;
                }
                if (o.FailedAt is not null) o.Slot.Paused = true;
            }
            foreach (var building in takeovers)
            {
                foreach (var old in _slots.Where(s => s.Projection == building.Projection && s.Active).ToList())
                {
                    old.Owned = false;
                    _slots.Remove(old);
                }
                building.Active = true;
            }
        }
    }

    /// <summary>
    /// Nothing new in the log: the catch-up lane writes what its generations hold unwritten (so
    /// they can move to the live lane), and the live lane lets a generation built beside the
    /// serving one take over, as neither waits for the next event to do so.
    /// </summary>
    private async Task IdleAsync(LaneKind lane, List<Slot> members, CancellationToken ct)
    {
        var pending = lane == LaneKind.CatchUp
            ? members.Where(s => s.Checkpoint < s.AppliedThrough).ToList()
            : members.Any(s => !s.Active) ? members : [];
        if (pending.Count == 0) return;
        await using var conn = await _db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var outcomes = new List<Outcome>();
        foreach (var slot in pending)
        {
            if (slot.Checkpoint < slot.AppliedThrough)
            {
                await slot.Writer.FlushAsync(conn, ct);
                await SaveCheckpointAsync(conn, slot, slot.AppliedThrough, 0, null, null, ct);
            }
            outcomes.Add(new Outcome(slot, slot.AppliedThrough, true, null, 0));
        }
        var takeovers = lane == LaneKind.Live ? await TakeOverAsync(outcomes, conn, ct) : [];
        await tx.CommitAsync(ct);
        Settle(outcomes, takeovers);
    }

    /// <summary>A generation of the catch-up lane that has reached the live lane (or the end of the log), with all it holds written, moves to the live lane.</summary>
    private void HandOver(List<Slot> members, bool atEnd)
    {
        var live = Volatile.Read(ref _liveCursor);
        var moved = false;
        lock (_gate)
        {
            foreach (var slot in members.Where(s => s.Owned && !s.Paused && s.Checkpoint == s.AppliedThrough))
            {
                if ((live >= 0 && slot.AppliedThrough >= live) || (live < 0 && atEnd))
                {
                    slot.Lane = LaneKind.Live;
                    moved = true;
                }
            }
        }
        if (moved) _liveWake.Set();
    }

    private static int FirstAfter(IReadOnlyList<StoredEvent> events, long sequence)
    {
        int lo = 0, hi = events.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (events[mid].Sequence <= sequence) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /// <summary>A lane's transaction, begun on first use.</summary>
    private sealed class LaneTransaction(NpgsqlDataSource db) : IAsyncDisposable
    {
        private NpgsqlConnection? _connection;
        private NpgsqlTransaction? _transaction;

        public bool Opened => _transaction is not null;

        public NpgsqlTransaction Transaction => _transaction ?? throw new InvalidOperationException("the lane's transaction is not open");

        public async ValueTask<NpgsqlConnection> ConnectionAsync(CancellationToken ct)
        {
            if (_connection is null)
            {
                _connection = await db.OpenConnectionAsync(ct);
                _transaction = await _connection.BeginTransactionAsync(ct);
            }
            return _connection;
        }

        public Task CommitAsync(CancellationToken ct) => Transaction.CommitAsync(ct);

        public async ValueTask DisposeAsync()
        {
            if (_transaction is not null) await _transaction.DisposeAsync();
            if (_connection is not null) await _connection.DisposeAsync();
        }
    }

    /// <summary>One generation's share of a batch.</summary>
    private sealed class Work(Slot slot, List<StoredEvent> events, long settled)
    {
        public Slot Slot { get; } = slot;
        public List<StoredEvent> Events { get; } = events;
        public long Settled { get; } = settled;
        public bool Done { get; set; }
        public Folded? Folded { get; set; }
    }

    /// <summary>What folding a generation's events gave: how far it got, the event it stopped at, the events to park.</summary>
    private sealed record Folded(long Applied, long Count, StoredEvent? FailedAt, string? Error, List<(StoredEvent Event, string Error)> Parked);

    /// <summary>Loads what the generation's writer needs, in a savepoint; a failure is handled like a failed write.</summary>
    private async Task<Outcome?> PrepareAsync(Work w, LaneTransaction lane, CancellationToken ct)
    {
        if (w.Events.Count == 0 || !w.Slot.Writer.NeedsLoading(w.Events)) return null;
        var conn = await lane.ConnectionAsync(ct);
        var tx = lane.Transaction;
        await tx.SaveAsync("slot", ct);
        try
        {
            await w.Slot.Writer.PrepareAsync(conn, w.Events, ct);
            await tx.ReleaseAsync("slot", ct);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException && conn.State == System.Data.ConnectionState.Open)
        {
            w.Done = true;
            return await WriteFailedAsync(w, e, conn, tx, ct);
        }
    }

    /// <summary>Folds the generation's events in memory: no I/O, safe beside the other generations' folds.</summary>
    private static Folded Fold(Work w)
    {
        var parked = new List<(StoredEvent, string)>();
        var count = 0L;
        foreach (var e in w.Events)
        {
            if (e.Sequence == w.Slot.SkipSeq)
            {
                parked.Add((e, "skipped by an operator's resume --skip"));
                continue;
            }
            try
            {
                if (e.Data is UnreadableEvent unreadable) throw new InvalidDataException($"event {e.Sequence} ({e.EventType}) cannot be read: {unreadable.Error}");
                w.Slot.Writer.Apply(e);
                count++;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (w.Slot.Projection.OnFailure == FailurePolicy.DeadLetter)
                {
                    parked.Add((e, Describe(ex)));
                    continue;
                }
                return new Folded(e.Sequence - 1, count, e, Describe(ex), parked);
            }
        }
        return new Folded(w.Settled, count, null, null, parked);
    }

    /// <summary>
    /// Writes one generation's share of the batch, in a savepoint of the lane's transaction: a
    /// failure here rolls back this generation's writes only, and the other generations go on.
    /// </summary>
    private async Task<Outcome> FinishAsync(LaneKind lane, Work w, LaneTransaction laneTx, bool atEnd, CancellationToken ct)
    {
        var slot = w.Slot;
        var (applied, count, failedAt, error, parked) = w.Folded!;
        slot.EventsSinceFlush += w.Events.Count;
        var flush = lane == LaneKind.Live || failedAt is not null || atEnd || slot.Writer.WantsFlush
            || slot.SingleStepThrough > slot.AppliedThrough
            || slot.EventsSinceFlush >= _options.CatchUpFlushEvents
            || DateTimeOffset.UtcNow - slot.LastFlush >= _options.CatchUpFlushInterval
            || (Volatile.Read(ref _liveCursor) is var live && live >= 0 && applied >= live);
        if (!flush && parked.Count == 0) return new Outcome(slot, applied, false, null, count);
        var conn = await laneTx.ConnectionAsync(ct);
        var tx = laneTx.Transaction;
        await tx.SaveAsync("slot", ct);
        try
        {
            foreach (var (e, why) in parked) await DeadLetterAsync(conn, slot, e, why, ct);
            if (flush)
            {
                await slot.Writer.FlushAsync(conn, ct);
                await SaveCheckpointAsync(conn, slot, applied, count, failedAt, error, ct);
                if (failedAt is not null)
                {
                    _logger.LogError("projection {Slot} paused at event {Sequence} ({Type}): {Error}", slot.Key, failedAt.Sequence, failedAt.EventType, error);
                }
            }
            await tx.ReleaseAsync("slot", ct);
            return new Outcome(slot, applied, flush, failedAt, count);
        }
        catch (LostOwnershipException e)
        {
            await tx.RollbackAsync("slot", ct);
            _logger.LogWarning(e, "projection {Slot}: another runner owns it now; this process stops running it", slot.Key);
            slot.Owned = false;
            slot.Writer.Reset();
            lock (_gate) _slots.Remove(slot);
            return new Outcome(slot, slot.AppliedThrough, false, null, 0);
        }
        catch (Exception e) when (e is not OperationCanceledException && conn.State == System.Data.ConnectionState.Open)
        {
            return await WriteFailedAsync(w, e, conn, tx, ct);
        }
    }

    /// <summary>
    /// The writer's own statements failed (a constraint, a bad value): nothing of this
    /// generation's batch stays. Its events run again one per transaction, so the next failure
    /// names its event and is paused at or parked like any other.
    /// </summary>
    private async Task<Outcome> WriteFailedAsync(Work w, Exception e, NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
    {
        var slot = w.Slot;
        await tx.RollbackAsync("slot", ct);
        slot.ForgetUnflushed();
        if (w.Events.Count <= 1 && w.Events.FirstOrDefault() is { } single)
        {
            return await FailSingleAsync(slot, single, Describe(e), conn, tx, ct);
        }
        slot.SingleStepThrough = w.Settled;
        _logger.LogWarning(e, "projection {Slot}: writing a batch failed; applying its events one by one to find the one at fault", slot.Key);
        return new Outcome(slot, slot.Checkpoint, false, null, 0);
    }

    /// <summary>An event whose writes fail on their own: parked or paused at, in the lane's transaction.</summary>
    private async Task<Outcome> FailSingleAsync(Slot slot, StoredEvent e, string error, NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
    {
        await tx.SaveAsync("slot", ct);
        if (slot.Projection.OnFailure == FailurePolicy.DeadLetter)
        {
            await DeadLetterAsync(conn, slot, e, error, ct);
            await SaveCheckpointAsync(conn, slot, e.Sequence, 0, null, null, ct);
            await tx.ReleaseAsync("slot", ct);
            return new Outcome(slot, e.Sequence, true, null, 0);
        }
        await SaveCheckpointAsync(conn, slot, e.Sequence - 1, 0, e, error, ct);
        await tx.ReleaseAsync("slot", ct);
        _logger.LogError("projection {Slot} paused at event {Sequence} ({Type}): {Error}", slot.Key, e.Sequence, e.EventType, error);
        return new Outcome(slot, e.Sequence - 1, true, e, 0);
    }

    private static string Describe(Exception e) => $"{e.GetType().Name}: {e.Message}";

    /// <summary>
    /// The checkpoint, as a compare-and-set on the one this runner last wrote: if another runner
    /// moved it, this one is not the owner any more and its batch must not count.
    /// </summary>
    private static async Task SaveCheckpointAsync(NpgsqlConnection conn, Slot slot, long checkpoint, long applied,
        StoredEvent? pausedAt, string? error, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            update projections.generations set
                checkpoint = $3,
                applied = applied + $4,
                status = case when $5::bigint is null then status else 'paused' end,
                paused_seq = $5,
                skip_seq = case when skip_seq <= $3 then null else skip_seq end,
                last_error = coalesce($6, last_error),
                last_error_at = case when $6 is null then last_error_at else now() end,
                updated_at = now()
            where name = $1 and generation = $2 and checkpoint = $7 and state <> 'retired'
            """, conn);
        cmd.Parameters.AddWithValue(slot.Projection.Name);
        cmd.Parameters.AddWithValue(slot.Generation);
        cmd.Parameters.AddWithValue(checkpoint);
        cmd.Parameters.AddWithValue(applied);
        cmd.Parameters.Add(new() { Value = (object?)pausedAt?.Sequence ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new() { Value = (object?)error ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.AddWithValue(slot.Checkpoint);
        if (await cmd.ExecuteNonQueryAsync(ct) != 1) throw new LostOwnershipException(slot.Key);
    }

    private static async Task DeadLetterAsync(NpgsqlConnection conn, Slot slot, StoredEvent e, string error, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(conn)
        {
            BatchCommands =
            {
                new("insert into projections.dead_letters (name, generation, seq_id, stream_id, event_type, error) " +
                    "values ($1, $2, $3, $4, $5, $6) on conflict do nothing")
                {
                    Parameters = { new() { Value = slot.Projection.Name }, new() { Value = slot.Generation }, new() { Value = e.Sequence },
                        new() { Value = e.StreamId }, new() { Value = e.EventType }, new() { Value = error } },
                },
                new("update projections.generations set last_error = $3, last_error_at = now() where name = $1 and generation = $2")
                {
                    Parameters = { new() { Value = slot.Projection.Name }, new() { Value = slot.Generation }, new() { Value = error } },
                },
            },
        };
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// A generation built beside the serving one takes over in the live lane's transaction in
    /// which both have written the same checkpoint: the views switch to its tables in the same
    /// commit, so a query sees the old read model or the new one, both at the same point of the log.
    /// </summary>
    private async Task<IReadOnlyList<Slot>> TakeOverAsync(List<Outcome> outcomes, NpgsqlConnection conn, CancellationToken ct)
    {
        var takeovers = new List<Slot>();
        foreach (var building in outcomes.Where(o => !o.Slot.Active && o.Slot.Owned && o.Flushed && o.FailedAt is null))
        {
            var serving = outcomes.FirstOrDefault(o => o.Slot.Projection == building.Slot.Projection && o.Slot.Active);
            if (serving is not null && (serving.FailedAt is not null || !serving.Flushed || serving.Applied > building.Applied)) continue;
            if (serving is null)
            {
                // The serving generation is not in this batch: paused, or run by another code
                // version's process. A paused one is stale; one run elsewhere must be caught up to.
                Slot? pausedHere;
                lock (_gate) pausedHere = _slots.FirstOrDefault(s => s.Projection == building.Slot.Projection && s.Active);
                if (pausedHere is { Paused: false }) continue;
                if (pausedHere is null && await ServingCheckpointAsync(conn, building.Slot.Projection.Name, ct) is { } other && other > building.Applied) continue;
            }
            var projection = building.Slot.Projection;
            await using (var batch = new NpgsqlBatch(conn)
            {
                BatchCommands =
                {
                    new("update projections.generations set state = 'retired', updated_at = now() where name = $1 and state = 'active'")
                    {
                        Parameters = { new() { Value = projection.Name } },
                    },
                    new("update projections.generations set state = 'active', activated_at = now(), updated_at = now() where name = $1 and generation = $2")
                    {
                        Parameters = { new() { Value = projection.Name }, new() { Value = building.Slot.Generation } },
                    },
                },
            })
            {
                await batch.ExecuteNonQueryAsync(ct);
            }
            await PointViewsAsync(conn, projection, building.Slot.Schema, ct);
            _logger.LogInformation("projection {Projection}: generation {Generation} takes over at {Checkpoint}", projection.Name, building.Slot.Generation, building.Applied);
            takeovers.Add(building.Slot);
        }
        return takeovers;
    }

    private static async Task<long?> ServingCheckpointAsync(NpgsqlConnection conn, string name, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("select checkpoint from projections.generations where name = $1 and state = 'active'", conn);
        cmd.Parameters.AddWithValue(name);
        return await cmd.ExecuteScalarAsync(ct) as long?;
    }

    private static async Task ExecuteAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// A log reader that, when asked, starts reading the batch after the one it returns while
    /// the caller applies it; the read ahead is used only if the caller next asks for exactly
    /// that position (nothing paused or rolled back meanwhile), and is never run beside another
    /// read of the same reader, whose gap bookkeeping is not shared-safe.
    /// </summary>
    private sealed class PrefetchingReader(LogReader reader)
    {
        private (long After, int BatchSize, Task<LogRead> Read)? _ahead;

        public long? WaitingAt => reader.WaitingAt;

        public async Task<LogRead> ReadAsync(long after, int batchSize, bool prefetch, CancellationToken ct)
        {
            LogRead? read = null;
            if (_ahead is { } ahead)
            {
                _ahead = null;
                try
                {
                    var result = await ahead.Read;
                    if (ahead.After == after && ahead.BatchSize == batchSize) read = result;
                }
                catch (Exception) when (!ct.IsCancellationRequested)
                {
                    // A failed read ahead is simply read again.
                }
            }
            read ??= await reader.ReadAsync(after, batchSize, ct);
            if (prefetch && read.Events.Count == batchSize && !read.WaitingOnGap)
            {
                _ahead = (read.Settled, batchSize, Task.Run(() => reader.ReadAsync(read.Settled, batchSize, ct), ct));
            }
            return read;
        }

        public async Task ResetAsync()
        {
            if (_ahead is { } ahead)
            {
                _ahead = null;
                try
                {
                    await ahead.Read;
                }
                catch (Exception)
                {
                    // Dropped with the batch that failed.
                }
            }
            reader.Reset();
        }
    }

    /// <summary>An auto-reset wake-up: many sets before a wait count as one.</summary>
    private sealed class Signal
    {
        private readonly SemaphoreSlim _semaphore = new(0, 1);

        public void Set()
        {
            try
            {
                if (_semaphore.CurrentCount == 0) _semaphore.Release();
            }
            catch (SemaphoreFullException)
            {
            }
        }

        public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
        {
            try
            {
                await _semaphore.WaitAsync(timeout, ct);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
