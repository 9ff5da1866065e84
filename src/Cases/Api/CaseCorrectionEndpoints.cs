using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Store;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;
using static CaseSystem.Cases.Renewal.RenewalCommand;

namespace CaseSystem.Cases.Api;

public sealed record TicketDropRequest(TicketDrop Drop);
/// <summary>
/// The entry to void by its stream version. Not named Version: Wolverine's aggregate workflow
/// reads a body's Version as the version the case must be at (optimistic concurrency).
/// </summary>
public sealed record VoidEntryRequest(long EntryVersion, string Reason);
public sealed record VisitOutcomeAmendmentRequest(int Visit, VisitOutcome Outcome, string Reason);
public sealed record VisitDocumentsAmendmentRequest(IReadOnlyList<PresentedDocument> Documents, string Reason, ReplyForm ReplyForm = ReplyForm.NotApplicable, bool AuthorityOnRecord = false);

/// <summary>
/// Issue 12: a ticket leaving the queue without a visit, and the corrections (a voided entry, an
/// amended visit outcome or document list, each with its reason; who and where are the event's
/// metadata). The same workflow as <see cref="CaseCommandEndpoints"/>: Wolverine loads the case,
/// the pure decider decides, Wolverine appends at the loaded version. A supervisor may correct too.
/// </summary>
public static class CaseCorrectionEndpoints
{

    /// <summary>If-Match, when sent, must be the version Wolverine loaded: else 409 before anything is decided.</summary>
    public static ProblemDetails Validate(HttpContext http, RenewalCase renewalCase) =>
        ETags.CheckIfMatch(http, renewalCase.Version);

    [WolverinePost(CasePaths.Case + CasePaths.DropTicket), Staff(StaffRole.Clerk), CaseCommand]
    public static (CaseView, Events, OutgoingMessages) DropTicket(TicketDropRequest body, string municipality, Guid caseId,
        [WriteAggregate("caseId", OnMissing = OnMissing.ProblemDetailsWith404)] RenewalCase renewalCase, IDocumentSession session, HttpContext http, TimeProvider clock) =>
        CaseCommandEndpoints.Decide(new RenewalCommand.DropTicket(body.Drop, clock.GetUtcNow()), municipality, caseId, renewalCase, session, http, clock);

    [WolverinePost(CasePaths.Case + CasePaths.VoidEntry), Staff(StaffRole.Clerk, StaffRole.Supervisor), CaseCommand]
    public static (CaseView, Events, OutgoingMessages) VoidEntry(VoidEntryRequest body, string municipality, Guid caseId,
        [WriteAggregate("caseId", OnMissing = OnMissing.ProblemDetailsWith404)] RenewalCase renewalCase, IDocumentSession session, HttpContext http, TimeProvider clock) =>
        CaseCommandEndpoints.Decide(new RenewalCommand.VoidEntry(body.EntryVersion, body.Reason, clock.GetUtcNow()), municipality, caseId, renewalCase, session, http, clock);

    [WolverinePost(CasePaths.Case + CasePaths.AmendVisitOutcome), Staff(StaffRole.Clerk, StaffRole.Supervisor), CaseCommand]
    public static (CaseView, Events, OutgoingMessages) AmendVisitOutcome(VisitOutcomeAmendmentRequest body, string municipality, Guid caseId,
        [WriteAggregate("caseId", OnMissing = OnMissing.ProblemDetailsWith404)] RenewalCase renewalCase, IDocumentSession session, HttpContext http, TimeProvider clock) =>
        CaseCommandEndpoints.Decide(new RenewalCommand.AmendVisitOutcome(body.Visit, body.Outcome, body.Reason, clock.GetUtcNow()),
            municipality, caseId, renewalCase, session, http, clock);

    [WolverinePost(CasePaths.Case + CasePaths.AmendVisitDocuments), Staff(StaffRole.Clerk, StaffRole.Supervisor), CaseCommand]
    public static (CaseView, Events, OutgoingMessages) AmendVisitDocuments(VisitDocumentsAmendmentRequest body, string municipality, Guid caseId,
        [WriteAggregate("caseId", OnMissing = OnMissing.ProblemDetailsWith404)] RenewalCase renewalCase, IDocumentSession session, HttpContext http, TimeProvider clock) =>
        CaseCommandEndpoints.Decide(new RenewalCommand.AmendVisitDocuments(body.Documents ?? [], body.ReplyForm, body.Reason, clock.GetUtcNow(), body.AuthorityOnRecord),
            municipality, caseId, renewalCase, session, http, clock);
}
