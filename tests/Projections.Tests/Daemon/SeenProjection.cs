using CaseSystem.Projections.Daemon;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;
using NpgsqlTypes;
using Weasel.Postgresql.Tables;
using static CaseSystem.Projections.Daemon.SqlStatement;

namespace CaseSystem.Projections.Tests.Daemon;

/// <summary>
/// A projection for the daemon's tests: one row per event it applied, keyed by the event's
/// sequence number, written into the daemon's batch like the read models' statements. An event
/// applied twice fails the write (the key), and one skipped is missing: the table against
/// mt_events shows both. Its table lives in a schema per version (seen_v1), as the read models'.
/// </summary>
internal sealed class SeenProjection : ProjectionBase, IProjection
{
    public SeenProjection(uint version = 1, int batchSize = 500)
    {
        Name = "seen";
        Version = version;
        Options.BatchSize = batchSize;
    }

    public string Schema => $"seen_v{Version}";

    public string Table => $"{Schema}.seen";

    public ShardName Shard => new(Name, ShardName.All, Version);

    /// <summary>Events the projection cannot apply; a test sets it, and clears it as the "fix".</summary>
    public volatile Func<IEvent, bool> FailOn = _ => false;

    /// <summary>Runs before a page is applied: a test holds a page here to stop the daemon in the middle of it.</summary>
    public volatile Func<IReadOnlyList<IEvent>, CancellationToken, Task>? BeforePage;

    /// <summary>Registers the projection and its table with a store, under the read models' daemon settings.</summary>
    public void Register(StoreOptions opts)
    {
        var table = new Table(Table);
        table.AddColumn<long>("seq").AsPrimaryKey();
        table.AddColumn<Guid>("stream_id").NotNull();
        table.AddColumn<long>("version").NotNull();
        table.AddColumn("municipality", "text").NotNull();
        opts.Storage.ExtendedSchemaObjects.Add(table);
        opts.Projections.Add(this, ProjectionLifecycle.Async);
        CaseSystem.Projections.Daemon.ReadModels.ConfigureDaemon(opts);
    }

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        if (BeforePage is { } hold) await hold(events, cancellation);
        foreach (var e in events)
        {
            // As CaseReadModel does: Marten dead-letters the event and applies the page without it.
            if (FailOn(e)) throw new ApplyEventException(e, new InvalidOperationException($"the test projection refuses event {e.Sequence}"));
        }
        if (events.Count == 0) return;
        operations.QueueOperation(new SqlStatement(
            $"insert into {Table} (seq, stream_id, version, municipality) select * from unnest(?, ?, ?, ?)",
            Column(events.Select(e => e.Sequence), NpgsqlDbType.Bigint),
            Column(events.Select(e => e.StreamId), NpgsqlDbType.Uuid),
            Column(events.Select(e => e.Version), NpgsqlDbType.Bigint),
            Column(events.Select(e => e.TenantId), NpgsqlDbType.Text)));
    }
}
