using System.Diagnostics;
using CaseSystem.Projections.Daemon;

namespace CaseSystem.Chaos;

/// <summary>A fault the run injects while the load runs, on a number of server processes.</summary>
internal interface IFault
{
    string Name { get; }

    /// <summary>How many server processes the fault is made on.</summary>
    int Servers { get; }

    /// <summary>Injects the fault and returns when it has ended (a Stopwatch timestamp): the system is whole again.</summary>
    Task<long> InjectAsync(ServerPool pool, CancellationToken ct);
}

internal static class Faults
{
    public static readonly string[] Names = ["kill", "pg-restart", "owner-kill"];

    public static IFault Named(string name, ChaosDatabase db, string repository, string? cluster) => name switch
    {
        "kill" => new KillServer(),
        "pg-restart" => new RestartPostgres(repository, cluster ?? throw new ArgumentException("pg-restart needs --pg-cluster (the private cluster ops/db restarts)")),
        "owner-kill" => new KillProjectionOwner(db.Admin),
        _ => throw new ArgumentException($"unknown fault '{name}' (one of {string.Join(", ", Names)})"),
    };
}

/// <summary>kill -9 of the one server process, and a new one started: the fault ends when it has started.</summary>
internal sealed class KillServer : IFault
{
    public string Name => "kill";

    public int Servers => 1;

    public async Task<long> InjectAsync(ServerPool pool, CancellationToken ct)
    {
        await pool.KillAsync(pool.Live.Single());
        var restarted = Stopwatch.GetTimestamp();
        await pool.StartAsync(ct);
        Log.Line($"kill: a new server process was up {Stopwatch.GetElapsedTime(restarted).TotalSeconds:0.00} s after the kill");
        return Stopwatch.GetTimestamp();
    }
}

/// <summary>
/// A fast restart of the private PostgreSQL (<c>ops/db restart CLUSTER</c>: pg_ctl restart -m fast,
/// run as the cluster's own OS user): every session ended, open transactions rolled back. The fault
/// ends when pg_ctl says the server accepts connections again.
/// </summary>
internal sealed class RestartPostgres(string repository, string cluster) : IFault
{
    public string Name => "pg-restart";

    public int Servers => 1;

    public async Task<long> InjectAsync(ServerPool pool, CancellationToken ct)
    {
        var start = new ProcessStartInfo(Path.Combine(repository, "ops", "db"), ["restart", cluster])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // ops/db restarts nothing when CASES_DB names a server: the cluster is the run's own.
        start.Environment.Remove("CASES_DB");
        var began = Stopwatch.GetTimestamp();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("ops/db did not start");
        var output = process.StandardError.ReadToEndAsync(ct);
        await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0) throw new InvalidOperationException($"ops/db restart {cluster} failed ({process.ExitCode}): {await output}");
        Log.Line($"pg-restart: PostgreSQL accepted connections again {Stopwatch.GetElapsedTime(began).TotalSeconds:0.00} s after the restart began");
        return Stopwatch.GetTimestamp();
    }
}

/// <summary>
/// Two server processes (HotCold: one runs every read model, the other waits for their locks):
/// kill -9 of the one that owns the projections. The fault ends when the other owns every shard.
/// </summary>
internal sealed class KillProjectionOwner(ProjectionAdmin admin) : IFault
{
    public static readonly TimeSpan TakeoverTimeout = TimeSpan.FromSeconds(60);

    public string Name => "owner-kill";

    public int Servers => 2;

    public async Task<long> InjectAsync(ServerPool pool, CancellationToken ct)
    {
        var owner = await OwnerAsync(pool, ct);
        var killed = Stopwatch.GetTimestamp();
        await pool.KillAsync(owner);
        var heir = await OwnerAsync(pool, ct);
        Log.Line($"owner-kill: process {heir.Id} owned every read model {Stopwatch.GetElapsedTime(killed).TotalSeconds:0.00} s after process {owner.Id} was killed");
        return Stopwatch.GetTimestamp();
    }

    /// <summary>The live process that owns every read model's shard, once one does.</summary>
    private async Task<ServerProcess> OwnerAsync(ServerPool pool, CancellationToken ct)
    {
        var until = Stopwatch.GetTimestamp() + (long)(TakeoverTimeout.TotalSeconds * Stopwatch.Frequency);
        IReadOnlyList<ProjectionStatus> status = [];
        while (Stopwatch.GetTimestamp() < until)
        {
            status = await admin.StatusAsync(ct: ct);
            // By process, not by session: a process may hold its shards' locks on several sessions
            // (after PostgreSQL restarted, each shard's lock is taken again on a session of its own).
            var owners = status.Select(s => pool.Live.FirstOrDefault(p => p.Owns(s.Owner))).Distinct().ToList();
            if (owners is [{ } owner]) return owner;
            await Task.Delay(20, ct);
        }
        foreach (var s in status) Log.Line($"  {s.Name}: owner {s.Owner ?? "none"}, state {s.State ?? "-"}, position {s.Position} of {s.Head}");
        Log.Line($"  live server processes: {string.Join(", ", pool.Live.Select(s => s.Id))}");
        throw new TimeoutException($"no live server process owned every read model within {TakeoverTimeout}");
    }
}
