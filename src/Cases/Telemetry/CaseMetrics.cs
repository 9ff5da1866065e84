using System.Diagnostics.Metrics;
using CaseSystem.Cases.Store;
using Npgsql;

namespace CaseSystem.Cases.Telemetry;

/// <summary>
/// The domain's own instruments on the Meter "CaseSystem" (issue 15). Labels are bounded and carry
/// no personal data: the command's route template (never its values: no case id), the
/// municipality, the outcome and the rule's id, never a name, a case or a staff member.
/// </summary>
public sealed class CaseMetrics
{
    public const string MeterName = "CaseSystem";

    private readonly Counter<long> _commands;

    public CaseMetrics(IMeterFactory meters, NpgsqlDataSource db, TimeProvider clock)
    {
        var meter = meters.Create(MeterName);
        _commands = meter.CreateCounter<long>("casesystem.commands", "{command}",
            "Case commands decided, by command (route template), municipality, outcome (accepted, refused, invalid, conflict, error) and rule (refused ones).");
        var backlog = new CachedSample<long>(TimeSpan.FromSeconds(5), async ct =>
        {
            // Due but not fired: Wolverine's scheduled envelopes whose time has passed. Normally 0 or a
            // few for a second; a growing number means no process runs the timers' agent.
            await using var cmd = db.CreateCommand(
                $"select count(*) from {CaseStore.Schema}.wolverine_incoming_envelopes where status = 'Scheduled' and execution_time <= $1");
            cmd.Parameters.AddWithValue(clock.GetUtcNow().UtcDateTime);
            return [new((long)(await cmd.ExecuteScalarAsync(ct))!, [])];
        });
        meter.CreateObservableGauge("casesystem.timers.backlog", backlog.Observe, "{timer}",
            "Scheduled timers whose time has passed and that have not fired yet (sampled at most every 5 s).");
    }

    public void Command(string command, string? municipality, string outcome, string? rule = null) =>
        _commands.Add(1,
            new KeyValuePair<string, object?>("command", command),
            new KeyValuePair<string, object?>("municipality", municipality ?? ""),
            new KeyValuePair<string, object?>("outcome", outcome),
            new KeyValuePair<string, object?>("rule", rule ?? ""));
}

/// <summary>
/// An observable instrument's measurements read from the database at most once per period: a scrape
/// every few seconds from several collectors costs one query. The callback of an observable instrument
/// is synchronous, so a stale sample is refreshed there with a bound (2 s); a failed refresh keeps the
/// last sample, and a sample never taken yields nothing rather than a false zero.
/// </summary>
public sealed class CachedSample<T>(TimeSpan period, Func<CancellationToken, Task<IReadOnlyList<Measurement<T>>>> read) where T : struct
{
    private readonly Lock _gate = new();
    private IReadOnlyList<Measurement<T>> _last = [];
    private DateTimeOffset _at = DateTimeOffset.MinValue;

    public IEnumerable<Measurement<T>> Observe()
    {
        lock (_gate)
        {
            if (DateTimeOffset.UtcNow - _at < period) return _last;
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                _last = Task.Run(() => read(cts.Token)).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException or InvalidOperationException)
            {
                // The database away: the health probe says so; the gauge keeps its last value.
            }
            _at = DateTimeOffset.UtcNow;
            return _last;
        }
    }
}
