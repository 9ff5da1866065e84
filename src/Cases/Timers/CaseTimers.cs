using CaseSystem.Cases.Api;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Store;
using Marten;
using Microsoft.Extensions.Logging;
using Wolverine;
using Wolverine.Marten;

namespace CaseSystem.Cases.Timers;

/// <summary>
/// A case's reaction to time falling due (the renewal window opening, a certificate's lapse, an
/// inquiry going unanswered): a Wolverine scheduled message, stored by Wolverine's outbox in the
/// same transaction as the events that set it, and fired once by whichever server process holds
/// Wolverine's scheduled-job duty (another takes over when it dies).
/// </summary>
public sealed record CaseTimerDue(Guid CaseId, string Kind, DateTimeOffset DueAt);

public static class CaseTimers
{
    public const string Actor = "system:timer";

    private static readonly TimeSpan OverdueDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The scheduled messages for the timers a command's events set. Wolverine schedules by the
    /// real clock, the domain reads time only from <see cref="TimeProvider"/>: in production the
    /// two agree; a test that sets the clock elsewhere schedules at the same distance from now.
    /// </summary>
    /// <remarks>
    /// A timer already due is scheduled a moment ahead rather than sent at once: Wolverine hands a
    /// message due now straight to the local queue of the process that sent it, and only the
    /// processes that fire timers (not CASES_TIMERS=off) should fire any.
    /// </remarks>
    public static OutgoingMessages Schedule(string municipality, Guid caseId, IEnumerable<TimerSchedule> timers, TimeProvider clock)
    {
        var messages = new OutgoingMessages();
        var now = DateTimeOffset.UtcNow;
        var offset = now - clock.GetUtcNow();
        foreach (var timer in timers)
        {
            var at = timer.DueAt + offset;
            if (at < now + OverdueDelay) at = now + OverdueDelay;
            var message = new CaseTimerDue(caseId, timer.Kind, timer.DueAt).ScheduledAt(at);
            // The case's municipality is the tenant its handler's session opens, whoever schedules it.
            message.Options.TenantId = municipality;
            messages.Add(message);
        }
        return messages;
    }
}

/// <summary>
/// Fires a due timer through the aggregate handler workflow, like any command: load the case,
/// decide, append at the version loaded. Exactly once in effect: a timer the case no longer needs,
/// or one delivered again after a process died between its commit and Wolverine's bookkeeping, is
/// a command the decider answers with nothing (the window is open, the certificate lapsed, the
/// inquiry flagged already); a lost race with a clerk's command is retried on the fresh case
/// (the error policy in CasesModule).
/// </summary>
public static class CaseTimerDueHandler
{
    public static (Events, OutgoingMessages) Handle(CaseTimerDue timer, [WriteAggregate(nameof(CaseTimerDue.CaseId))] RenewalCase? renewalCase,
        IDocumentSession session, TimeProvider clock, ILogger<CaseTimerDue> logger)
    {
        var municipality = session.TenantId;
        var command = RenewalTimers.CommandFor(timer.Kind, clock.GetUtcNow());
        try
        {
            var decision = CaseDecision.Decide(session, municipality, timer.CaseId, renewalCase, command, new Actor(CaseTimers.Actor, null), clock);
            return ([.. decision.Events], decision.Timers);
        }
        catch (RuleViolation violation)
        {
            // A closed case has nothing left to react to time: the timer is done.
            logger.LogInformation("timer {Kind} of case {Case} found nothing to do: {Rule}", timer.Kind, timer.CaseId, violation.Rule.Id);
            return ([], []);
        }
    }
}
