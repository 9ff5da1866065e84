using System.Security.Cryptography;
using CaseSystem.Cases.Store;
using CaseSystem.Projections.Daemon;
using JasperFx.Events.Daemon;
using Marten;
using Npgsql;

namespace CaseSystem.Chaos;

/// <summary>
/// The run's database, made on the server CASES_DB names and dropped at the end, so that runs leave
/// nothing behind and every count starts from an empty log. Its schema (the event store's and the
/// read models') is made here before any server starts, as a deployment's migration would be.
/// </summary>
internal sealed class ChaosDatabase : IAsyncDisposable
{
    private readonly string _admin;

    private ChaosDatabase(string admin, string name, string connectionString, DocumentStore store, NpgsqlDataSource db, ReadModels models)
    {
        _admin = admin;
        Name = name;
        ConnectionString = connectionString;
        Store = store;
        Db = db;
        Admin = new ProjectionAdmin(store, db, models);
        Shards = [.. models.All.Select(m => m.Shard.Identity)];
    }

    public string Name { get; }

    /// <summary>What the servers get as CASES_DB.</summary>
    public string ConnectionString { get; }

    public DocumentStore Store { get; }

    /// <summary>The run's own connections (verification, progress), a few.</summary>
    public NpgsqlDataSource Db { get; }

    /// <summary>The read models' status, their owners among them (ProjectionAdmin, as ops/projections shows it).</summary>
    public ProjectionAdmin Admin { get; }

    /// <summary>Every read model's shard, as named in mt_event_progression.</summary>
    public string[] Shards { get; }

    public static async Task<ChaosDatabase> CreateAsync(string serverConnectionString, CancellationToken ct)
    {
        var name = "cases_chaos_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        // Not pooled: used twice (create, drop), and an idle pooled session would hold the drop up.
        var admin = new NpgsqlConnectionStringBuilder(serverConnectionString) { Pooling = false }.ConnectionString;
        await using (var conn = new NpgsqlConnection(admin))
        {
            await conn.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"create database {name} encoding 'UTF8' template template0", conn);
            await create.ExecuteNonQueryAsync(ct);
        }
        var connectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name }.ConnectionString;
        var models = new ReadModels();
        var store = DocumentStore.For(o =>
        {
            CaseStore.Configure(o, connectionString);
            models.Configure(o);
            // This process runs no daemon; HotCold as in the servers keeps Marten from warning about a disabled one.
            o.Projections.AsyncMode = DaemonMode.HotCold;
        });
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var own = new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = 8 }.ConnectionString;
        return new ChaosDatabase(admin, name, connectionString, store, CaseStore.DataSource(own, "chaos"), models);
    }

    public async Task<long> ScalarAsync(string sql, CancellationToken ct, params object[] parameters)
    {
        await using var cmd = Db.CreateCommand(sql);
        foreach (var p in parameters) cmd.Parameters.AddWithValue(p);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The log's high-water mark: the highest sequence number committed.</summary>
    public Task<long> HeadAsync(CancellationToken ct) => ScalarAsync($"select coalesce(max(seq_id), 0) from {CaseStore.Schema}.mt_events", ct);

    /// <summary>Each read model's position: the last event it has applied (0 before its first).</summary>
    public async Task<Dictionary<string, long>> PositionsAsync(CancellationToken ct)
    {
        // A shard without a row yet (its daemon not started since the database was made) has applied
        // nothing, which is all there is while the log is empty: at 0, not absent. Found by ChaosTests
        // (2026-12-03): a kill before any command was acknowledged waited for a new process's daemon
        // to write its first rows, 5.13 s at a load average of 9-20, and counted that as lag.
        await using var cmd = Db.CreateCommand(
            $"select s.name, coalesce(p.last_seq_id, 0) from unnest($1::text[]) as s(name) left join {CaseStore.Schema}.mt_event_progression p on p.name = s.name");
        cmd.Parameters.AddWithValue(Shards);
        var positions = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) positions[reader.GetString(0)] = reader.GetInt64(1);
        return positions;
    }

    /// <summary>How many read models have applied every event up to <paramref name="sequence"/>.</summary>
    public async Task<long> ShardsAtAsync(long sequence, CancellationToken ct) =>
        (await PositionsAsync(ct)).Values.Count(position => position >= sequence);

    public async ValueTask DisposeAsync()
    {
        Store.Dispose();
        await Db.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        try
        {
            await using var conn = new NpgsqlConnection(_admin);
            await conn.OpenAsync();
            // FORCE ends the sessions still open (PostgreSQL 13 and later).
            await using var drop = new NpgsqlCommand($"drop database if exists {Name} with (force)", conn);
            await drop.ExecuteNonQueryAsync();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            Log.Line($"could not drop the run's database {Name}: {e.Message}");
        }
    }
}
