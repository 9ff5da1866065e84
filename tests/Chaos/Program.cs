using System.Globalization;
using System.Runtime.InteropServices;

namespace CaseSystem.Chaos;

/// <summary>
/// Faults survived, by test (issue 14): clerks drive mixed commands through the HTTP API of the
/// server as deployed while, in turn, the server is killed (kill -9) and started again, PostgreSQL
/// restarts (fast), and the server process that owns the projections is killed beside a second one.
/// After each fault, one line on stdout:
/// <c>chaos fault=NAME acknowledged=N missing=M chain=ok|broken lag_recovered_s=S errors_5xx=E</c>;
/// everything else on stderr. Loopback only; bounded in time (each phase's seconds, each wait's
/// limit, and a hard limit over the whole run). Exit code: 0 every goal met, 1 a goal missed (a
/// missing command, a broken chain, read models later than 5 s, a 5xx other than the database's 503),
/// 2 usage, 3 the run could not be carried out (a server that did not start, the hard limit).
/// </summary>
internal static class Program
{
    private const string Usage =
        "usage: CaseSystem.Chaos [--seconds S (each fault's phase, default 30)] [--faults kill,pg-restart,owner-kill] [--clients N (default 8)]\n" +
        "                        [--pg-cluster NAME (the private cluster `ops/db restart` restarts; needed by pg-restart)] [--server DLL] [--timeout S]\n" +
        "environment: CASES_DB, an Npgsql connection string to the PostgreSQL server where the run makes its database (ops/chaos sets it)";

    public static async Task<int> Main(string[] args)
    {
        var seconds = 30.0;
        var clients = 8;
        string[] faults = Faults.Names;
        string? cluster = null, server = null;
        double? timeout = null;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--seconds" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s is >= 1 and <= 3600:
                    seconds = s; i++; break;
                case "--clients" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var c) && c is > 0 and <= 100:
                    clients = c; i++; break;
                case "--faults" when value is not null && value.Split(',') is var names && names.All(Faults.Names.Contains):
                    faults = names; i++; break;
                case "--pg-cluster" when !string.IsNullOrWhiteSpace(value):
                    cluster = value; i++; break;
                case "--server" when value is not null && File.Exists(value):
                    server = Path.GetFullPath(value); i++; break;
                case "--timeout" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var t) && t > 0:
                    timeout = t; i++; break;
                case "-h" or "--help":
                    Console.WriteLine(Usage);
                    return 0;
                default:
                    return UsageError($"bad option '{args[i]}'" + (value is null ? "" : $" '{value}'"));
            }
        }
        if (Environment.GetEnvironmentVariable("CASES_DB") is not { Length: > 0 } conn) return UsageError("CASES_DB is not set (ops/chaos sets it)");
        if (faults.Contains("pg-restart") && cluster is null) return UsageError("pg-restart needs --pg-cluster NAME (a private cluster of ops/db)");
        var repository = Repository();
        server ??= Path.Combine(repository, "src", "Server", "bin", "Release", "net10.0", "CaseSystem.Server.dll");
        if (!File.Exists(server)) return UsageError($"the server is not built at {server} (dotnet build -c Release src/Server, or --server)");
        // Each phase, its waits (a start, a takeover, the read models) and room besides.
        var limit = TimeSpan.FromSeconds(timeout ?? 120 + faults.Length * (seconds + 240));

        using var cancel = new CancellationTokenSource(limit);
        // Ctrl-C and SIGTERM (a wrapper's timeout) end the run with its processes stopped and its database dropped.
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cancel.Cancel(); });
        try
        {
            return await RunAsync(conn, server, repository, cluster, faults, clients, TimeSpan.FromSeconds(seconds), limit, cancel.Token);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Log.Line($"stopped: the run's limit of {limit.TotalSeconds:0} s passed, or it was interrupted");
            return 3;
        }
        catch (Exception e)
        {
            // Whatever stopped it (a server that did not start, a takeover that never came, a clerk's
            // unexpected answer): said on stderr, and no result line claims a fault was survived.
            Log.Line($"the run could not be carried out: {e}");
            return 3;
        }
    }

    private static async Task<int> RunAsync(string conn, string server, string repository, string? cluster, string[] faults, int clients,
        TimeSpan phase, TimeSpan limit, CancellationToken ct)
    {
        var keyDir = Directory.CreateTempSubdirectory("casesystem-chaos-");
        try
        {
            await using var db = await ChaosDatabase.CreateAsync(conn, ct);
            var counter = new Counter(Path.Combine(keyDir.FullName, "token.key"), limit + TimeSpan.FromMinutes(5));
            var environment = new Dictionary<string, string>
            {
                ["CASES_DB"] = db.ConnectionString,
                ["CASES_TOKEN_KEY_FILE"] = counter.KeyFile,
                // A shifted clock is taken in demo mode only; these processes seed no sample cases.
                ["CASES_DEMO"] = "1",
                ["CASES_DEMO_SEED"] = "0",
                ["CASES_CLOCK_OFFSET"] = counter.OffsetSetting,
                ["DOTNET_ENVIRONMENT"] = "Production",
            };
            // Shown logs carry the time of day, to be read against the run's own lines.
            if (Environment.GetEnvironmentVariable("CASES_CHAOS_SERVER_LOG") == "1") environment["Logging__Console__TimestampFormat"] = "HH:mm:ss.fff ";
            Log.Line($"chaos: {Environment.ProcessorCount} cores, load average {ChaosRun.LoadAverage()}, {clients} clerks, {phase.TotalSeconds:0.#} s per fault, " +
                     $"faults {string.Join(",", faults)}, database {db.Name}, server {server}, the servers' clock at {counter.Now.ToOffset(CaseSystem.Cases.JapanTime.Offset):yyyy-MM-dd HH:mm} Japan time");
            await using var pool = new ServerPool(server, environment);
            using var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(3), UseProxy = false };
            using var http = new HttpClient(handler, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(15) };
            var run = new ChaosRun(db, counter, pool, http, clients, phase);
            var failed = false;
            foreach (var name in faults)
            {
                var result = await run.PhaseAsync(Faults.Named(name, db, repository, cluster), ct);
                Console.WriteLine(result.Line);
                failed |= !result.MeetsGoals;
            }
            Log.Line($"chaos: done, load average {ChaosRun.LoadAverage()}{(failed ? "; a goal was missed" : "; every goal met")}");
            return failed ? 1 : 0;
        }
        finally
        {
            keyDir.Delete(recursive: true);
        }
    }

    /// <summary>The repository this program was built in (ops/db, the server's build).</summary>
    private static string Repository()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CaseSystem.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException($"no CaseSystem.sln above {AppContext.BaseDirectory}");
    }

    private static int UsageError(string message)
    {
        Console.Error.WriteLine(message);
        Console.Error.WriteLine(Usage);
        return 2;
    }
}
