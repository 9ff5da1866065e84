using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Policies;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Store;
using CaseSystem.Cases.Timers;
using Marten;
using Microsoft.AspNetCore.Http;
using Wolverine;

namespace CaseSystem.Cases.Api;

/// <summary>Who acts: the staff member and their office, or the system itself (a timer).</summary>
public sealed record Actor(string StaffId, string? Office)
{
    public static Actor Of(HttpContext http) =>
        http.User.FindStaff() is { } staff ? new Actor(staff.StaffId, staff.Office) : throw new InvalidOperationException("a case is changed by staff only");
}

/// <summary>What a command decided: the new events, the case as they leave it, and the timers they set.</summary>
public sealed record Decision(IReadOnlyList<RenewalEvent> Events, RenewalState After, OutgoingMessages Timers);

/// <summary>
/// The one application step every writer shares (the command endpoints, the notice import, the
/// timers), between Wolverine's load of the case and its append at the loaded version: decide
/// with the municipality's policy, put into the same session who acted, where and by which
/// command (event metadata), and schedule the timers the new events set.
/// </summary>
public static class CaseDecision
{
    public static Decision Decide(
        IDocumentSession session, string municipality, Guid caseId, RenewalCase? loaded, RenewalCommand command, Actor actor, TimeProvider clock)
    {
        var state = RenewalCase.StateOf(loaded);
        var events = new RenewalDecider(MunicipalPolicies.For(municipality)).Decide(command, state);
        var after = events.Aggregate(state, RenewalState.Evolve);
        if (events.Count == 0) return new Decision(events, after, []);

        session.LastModifiedBy = actor.StaffId;
        if (actor.Office is { } office) session.SetHeader(CaseStore.Headers.Office, office);
        session.SetHeader(CaseStore.Headers.Command, command.GetType().Name);
        return new Decision(events, after, CaseTimers.Schedule(municipality, caseId, RenewalTimers.SetBy(events, after), clock));
    }
}
