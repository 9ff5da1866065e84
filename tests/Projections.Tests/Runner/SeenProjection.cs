using CaseSystem.Cases.EventStore;
using CaseSystem.Projections.Runner;
using Npgsql;
using NpgsqlTypes;

namespace CaseSystem.Projections.Tests.Runner;

/// <summary>
/// A projection for the runner's tests: one row per event it applied, keyed by the event's
/// sequence number, so an event applied twice fails the write and one skipped is missing.
/// Events of a type in <see cref="FailOn"/> cannot be applied.
/// </summary>
internal sealed class SeenProjection(string name = "seen", FailurePolicy onFailure = FailurePolicy.Pause) : IProjection
{
    public string Name { get; } = name;
    public int Version { get; set; } = 1;
    public FailurePolicy OnFailure { get; } = onFailure;
    public IReadOnlyList<string> Tables { get; } = ["seen"];

    /// <summary>Predicate on events the projection refuses; changed by tests (the "fix" that an operator then resumes after).</summary>
    public volatile Func<StoredEvent, bool> FailOn = _ => false;

    public string CreateSql(string schema) =>
        $"create table {schema}.seen (seq bigint primary key, stream_id uuid not null, version bigint not null, municipality text not null)";

    public IProjectionWriter CreateWriter(string schema, ProjectionWriterOptions options) => new Writer(this, schema);

    private sealed class Writer(SeenProjection projection, string schema) : IProjectionWriter
    {
        private readonly List<StoredEvent> _pending = [];

        public bool WantsFlush => false;

        public bool NeedsLoading(IReadOnlyList<StoredEvent> events) => false;

        public Task PrepareAsync(NpgsqlConnection connection, IReadOnlyList<StoredEvent> events, CancellationToken ct) => Task.CompletedTask;

        public void Apply(StoredEvent e)
        {
            if (projection.FailOn(e)) throw new InvalidOperationException($"the test projection refuses event {e.Sequence}");
            _pending.Add(e);
        }

        public async Task FlushAsync(NpgsqlConnection connection, CancellationToken ct)
        {
            if (_pending.Count == 0) return;
            await using (var copy = await connection.BeginBinaryImportAsync($"copy {schema}.seen (seq, stream_id, version, municipality) from stdin (format binary)", ct))
            {
                foreach (var e in _pending)
                {
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync(e.Sequence, NpgsqlDbType.Bigint, ct);
                    await copy.WriteAsync(e.StreamId, NpgsqlDbType.Uuid, ct);
                    await copy.WriteAsync(e.Version, NpgsqlDbType.Bigint, ct);
                    await copy.WriteAsync(e.Municipality, NpgsqlDbType.Text, ct);
                }
                await copy.CompleteAsync(ct);
            }
            _pending.Clear();
        }

        public void Reset() => _pending.Clear();
    }
}
