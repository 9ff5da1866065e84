using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using CaseSystem.Cases.Auth;

namespace CaseSystem.Cases.Tests.Support;

/// <summary>
/// Real server processes (the Release or Debug build of src/Server beside these tests; ops/test
/// builds the whole solution first) on one database, with a token key of their own so that the
/// test can mint the tokens they accept, and optionally a shifted clock (CASES_CLOCK_OFFSET).
/// Every process still running at the end is killed.
/// </summary>
public sealed class ServerProcesses(string connectionString, TimeSpan? clockOffset = null) : IAsyncDisposable
{
    private readonly string _keyFile = Path.Combine(Path.GetTempPath(), "casesystem-test-" + Guid.NewGuid().ToString("N"), "token.key");
    private readonly List<ServerProcess> _started = [];
    private StaffTokenSigner? _signer;

    public IReadOnlyList<ServerProcess> Started => _started;

    /// <summary>Signs with the key the processes read (made now if they have not made it yet).</summary>
    public StaffTokenSigner Signer => _signer ??= new StaffTokenSigner(StaffTokenKey.LoadOrCreate(_keyFile));

    /// <summary>The server dll as built beside these tests.</summary>
    public static string ServerDll()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = dir.FullName.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CaseSystem.sln"))) dir = dir.Parent;
        var dll = Path.Combine(dir!.FullName, "src", "Server", "bin", configuration, "net10.0", "CaseSystem.Server.dll");
        Assert.True(File.Exists(dll), $"{dll} is not built (build the solution first, as ops/test does)");
        return dll;
    }

    /// <summary>
    /// Starts a server process and waits until it has started (its hosted services, Wolverine's among
    /// them, run) and is ready (/health/ready: the database answers, a process runs the timers' agent
    /// and the read models, or this one is serve-only).
    /// </summary>
    public async Task<ServerProcess> StartAsync(IReadOnlyDictionary<string, string>? environment = null)
    {
        _ = Signer; // the key file exists before any process looks for it
        var start = new ProcessStartInfo("dotnet", [ServerDll(), "--urls", "http://127.0.0.1:0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["CASES_DB"] = connectionString;
        start.Environment[StaffTokenKey.EnvironmentVariable] = _keyFile;
        // A shifted clock is taken in demo mode only (DemoMode); these processes seed nothing.
        if (clockOffset is { } offset)
        {
            start.Environment["CASES_CLOCK_OFFSET"] = offset.ToString("c");
            start.Environment[CaseSystem.Cases.Demo.DemoMode.Setting] = "1";
            start.Environment[CaseSystem.Cases.Demo.DemoMode.SeedSetting] = "0";
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var server = new ServerProcess(Process.Start(start)!);
        _started.Add(server);
        var within = TimeSpan.FromSeconds(120);
        var since = Stopwatch.StartNew();
        await server.StartedAsync(within);
        await server.ReadyAsync(within - since.Elapsed);
        server.Http = new HttpClient(new Tokens(this) { InnerHandler = new HttpClientHandler() }) { BaseAddress = server.Url };
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _started) await server.DisposeAsync();
        if (Directory.Exists(Path.GetDirectoryName(_keyFile))) Directory.Delete(Path.GetDirectoryName(_keyFile)!, recursive: true);
    }

    /// <summary>A clerk's token of the municipality in the path, valid for 8 hours of the processes' clock.</summary>
    private sealed class Tokens(ServerProcesses servers) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var segments = request.RequestUri!.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (request.Headers.Authorization is null && segments is ["api", var municipality, ..])
            {
                var expires = DateTimeOffset.UtcNow + (servers.ClockOffsetOrZero) + TimeSpan.FromHours(8);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer",
                    servers.Signer.Issue(new StaffIdentity("clerk-1", StaffRole.Clerk, municipality, "shimin-ka", expires)));
            }
            return base.SendAsync(request, ct);
        }
    }

    private TimeSpan ClockOffsetOrZero => clockOffset ?? TimeSpan.Zero;
}

/// <summary>One server process: its URL, its Wolverine node number, its output (CASES_TEST_LOG=1 echoes it), kill -9.</summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<string> _tail = new();

    internal ServerProcess(Process process)
    {
        Process = process;
        Id = process.Id;
        var echo = Environment.GetEnvironmentVariable("CASES_TEST_LOG") is { Length: > 0 };
        void Read(string? line)
        {
            if (line is null) return;
            if (echo) Console.WriteLine($"[{Id}] {line}");
            _tail.Enqueue(line);
            while (_tail.Count > 200) _tail.TryDequeue(out _);
            if (Listening().Match(line) is { Success: true } url) Url = new Uri(url.Groups[1].Value);
            if (NodeNumberLine().Match(line) is { Success: true } node) NodeNumber = int.Parse(node.Groups[1].Value);
            if (line.Contains("Application started", StringComparison.Ordinal)) _started.TrySetResult();
        }
        process.OutputDataReceived += (_, e) => Read(e.Data);
        process.ErrorDataReceived += (_, e) => Read(e.Data);
        process.Exited += (_, _) => _started.TrySetException(new InvalidOperationException($"server {Id} exited before it started:\n{Tail}"));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Process Process { get; }

    public int Id { get; }

    public Uri Url { get; private set; } = null!;

    /// <summary>The node number Wolverine gave this process (the owner_id of the envelopes it takes).</summary>
    public int NodeNumber { get; private set; }

    /// <summary>Sends a clerk's token of the municipality in the request's path.</summary>
    public HttpClient Http { get; internal set; } = null!;

    /// <summary>The last lines the process wrote, for a failure's message.</summary>
    public string Tail => string.Join('\n', _tail);

    internal async Task StartedAsync(TimeSpan within)
    {
        try
        {
            await _started.Task.WaitAsync(within);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"server {Id} did not start within {within}:\n{Tail}");
        }
        Assert.True(Url is not null && NodeNumber > 0, $"server {Id} started without saying its URL and node number:\n{Tail}");
    }

    /// <summary>Polls /health/ready until it answers 200 (every 100 ms: a probe is one query or three).</summary>
    internal async Task ReadyAsync(TimeSpan within)
    {
        using var probe = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(10) };
        var until = DateTimeOffset.UtcNow + within;
        var last = "";
        while (DateTimeOffset.UtcNow < until && !Process.HasExited)
        {
            try
            {
                using var response = await probe.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode) return;
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"server {Id} was not ready within {within} (last answer: {last}):\n{Tail}");
    }

    /// <summary>kill -9: SIGKILL, no shutdown of any kind (.NET's Process.Kill on Unix).</summary>
    public async Task KillAsync()
    {
        Process.Kill(entireProcessTree: true);
        await Process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        await Process.WaitForExitAsync();
        Process.Dispose();
    }

    // The process logs JSON (its stdout is a pipe): the URL ends at the closing quote.
    [GeneratedRegex(@"Now listening on: (http://[^\s""]+)")]
    private static partial Regex Listening();

    [GeneratedRegex(@"with assigned node id (\d+)")]
    private static partial Regex NodeNumberLine();
}

/// <summary>A database of the test's own and server processes on it: the processes stopped before the database is dropped.</summary>
public sealed class ProcessesOnDatabase<TDatabase>(TDatabase database) : IAsyncLifetime where TDatabase : TestDatabase
{
    public TDatabase Database { get; } = database;

    public ServerProcesses Servers { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        Servers = new ServerProcesses(Database.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        if (Servers is not null) await Servers.DisposeAsync();
        await Database.DisposeAsync();
    }
}
