using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Store;
using JasperFx.Events;
using Marten;
using Npgsql;

namespace CaseSystem.Cases.Tests.Support;

/// <summary>
/// A database of its own for one test class, on the PostgreSQL server that CASES_DB names
/// (ops/test starts a private one and sets it). Created empty, given the event store's schema
/// by Marten, dropped afterwards.
/// </summary>
public class TestDatabase : IAsyncLifetime
{
    private readonly string _name = "t_" + Guid.NewGuid().ToString("N")[..16];
    private DocumentStore? _store;

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public string ConnectionString { get; protected set; } = "";

    /// <summary>The event store as the server configures it (CaseStore), on this database.</summary>
    public IDocumentStore Store => _store ??= DocumentStore.For(o =>
    {
        CaseStore.Configure(o, ConnectionString);
        ConfigureStore(o);
    });

    /// <summary>Whether the schema is created at start (Marten's, with what <see cref="ConfigureStore"/> adds).</summary>
    protected virtual bool Migrate => true;

    /// <summary>What a test project adds to the store (the read models' projections and tables).</summary>
    protected virtual void ConfigureStore(StoreOptions options)
    {
    }

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
        DataSource = CaseStore.DataSource(ConnectionString);
        if (Migrate) await Store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
    }

    public async Task DisposeAsync()
    {
        _store?.Dispose();
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = NpgsqlDataSource.Create(ServerConnectionString);
        await using var cmd = admin.CreateCommand($"drop database if exists {_name} with (force)");
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Appends events to a case of a municipality through Marten, as the given staff member and office.</summary>
    public async Task AppendAsync(string municipality, Guid caseId, IEnumerable<RenewalEvent> events,
        string staff = "clerk-1", string? office = "shimin-ka", string command = "Test")
    {
        await using var session = Store.LightweightSession(municipality);
        session.LastModifiedBy = staff;
        if (office is not null) session.SetHeader(CaseStore.Headers.Office, office);
        session.SetHeader(CaseStore.Headers.Command, command);
        session.Events.Append(caseId, [.. events]);
        await session.SaveChangesAsync();
    }

    /// <summary>A case's stored events in its municipality (none for a case of another).</summary>
    public async Task<IReadOnlyList<IEvent>> EventsAsync(string municipality, Guid caseId)
    {
        await using var session = Store.QuerySession(municipality);
        return await session.Events.FetchStreamAsync(caseId);
    }

    /// <summary>
    /// Waits until every async projection of the store (a server's, say) has applied every event
    /// committed so far: its row in mt_event_progression has reached the head of the log.
    /// </summary>
    public async Task CaughtUpAsync(IDocumentStore store, TimeSpan? timeout = null)
    {
        var shards = ((StoreOptions)store.Options).Projections.AllShards().Select(s => s.Name.Identity).ToArray();
        var head = await ScalarAsync<long>("select coalesce(max(seq_id), 0) from cases.mt_events");
        if (head == 0 || shards.Length == 0) return;
        var until = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (await ScalarAsync<long>("select count(*) from cases.mt_event_progression where name = any($1) and last_seq_id >= $2", shards, head) < shards.Length)
        {
            if (DateTimeOffset.UtcNow > until) throw new TimeoutException($"the projections did not reach event {head} in time");
            await Task.Delay(20);
        }
    }

    /// <summary>A logger for a daemon a test builds: Marten's log on the console when CASES_TEST_LOG is set, else none.</summary>
    public static Microsoft.Extensions.Logging.ILogger? DaemonLog() =>
        Environment.GetEnvironmentVariable("CASES_TEST_LOG") is { Length: > 0 }
            ? Microsoft.Extensions.Logging.LoggerFactory.Create(b => Microsoft.Extensions.Logging.ConsoleLoggerExtensions.AddSimpleConsole(b)).CreateLogger("daemon")
            : null;

    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var cmd = DataSource.CreateCommand(sql);
        foreach (var p in parameters) cmd.Parameters.AddWithValue(p);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>Runs the statements with triggers and foreign keys off (session_replication_role = replica), as a superuser intruder could.</summary>
    public async Task ExecuteAroundTriggersAsync(params (string Sql, object[] Parameters)[] statements)
    {
        await using var conn = await DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var off = new NpgsqlCommand("set local session_replication_role = replica", conn, tx)) await off.ExecuteNonQueryAsync();
        foreach (var (sql, parameters) in statements)
        {
            await using var cmd = new NpgsqlCommand(sql, conn, tx);
            foreach (var p in parameters) cmd.Parameters.AddWithValue(p);
            await cmd.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
    }

    public async Task<int> ExecuteAsync(string sql, params object[] parameters)
    {
        await using var cmd = DataSource.CreateCommand(sql);
        foreach (var p in parameters) cmd.Parameters.AddWithValue(p);
        return await cmd.ExecuteNonQueryAsync();
    }
}

/// <summary>A database with no schema yet, for the schema tests.</summary>
public sealed class EmptyTestDatabase : TestDatabase
{
    protected override bool Migrate => false;
}
