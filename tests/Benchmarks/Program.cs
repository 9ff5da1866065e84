using System.Security.Cryptography;
using CaseSystem.Benchmarks.Sample;
using CaseSystem.Cases.Store;
using Marten;
using Npgsql;

namespace CaseSystem.Benchmarks;

/// <summary>
/// The benchmarks, one subcommand each. Each runs in a database of its own, made for the run
/// on the server named by CASES_DB and dropped at the end, so repeated runs leave nothing behind.
/// Results go to stdout, one line per measurement; lines starting with '#' are comments.
/// </summary>
internal static class Program
{
    private const string UsageText =
        "usage: CaseSystem.Benchmarks <benchmark> [options]\n" +
        "  " + AppendBenchmark.Usage + "\n" +
        "  " + RebuildBenchmark.Usage + "\n" +
        "  " + FreshnessBenchmark.Usage + "\n" +
        "  " + FailoverBenchmark.Usage + "\n" +
        "  " + HttpBenchmark.Usage + "\n" +
        "  " + ImportBenchmark.Usage + "\n" +
        "  " + Sample.SampleCommand.Usage + "\n" +
        "environment: CASES_DB, an Npgsql connection string to a server where the user may create databases";

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0) return UsageError("no benchmark named");

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // Let the benchmark stop and drop its database instead of dying on the spot.
            e.Cancel = true;
            cancel.Cancel();
        };

        try
        {
            return args[0] switch
            {
                "append" => await AppendBenchmark.RunAsync(args[1..], cancel.Token),
                "rebuild" => await RebuildBenchmark.RunAsync(args[1..], cancel.Token),
                "freshness" => await FreshnessBenchmark.RunAsync(args[1..], cancel.Token),
                "failover" => await FailoverBenchmark.RunAsync(args[1..], cancel.Token),
                "http" => await HttpBenchmark.RunAsync(args[1..], cancel.Token),
                "import" => await ImportBenchmark.RunAsync(args[1..], cancel.Token),
                "sample" => await Sample.SampleCommand.RunAsync(args[1..], cancel.Token),
                "-h" or "--help" or "help" => Help(),
                _ => UsageError($"unknown benchmark '{args[0]}'"),
            };
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("benchmark interrupted");
            return 130;
        }
    }

    public static int UsageError(string message)
    {
        Console.Error.WriteLine(message);
        Console.Error.WriteLine(UsageText);
        return 2;
    }

    private static int Help()
    {
        Console.WriteLine(UsageText);
        return 0;
    }

    /// <summary>The connection string the benchmarks start from, or null (after saying so) when CASES_DB is not set.</summary>
    public static string? BaseConnectionString()
    {
        var conn = Environment.GetEnvironmentVariable("CASES_DB");
        if (string.IsNullOrWhiteSpace(conn))
        {
            Console.Error.WriteLine("CASES_DB is not set (run the benchmarks through ops/bench, which starts a server)");
            return null;
        }
        return conn;
    }
}

/// <summary>
/// A database of its own for one benchmark run: created on the server of the given connection
/// string, dropped (best effort, also after a failure) when disposed.
/// </summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string _adminConnectionString;
    private bool _dropped;

    private DocumentStore? _store;

    private BenchDatabase(string adminConnectionString, string name, string connectionString, NpgsqlDataSource dataSource, string serverVersion)
    {
        _adminConnectionString = adminConnectionString;
        Name = name;
        ConnectionString = connectionString;
        DataSource = dataSource;
        ServerVersion = serverVersion;
    }

    public string Name { get; }

    /// <summary>The benchmark database's connection string (the same pool size as <see cref="DataSource"/>).</summary>
    public string ConnectionString { get; }

    /// <summary>
    /// The event store as the server configures it (<see cref="CaseStore"/>: Marten's tables, the
    /// hash-chain trigger, the timers), on this database, its schema created; <paramref name="configure"/>
    /// may add to the configuration (an event type of the benchmark's own).
    /// </summary>
    public async Task<IDocumentStore> CreateEventStoreAsync(Action<StoreOptions>? configure = null, CancellationToken ct = default)
    {
        if (_store is not null) throw new InvalidOperationException("the event store of this benchmark database is made already");
        _store = DocumentStore.For(o =>
        {
            CaseStore.Configure(o, ConnectionString);
            configure?.Invoke(o);
        });
        await _store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        return _store;
    }

    /// <summary>Connections to the benchmark's database; its pool holds <paramref name="maxPoolSize"/> of <see cref="CreateAsync"/>.</summary>
    public NpgsqlDataSource DataSource { get; }

    public string ServerVersion { get; }

    public static async Task<BenchDatabase> CreateAsync(string connectionString, int maxPoolSize, CancellationToken ct)
    {
        var name = "cases_bench_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        // The admin connection is not pooled: it is used twice, and a pooled idle connection
        // would be one more session to end before the drop.
        var admin = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        string version;
        await using (var conn = new NpgsqlConnection(admin))
        {
            await conn.OpenAsync(ct);
            await using (var show = new NpgsqlCommand("show server_version", conn))
            {
                version = (string?)await show.ExecuteScalarAsync(ct) ?? "unknown";
            }
            await using var create = new NpgsqlCommand($"create database {name}", conn);
            await create.ExecuteNonQueryAsync(ct);
        }

        var bench = new NpgsqlConnectionStringBuilder(connectionString) { Database = name, MaxPoolSize = maxPoolSize };
        // The benchmarks' own statements (the sample's COPY, vacuum, the raw scans) wait as long as
        // they take: on this shared 2-core machine the 1M-event COPY once took more than the default 30 s.
        var own = new NpgsqlConnectionStringBuilder(bench.ConnectionString) { CommandTimeout = 0 };
        return new BenchDatabase(admin, name, bench.ConnectionString, CaseStore.DataSource(own.ConnectionString, "bench"), version);
    }

    public async ValueTask DisposeAsync()
    {
        if (_dropped) return;
        _dropped = true;
        _store?.Dispose();
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        try
        {
            await using var conn = new NpgsqlConnection(_adminConnectionString);
            await conn.OpenAsync();
            // FORCE ends sessions still open (a writer cut off by a failure), PostgreSQL 13 and later.
            await using var drop = new NpgsqlCommand($"drop database if exists {Name} with (force)", conn);
            await drop.ExecuteNonQueryAsync();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            await Console.Error.WriteLineAsync($"could not drop the benchmark database {Name}: {e.Message}");
        }
    }
}
