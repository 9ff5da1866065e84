using System.Diagnostics;

namespace CaseSystem.Benchmarks;

/// <summary>
/// The server as deployed, in a process of its own (<c>dotnet CaseSystem.Server.dll</c>, built
/// beside the benchmarks by ops/bench), on a benchmark's database. Its console goes nowhere unless
/// CASES_BENCH_SERVER_LOG=1 (then to stderr, each line with the process id).
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Whether a projection's owner, as <c>ProjectionAdmin</c> names it (application name "casesystem host:PID (pid BACKEND)"), is this process.</summary>
    public bool Owns(string? owner) => owner?.Contains($":{Id} ", StringComparison.Ordinal) == true;

    /// <summary>Completes when the server says it has started (its hosted services, Marten's projection coordinator among them, run).</summary>
    public Task StartedAsync(TimeSpan within) => _started.Task.WaitAsync(within);

    public static ServerProcess Start(string connectionString, string tokenKeyFile)
    {
        var start = new ProcessStartInfo("dotnet", [Dll(), "--urls", "http://127.0.0.1:0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["CASES_DB"] = connectionString;
        start.Environment["CASES_TOKEN_KEY_FILE"] = tokenKeyFile;
        var process = Process.Start(start) ?? throw new InvalidOperationException("the server process did not start");
        var server = new ServerProcess(process);
        var echo = Environment.GetEnvironmentVariable("CASES_BENCH_SERVER_LOG") == "1";
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { } line) return;
            if (echo) Console.Error.WriteLine($"[{process.Id}] {line}");
            if (line.Contains("Application started", StringComparison.Ordinal)) server._started.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) => { if (echo && e.Data is { } line) Console.Error.WriteLine($"[{process.Id}] {line}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _ = process.WaitForExitAsync().ContinueWith(_ => server._started.TrySetException(
            new InvalidOperationException($"server process {process.Id} exited with {process.ExitCode} (CASES_BENCH_SERVER_LOG=1 shows its log)")),
            TaskScheduler.Default);
        return server;
    }

    /// <summary>kill -9: no shutdown, no goodbye; its sessions end when the kernel closes its sockets.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: false);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    /// <summary>The server as built in Release beside the benchmarks (ops/bench builds it).</summary>
    private static string Dll()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CaseSystem.sln"))) dir = dir.Parent;
        var dll = dir is null ? null : Path.Combine(dir.FullName, "src", "Server", "bin", "Release", "net10.0", "CaseSystem.Server.dll");
        return dll is not null && File.Exists(dll)
            ? dll
            : throw new FileNotFoundException("the server is not built in Release (dotnet build -c Release src/Server; ops/bench does it)", dll);
    }
}
