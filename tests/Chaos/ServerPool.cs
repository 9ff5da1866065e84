using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace CaseSystem.Chaos;

/// <summary>
/// One server process as deployed (<c>dotnet CaseSystem.Server.dll</c>, Production, on a port of
/// 127.0.0.1 it chooses). Its console goes to stderr, each line with the process id, only when
/// CASES_CHAOS_SERVER_LOG=1; the last lines are kept for a failure's message, and its error lines counted.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<string> _tail = new();
    private int _errors;

    private ServerProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public Uri? Url { get; private set; }

    /// <summary>Lines the server logged at level error or above ("fail:", "crit:"): an unexpected error is logged once each.</summary>
    public int Errors => Volatile.Read(ref _errors);

    public string Tail => string.Join('\n', _tail);

    /// <summary>Whether a projection's owner, as ProjectionAdmin names it (application name "casesystem host:PID (pid BACKEND)"), is this process.</summary>
    public bool Owns(string? owner) => owner?.Contains($":{Id} ", StringComparison.Ordinal) == true;

    public static ServerProcess Start(string dll, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", "http://127.0.0.1:0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The content root (appsettings.json, wwwroot) is the server's folder, as installed.
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        // Read as text: the lines below are matched by their text prefixes ("fail:", "Now listening on:"),
        // and a server whose output is redirected logs JSON unless told (ConsoleLogs).
        start.Environment["CASES_LOG_FORMAT"] = "text";
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException("the server process did not start");
        var server = new ServerProcess(process);
        var echo = Environment.GetEnvironmentVariable("CASES_CHAOS_SERVER_LOG") == "1";
        void Read(string? line)
        {
            if (line is null) return;
            if (echo) Console.Error.WriteLine($"[{process.Id}] {line}");
            server._tail.Enqueue(line);
            while (server._tail.Count > 100) server._tail.TryDequeue(out _);
            if (ErrorLine().IsMatch(line)) Interlocked.Increment(ref server._errors);
            if (Listening().Match(line) is { Success: true } url) server.Url = new Uri(url.Groups[1].Value);
            if (line.Contains("Application started", StringComparison.Ordinal)) server._started.TrySetResult();
        }
        process.OutputDataReceived += (_, e) => Read(e.Data);
        process.ErrorDataReceived += (_, e) => Read(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _ = process.WaitForExitAsync().ContinueWith(_ => server._started.TrySetException(
            new InvalidOperationException($"server process {process.Id} exited with {process.ExitCode} before it started:\n{server.Tail}")),
            TaskScheduler.Default);
        return server;
    }

    /// <summary>Completes when the server says it has started: its hosted services (Wolverine's, Marten's daemon) run, and it listens.</summary>
    public async Task StartedAsync(TimeSpan within, CancellationToken ct)
    {
        try
        {
            await _started.Task.WaitAsync(within, ct);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"server process {Id} did not start within {within}:\n{Tail}");
        }
        if (Url is null) throw new InvalidOperationException($"server process {Id} started without saying where it listens:\n{Tail}");
    }

    /// <summary>kill -9 (SIGKILL: .NET's Process.Kill on Unix): no shutdown of any kind; the kernel closes its sockets.</summary>
    public async Task KillHardAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex Listening();

    /// <summary>The console formatter's level of an error or a critical message, after the timestamp when there is one.</summary>
    [GeneratedRegex(@"^(\S+ )?(fail|crit): ")]
    private static partial Regex ErrorLine();
}

/// <summary>
/// The server processes of a run, as a load balancer sees them: the clients ask for a live server
/// (spread by client number) and the faults start and kill them. A killed process leaves the pool
/// at once, as a balancer's health check would take it out; requests already sent to it fail.
/// </summary>
internal sealed class ServerPool(string dll, IReadOnlyDictionary<string, string> environment) : IAsyncDisposable
{
    /// <summary>How long a start may take on a loaded 2-core machine (schema check, Wolverine's and Marten's agents).</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    private readonly object _gate = new();
    private readonly List<ServerProcess> _live = [];
    private readonly List<ServerProcess> _all = [];

    public IReadOnlyList<ServerProcess> Live
    {
        get { lock (_gate) return [.. _live]; }
    }

    /// <summary>The server a client sends to now, or null while none is up.</summary>
    public Uri? UrlFor(int client)
    {
        lock (_gate) return _live.Count == 0 ? null : _live[client % _live.Count].Url;
    }

    /// <summary>Lines logged at level error or above by every process of the run so far.</summary>
    public int Errors
    {
        get { lock (_gate) return _all.Sum(s => s.Errors); }
    }

    /// <summary>Starts a process and adds it to the pool once it has started.</summary>
    public async Task<ServerProcess> StartAsync(CancellationToken ct)
    {
        var server = ServerProcess.Start(dll, environment);
        lock (_gate) _all.Add(server);
        await server.StartedAsync(StartTimeout, ct);
        lock (_gate) _live.Add(server);
        Log.Line($"server process {server.Id} started at {server.Url}");
        return server;
    }

    /// <summary>kill -9 of a live process; it leaves the pool first.</summary>
    public async Task KillAsync(ServerProcess server)
    {
        lock (_gate) _live.Remove(server);
        await server.KillHardAsync();
        Log.Line($"server process {server.Id} killed (SIGKILL)");
    }

    /// <summary>Stops processes beyond <paramref name="count"/> (newest first), for a fault that needs fewer.</summary>
    public async Task TrimToAsync(int count)
    {
        while (true)
        {
            ServerProcess? extra;
            lock (_gate) extra = _live.Count > count ? _live[^1] : null;
            if (extra is null) return;
            await KillAsync(extra);
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<ServerProcess> all;
        lock (_gate)
        {
            all = [.. _all];
            _live.Clear();
        }
        foreach (var server in all) await server.DisposeAsync();
    }
}
