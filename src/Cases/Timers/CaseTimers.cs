using CaseSystem.Cases.Api;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Store;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CaseSystem.Cases.Timers;

/// <summary>The renewal cases' timers, fired through the application like any command, by the system itself.</summary>
public sealed class CaseTimers(TimerRunner runner, IDocumentStore store, TimeProvider clock, ILogger<CaseTimers> logger)
{
    public const string Actor = "system:timer";

    public Task<int> RunDueAsync(CancellationToken ct = default) => runner.RunDueAsync(FireAsync, ct: ct);

    private async Task FireAsync(DueTimer timer, CancellationToken ct)
    {
        var command = RenewalTimers.CommandFor(timer.Kind, clock.GetUtcNow());
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession(timer.Municipality);
            var stream = await session.Events.FetchForWriting<RenewalCase>(timer.StreamId, ct);
            try
            {
                var events = CaseDecision.Decide(session, timer.Municipality, timer.StreamId, stream.Aggregate, command, new Actor(Actor, null));
                if (events.Count == 0) return;
                stream.AppendMany(events);
                await session.SaveChangesAsync(ct);
                return;
            }
            catch (RuleViolation violation)
            {
                // A closed case has nothing left to react to time: the timer is done.
                logger.LogInformation("timer {Kind} of case {Case} found nothing to do: {Rule}", timer.Kind, timer.StreamId, violation.Rule.Id);
                return;
            }
            catch (JasperFx.ConcurrencyException) when (attempt < 10)
            {
                // A clerk's command got there first: decided again on the case as it now stands.
            }
        }
    }
}

/// <summary>
/// Polls for due timers every CASES_TIMER_POLL_SECONDS (10 by default; 0 turns the polling off,
/// for a process that fires timers itself); after downtime the first poll catches up with
/// everything due since.
/// </summary>
public sealed class CaseTimerService(CaseTimers timers, TimeProvider clock, IConfiguration configuration, ILogger<CaseTimerService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(configuration.GetValue("CASES_TIMER_POLL_SECONDS", 10.0));
        if (interval <= TimeSpan.Zero)
        {
            logger.LogInformation("case timers are not polled in this process (CASES_TIMER_POLL_SECONDS={Seconds})", interval.TotalSeconds);
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var fired = await timers.RunDueAsync(stoppingToken);
                if (fired > 0) logger.LogInformation("fired {Count} case timers", fired);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "the case timers could not run; trying again in {Interval}", interval);
            }
            try { await Task.Delay(interval, clock, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }
}
