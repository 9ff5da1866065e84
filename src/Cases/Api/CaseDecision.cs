using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Policies;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Store;
using Marten;
using Microsoft.AspNetCore.Http;

namespace CaseSystem.Cases.Api;

/// <summary>Who acts: the staff member and their office, or the system itself (a timer).</summary>
public sealed record Actor(string StaffId, string? Office)
{
    public static Actor Of(HttpContext http) =>
        http.User.FindStaff() is { } staff ? new Actor(staff.StaffId, staff.Office) : throw new InvalidOperationException("a case is changed by staff only");
}

/// <summary>
/// The one application step every writer shares (the command endpoints, the notice import, the
/// timers), between Marten's load of the case and its append at the loaded version: decide with
/// the municipality's policy, and put into the same session who acted, where and by which
/// command (event metadata), and the timers the new events set.
/// </summary>
public static class CaseDecision
{
    public static IReadOnlyList<RenewalEvent> Decide(
        IDocumentSession session, string municipality, Guid caseId, RenewalCase? loaded, RenewalCommand command, Actor actor)
    {
        var state = RenewalCase.StateOf(loaded);
        var events = new RenewalDecider(MunicipalPolicies.For(municipality)).Decide(command, state);
        if (events.Count == 0) return events;

        session.LastModifiedBy = actor.StaffId;
        if (actor.Office is { } office) session.SetHeader(CaseStore.Headers.Office, office);
        session.SetHeader(CaseStore.Headers.Command, command.GetType().Name);
        CaseTimerWrites.Queue(session, caseId, RenewalTimers.SetBy(events, events.Aggregate(state, RenewalState.Evolve)));
        return events;
    }
}
