using CaseSystem.Cases.Tests.Support;
using CaseSystem.Projections.Daemon;
using ReadModelsOfStore = CaseSystem.Projections.Daemon.ReadModels;
using Marten;
using Weasel.Postgresql;

namespace CaseSystem.Projections.Tests.Support;

/// <summary>A test database with the event store's and the read models' schemas.</summary>
public class ProjectionsDatabase(ReadModelsOfStore? models = null) : TestDatabase
{
    /// <summary>The read models of this database's store; a test may tune them (page size) before it starts.</summary>
    public ReadModelsOfStore Models { get; } = models ?? new();

    protected override void ConfigureStore(StoreOptions options)
    {
        Models.Configure(options);
        // A test that runs a daemon on this store builds it (BuildProjectionDaemonAsync); Solo
        // keeps Marten from warning on the console that the daemon is disabled.
        options.Projections.AsyncMode = JasperFx.Events.Daemon.DaemonMode.Solo;
    }

    /// <summary>Creates a read model's schema and tables, for one that the store does not run.</summary>
    public async Task CreateTablesAsync(IReadModel model)
    {
        var sql = new StringWriter();
        foreach (var table in model.Tables)
        {
            sql.WriteLine($"create schema if not exists {table.Identifier.Schema};");
            table.WriteCreateStatement(new PostgresqlMigrator(), sql);
        }
        await ExecuteAsync(sql.ToString());
    }
}
