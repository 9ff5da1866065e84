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
/// same transaction as the events that set it (Wolverine 6 keeps no copy of a durable scheduled
/// message in memory), and fired by whichever server process's poll of the stored schedule takes
/// it first once it is due: every process polls twice a second, one at a time (a transaction-scoped
/// advisory lock), and marks what it takes as its own. A process killed before a timer falls due
/// leaves it to the others' polls; one killed after taking it holds it until another finds it
/// dead (CasesModule's durability settings) and handles it (TimerProcessTests).
/// </summary>
public sealed record CaseTimerDue(Guid CaseId, string Kind, DateTimeOffset DueAt);

/// <summary>
/// A clock that also says when Wolverine, which schedules by the real clock, should fire a timer
/// due at a moment of the domain's clock. Production has none: a timer fires when it is due.
/// The tests' clock implements it to move the two together.
/// </summary>
public interface ITimerClock
{
    DateTimeOffset FireAt(DateTimeOffset due);
}

public static class CaseTimers
{
    public const string Actor = "system:timer";

    /// <summary>The scheduled messages for the timers a command's events set.</summary>
    public static OutgoingMessages Schedule(string municipality, Guid caseId, IEnumerable<TimerSchedule> timers, TimeProvider clock)
    {
        var messages = new OutgoingMessages();
        foreach (var timer in timers)
        {
            messages.Add(Scheduled(municipality, new CaseTimerDue(caseId, timer.Kind, timer.DueAt), clock));
        }
        return messages;
    }

    /// <summary>
    /// The timer as a message Wolverine fires when <paramref name="clock"/> reads its due moment
    /// (Wolverine's schedule is on the real clock; an <see cref="ITimerClock"/> says when that is).
    /// One already due is handed to the local queue at once, after the commit.
    /// </summary>
    internal static DeliveryMessage<CaseTimerDue> Scheduled(string municipality, CaseTimerDue timer, TimeProvider clock)
    {
        var at = clock is ITimerClock moved ? moved.FireAt(timer.DueAt) : timer.DueAt;
        var message = timer.ScheduledAt(at);
        // The case's municipality is the tenant its handler's session opens, whoever schedules it.
        message.Options.TenantId = municipality;
        return message;
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
        var now = clock.GetUtcNow();
        if (now < timer.DueAt)
        {
            // Woken before its time by this process's clock (another process, with another
            // CASES_CLOCK_OFFSET or a clock behind, set it): the decider would find nothing due and
            // the timer would be spent, the lapse never recorded. Set again for its time instead.
            logger.LogWarning("timer {Kind} of case {Case} due at {Due} woke at {Now} by this process's clock; set again for its time",
                timer.Kind, timer.CaseId, timer.DueAt, now);
            return ([], [CaseTimers.Scheduled(municipality, timer, clock)]);
        }
        var command = RenewalTimers.CommandFor(timer.Kind, now);
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
