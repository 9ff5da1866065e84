using System.Diagnostics;
using System.Globalization;

namespace CaseSystem.Chaos;

/// <summary>One fault's outcome, and the line it prints.</summary>
internal sealed record FaultResult(string Fault, int Acknowledged, int Missing, bool Chain, double? LagSeconds, int Errors5xx)
{
    /// <summary>The read models must have caught up within this of the fault's end (issue 14).</summary>
    public const double LagGoalSeconds = 5;

    public bool MeetsGoals => Missing == 0 && Chain && LagSeconds is <= LagGoalSeconds && Errors5xx == 0;

    public string Line => string.Create(CultureInfo.InvariantCulture,
        $"chaos fault={Fault} acknowledged={Acknowledged} missing={Missing} chain={(Chain ? "ok" : "broken")} lag_recovered_s={(LagSeconds is { } s ? s.ToString("0.00", CultureInfo.InvariantCulture) : "timeout")} errors_5xx={Errors5xx}");
}

/// <summary>
/// The faults in turn, on one database and one pool of server processes. Each phase: as many server
/// processes as the fault needs, the clerks' load for a third of the phase's seconds, the fault, the
/// load for the other two thirds after the fault's end, then the load stops (each clerk ends the
/// request in flight) and what the fault left is checked. The acknowledged commands of the earlier
/// phases are checked again after each fault, and one lost since counts as missing in this one.
/// </summary>
internal sealed class ChaosRun(ChaosDatabase db, Counter counter, ServerPool pool, HttpClient http, int clients, TimeSpan phase)
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(45);

    private readonly List<Ack> _earlier = [];
    private readonly HashSet<Ack> _knownMissing = new(ReferenceEqualityComparer.Instance);
    private readonly Verifier _verifier = new(db, counter, pool, http);

    public async Task<FaultResult> PhaseAsync(IFault fault, CancellationToken ct)
    {
        await pool.TrimToAsync(fault.Servers);
        while (pool.Live.Count < fault.Servers) await pool.StartAsync(ct);
        var journal = new Journal(fault.Name);
        var errorsBefore = pool.Errors;
        Log.Line($"{fault.Name}: {clients} clerks on {pool.Live.Count} server process(es), load average {LoadAverage()}");

        var stop = 0;
        var load = Enumerable.Range(0, clients)
            .Select(i => new Clerk(i, counter.Desks[i % counter.Desks.Count], counter, pool, http, journal, () => Volatile.Read(ref stop) != 0))
            .Select(c => Task.Run(() => c.RunAsync(ct), CancellationToken.None))
            .ToList();
        double? lag;
        try
        {
            await Task.Delay(phase / 3, ct);
            Log.Line($"{fault.Name}: injecting the fault ({journal.Acks.Count} commands acknowledged so far)");
            var ended = await fault.InjectAsync(pool, ct);
            // Measured while the load goes on, as it would after a real fault.
            var recovered = _verifier.LagRecoveredAsync(ended, ct);
            await Task.Delay(phase * 2 / 3, ct);
            Volatile.Write(ref stop, 1);
            lag = await recovered;
        }
        finally
        {
            Volatile.Write(ref stop, 1);
            await Task.WhenAll(load).WaitAsync(StopTimeout, CancellationToken.None);
        }
        Log.Line(journal.Summary());
        Log.Line($"{fault.Name}: the servers logged {pool.Errors - errorsBefore} error line(s) in this phase");
        await _verifier.CaughtUpAsync(ct);

        var missing = await _verifier.MissingAsync([.. _earlier, .. journal.Acks], ct);
        var newlyMissing = missing.Count(a => _knownMissing.Add(a));
        _earlier.AddRange(journal.Acks);
        var chain = await _verifier.ChainAsync(ct);
        return new FaultResult(fault.Name, journal.Acks.Count, newlyMissing, chain, lag, journal.Errors5xx);
    }

    /// <summary>The machine's 1-minute load average (Linux), for the reader of the figures.</summary>
    public static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
