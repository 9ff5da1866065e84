using CaseSystem.Cases;
using CaseSystem.Cases.EventStore;
using CaseSystem.Cases.Renewal;
using Npgsql;

namespace CaseSystem.Cases.Tests.Support;

/// <summary>
/// A database of its own for one test class, on the PostgreSQL server that CASES_DB names
/// (ops/test starts a private one and sets it). Created empty, migrated, dropped afterwards.
/// </summary>
public class TestDatabase : IAsyncLifetime
{
    private readonly string _name = "t_" + Guid.NewGuid().ToString("N")[..16];

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    protected virtual bool Migrate => true;

    /// <summary>The migrations the database gets; a test project of another module adds its own.</summary>
    protected virtual IEnumerable<Migration> Migrations => Migration.EmbeddedIn(typeof(CasesModule).Assembly);

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("CASES_DB") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "CASES_DB is not set: run the tests with ops/test, which starts a private PostgreSQL, or set CASES_DB to a server where this user may create databases");

    public async Task InitializeAsync()
    {
        await using (var admin = NpgsqlDataSource.Create(ServerConnectionString))
        await using (var cmd = admin.CreateCommand($"create database {_name} encoding 'UTF8' template template0"))
        {
            await cmd.ExecuteNonQueryAsync();
        }
        ConnectionString = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = _name, MaxPoolSize = 100 }.ConnectionString;
        DataSource = CasesDataSource.Create(ConnectionString);
        if (Migrate) await new SchemaMigrator(DataSource).MigrateAsync(Migrations);
    }

    public async Task DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = NpgsqlDataSource.Create(ServerConnectionString);
        await using var cmd = admin.CreateCommand($"drop database if exists {_name} with (force)");
        await cmd.ExecuteNonQueryAsync();
    }

    public PostgresEventStore CreateStore(AppendNotifier? notifier = null) =>
        new(DataSource, RenewalEvent.RegisterAll(new EventTypeRegistry()), notifier);

    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var cmd = DataSource.CreateCommand(sql);
        foreach (var p in parameters) cmd.Parameters.AddWithValue(p);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public async Task<int> ExecuteAsync(string sql, params object[] parameters)
    {
        await using var cmd = DataSource.CreateCommand(sql);
        foreach (var p in parameters) cmd.Parameters.AddWithValue(p);
        return await cmd.ExecuteNonQueryAsync();
    }
}

/// <summary>A database with no schema yet, for the migration tests.</summary>
public sealed class EmptyTestDatabase : TestDatabase
{
    protected override bool Migrate => false;
}
