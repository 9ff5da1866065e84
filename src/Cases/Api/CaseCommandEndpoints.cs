using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Store;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;
using static CaseSystem.Cases.Renewal.RenewalCommand;

namespace CaseSystem.Cases.Api;

public sealed record OpenCaseRequest(Holder Holder, CertificateDates Expiry, string Office);
public sealed record ReservationRequest(string Office, DateTimeOffset SlotStart);
public sealed record ArrivalRequest(string Office, string TicketNumber);
public sealed record CallRequest(string Office, string Counter, string ClerkId);
public sealed record CardReadRequest(string StationId, string UserAuthenticationSerial, DateOnly UserAuthenticationExpiry, int UserAuthenticationPinTriesLeft, int SigningPinTriesLeft);
/// <summary>A visit; <see cref="Documents"/> may be left out when none were shown (a holder who knows both PINs shows none).</summary>
public sealed record VisitRequest(string Office, WhoCame WhoCame, IReadOnlyList<PresentedDocument>? Documents = null, ReplyForm ReplyForm = ReplyForm.NotApplicable, bool HolderPresent = true, bool AuthorityOnRecord = false);
public sealed record EndVisitRequest(VisitOutcome Outcome);
public sealed record PinCheckRequest(Certificate Certificate, PinCheckResult Result, int TriesLeft);
public sealed record PinResetRequest(IReadOnlyList<Certificate> Certificates);
public sealed record InquiryRequest(string Reason);
public sealed record EmptyRequest;
public sealed record RenewalRequest(IReadOnlyList<Certificate> Certificates, bool OnReissuedCard = false);
public sealed record RegistryChangeRequest(RegistryChange Change);
public sealed record ClosureRequest(CaseClosure Closure);

/// <summary>
/// The case commands, one endpoint each, on Wolverine's aggregate handler workflow: Wolverine
/// loads the case (Marten's FetchForWriting), the endpoint decides with the pure decider, and
/// Wolverine appends the events at the version loaded, in one transaction with the timers they set
/// and the Idempotency-Key's claim. A case that does not exist (in this municipality) is a 404
/// problem. Clerks may send every command; other roles only where named.
/// </summary>
public static class CaseCommandEndpoints
{

    /// <summary>If-Match, when sent, must be the version Wolverine loaded: else 409 before anything is decided.</summary>
    public static ProblemDetails Validate(HttpContext http, RenewalCase renewalCase) =>
        ETags.CheckIfMatch(http, renewalCase.Version);

    [WolverinePost(CasePaths.Case + CasePaths.Reserve), Staff(StaffRole.Clerk), CaseCommand]
    public static (CaseView, Events, OutgoingMessages) Reserve(ReservationRequest body, string municipality, Guid caseId,
        [WriteAggregate("caseId", OnMissing = OnMissing.ProblemDetailsWith404)] RenewalCase renewalCase, IDocumentSession session, HttpContext http, TimeProvider clock) =>
        Decide(new MakeReservation(body.Office, body.SlotStart, clock.GetUtcNow()), municipality, caseId, renewalCase, session, http, clock);

    [WolverinePost(CasePaths.Case + CasePaths.Arrive), Staff(StaffRole.Clerk), CaseCommand]
    public static (CaseView, Events, OutgoingMessages) Arrive(ArrivalRequest body, string municipality, Guid caseId,
        [WriteAggregate("caseId", OnMissing = OnMissing.ProblemDetailsWith404)] RenewalCase renewalCase, IDocumentSession session, HttpContext http, TimeProvider clock) =>
        Decide(new RecordArrival(body.Office, body.TicketNumber, clock.GetUtcNow()), municipality, caseId, renewalCase, session, http, clock);

    [WolverinePost(CasePaths.Case + CasePaths.Call), Staff(StaffRole.Clerk), CaseCommand]
    public static (CaseView, Events, OutgoingMessages) Call(CallRequest body, string municipality, Guid caseId,
        [WriteAggregate("caseId", OnMissing = OnMissing.ProblemDetailsWith404)] RenewalCase renewalCase, IDocumentSession session, HttpContext http, TimeProvider clock) =>
        Decide(new CallToCounter(body.Office, body.Counter, body.ClerkId, clock.GetUtcNow()), municipality, caseId, renewalCase, session, http, clock);

    [WolverinePost(CasePaths.Case + CasePaths.ReadCard), Staff(StaffRole.Clerk, StaffRole.Station), CaseCommand]
    public static (CaseView, Events, OutgoingMessages) ReadCard(CardReadRequest body, string municipality, Guid caseId,
        [WriteAggregate("caseId", OnMissing = OnMissing.ProblemDetailsWith404)] RenewalCase renewalCase, IDocumentSession session, HttpContext http, TimeProvider clock) =>
        Decide(new RecordCardRead(body.StationId, body.UserAuthenticationSerial, body.UserAuthenticationExpiry,
            body.UserAuthenticationPinTriesLeft, body.SigningPinTriesLeft, Observed.At(http, clock)), municipality, caseId, renewalCase, session, http, clock);

    [WolverinePost(CasePaths.Case + CasePaths.StartVisit), Staff(StaffRole.Clerk), CaseCommand]
    public static (CaseView, Events, OutgoingMessages) StartVisit(VisitRequest body, string municipality, Guid caseId,
        [WriteAggregate("caseId", OnMissing = OnMissing.ProblemDetailsWith404)] RenewalCase renewalCase, IDocumentSession session, HttpContext http, TimeProvider clock) =>
        Decide(new RenewalCommand.StartVisit(body.Office, body.WhoCame, body.Documents ?? [], clock.GetUtcNow(), body.ReplyForm, body.HolderPresent,
            body.AuthorityOnRecord), municipality, caseId, renewalCase, session, http, clock);

    [WolverinePost(CasePaths.Case + CasePaths.EndVisit), Staff(StaffRole.Clerk), CaseCommand]
    public static (CaseView, Events, OutgoingMessages) EndVisit(EndVisitRequest body, string municipality, Guid caseId,
        [WriteAggregate("caseId", OnMissing = OnMissing.ProblemDetailsWith404)] RenewalCase renewalCase, IDocumentSession session, HttpContext http, TimeProvider clock) =>
        Decide(new RenewalCommand.EndVisit(body.Outcome, clock.GetUtcNow()), municipality, caseId, renewalCase, session, http, clock);

    [WolverinePost(CasePaths.Case + CasePaths.CheckPin), Staff(StaffRole.Clerk, StaffRole.Station), CaseCommand]
    public static (CaseView, Events, OutgoingMessages) CheckPin(PinCheckRequest body, string municipality, Guid caseId,
        [WriteAggregate("caseId", OnMissing = OnMissing.ProblemDetailsWith404)] RenewalCase renewalCase, IDocumentSession session, HttpContext http, TimeProvider clock) =>
        Decide(new RecordPinCheck(body.Certificate, body.Result, body.TriesLeft, Observed.At(http, clock), Observed.SeenVersion(http)),
            municipality, caseId, renewalCase, session, http, clock);

    [WolverinePost(CasePaths.Case + CasePaths.ResetPin), Staff(StaffRole.Clerk), CaseCommand]
    public static (CaseView, Events, OutgoingMessages) ResetPin(PinResetRequest body, string municipality, Guid caseId,
        [WriteAggregate("caseId", OnMissing = OnMissing.ProblemDetailsWith404)] RenewalCase renewalCase, IDocumentSession session, HttpContext http, TimeProvider clock) =>
        Decide(new RenewalCommand.ResetPin(body.Certificates ?? [], clock.GetUtcNow()), municipality, caseId, renewalCase, session, http, clock);

    [WolverinePost(CasePaths.Case + CasePaths.MailInquiry), Staff(StaffRole.Clerk), CaseCommand]
    public static (CaseView, Events, OutgoingMessages) MailInquiry(InquiryRequest body, string municipality, Guid caseId,
        [WriteAggregate("caseId", OnMissing = OnMissing.ProblemDetailsWith404)] RenewalCase renewalCase, IDocumentSession session, HttpContext http, TimeProvider clock) =>
        Decide(new MailDocumentInquiry(body.Reason, clock.GetUtcNow()), municipality, caseId, renewalCase, session, http, clock);

    [WolverinePost(CasePaths.Case + CasePaths.ReceiveReply), Staff(StaffRole.Clerk), CaseCommand]
    public static (CaseView, Events, OutgoingMessages) ReceiveReply(EmptyRequest body, string municipality, Guid caseId,
        [WriteAggregate("caseId", OnMissing = OnMissing.ProblemDetailsWith404)] RenewalCase renewalCase, IDocumentSession session, HttpContext http, TimeProvider clock) =>
        Decide(new ReceiveInquiryReply(clock.GetUtcNow()), municipality, caseId, renewalCase, session, http, clock);

    [WolverinePost(CasePaths.Case + CasePaths.Renew), Staff(StaffRole.Clerk), CaseCommand]
    public static (CaseView, Events, OutgoingMessages) Renew(RenewalRequest body, string municipality, Guid caseId,
        [WriteAggregate("caseId", OnMissing = OnMissing.ProblemDetailsWith404)] RenewalCase renewalCase, IDocumentSession session, HttpContext http, TimeProvider clock) =>
        Decide(new RenewCertificates(body.Certificates ?? [], clock.GetUtcNow(), body.OnReissuedCard), municipality, caseId, renewalCase, session, http, clock);

    [WolverinePost(CasePaths.Case + CasePaths.ReportRegistryChange), Staff(StaffRole.Clerk), CaseCommand]
    public static (CaseView, Events, OutgoingMessages) ReportRegistryChange(RegistryChangeRequest body, string municipality, Guid caseId,
        [WriteAggregate("caseId", OnMissing = OnMissing.ProblemDetailsWith404)] RenewalCase renewalCase, IDocumentSession session, HttpContext http, TimeProvider clock) =>
        Decide(new RenewalCommand.ReportRegistryChange(body.Change, clock.GetUtcNow()), municipality, caseId, renewalCase, session, http, clock);

    [WolverinePost(CasePaths.Case + CasePaths.CompleteRegistryChange), Staff(StaffRole.Clerk), CaseCommand]
    public static (CaseView, Events, OutgoingMessages) CompleteRegistryChange(RegistryChangeRequest body, string municipality, Guid caseId,
        [WriteAggregate("caseId", OnMissing = OnMissing.ProblemDetailsWith404)] RenewalCase renewalCase, IDocumentSession session, HttpContext http, TimeProvider clock) =>
        Decide(new RenewalCommand.CompleteRegistryChange(body.Change, clock.GetUtcNow()), municipality, caseId, renewalCase, session, http, clock);

    [WolverinePost(CasePaths.Case + CasePaths.Close), Staff(StaffRole.Clerk), CaseCommand]
    public static (CaseView, Events, OutgoingMessages) Close(ClosureRequest body, string municipality, Guid caseId,
        [WriteAggregate("caseId", OnMissing = OnMissing.ProblemDetailsWith404)] RenewalCase renewalCase, IDocumentSession session, HttpContext http, TimeProvider clock) =>
        Decide(new CloseCase(body.Closure, clock.GetUtcNow()), municipality, caseId, renewalCase, session, http, clock);

    /// <summary>The events for Wolverine to append and the timers they set; the case as the command leaves it.</summary>
    internal static (CaseView, Events, OutgoingMessages) Decide(RenewalCommand command, string municipality, Guid caseId, RenewalCase loaded,
        IDocumentSession session, HttpContext http, TimeProvider clock)
    {
        var decision = CaseDecision.Decide(session, municipality, caseId, loaded, command, Actor.Of(http), clock);
        return (Answer(http, municipality, caseId, loaded.Version, decision, clock), [.. decision.Events], decision.Timers);
    }

    /// <summary>The case as a command left it, with the version it reached as the ETag, marked as decided here (not replayed).</summary>
    internal static CaseView Answer(HttpContext http, string municipality, Guid caseId, long loadedVersion, Decision decision, TimeProvider clock)
    {
        var version = loadedVersion + decision.Events.Count;
        ETags.Set(http, version);
        CaseCommandAttribute.MarkDecided(http);
        return CaseView.Of(caseId, decision.After, version, JapanTime.DateOf(clock.GetUtcNow()),
            Policies.MunicipalPolicies.For(municipality));
    }
}

/// <summary>
/// Opening a case at the counter (the station opens one for a holder whose card it reads and no
/// case finds). With an Idempotency-Key the case id is derived from it, so that a retry addresses
/// the same stream even if Wolverine's claim of the key is gone.
/// </summary>
public static class OpenCaseEndpoint
{
    [WolverinePost("/api/{municipality}/cases"), Staff(StaffRole.Clerk, StaffRole.Station), CaseCommand]
    public static (Created<CaseView>, IStartStream, OutgoingMessages) Open(OpenCaseRequest body, string municipality, IDocumentSession session,
        HttpContext http, TimeProvider clock)
    {
        var caseId = CaseCommandAttribute.KeyOf(http) is { } key ? CaseIds.ForCreation(municipality, key) : Guid.CreateVersion7();
        // The station queues the opening in its outbox like any observation: opened when it was observed
        // (Observed-Age), so a case opened after an outage does not start after its own card read.
        var command = new OpenCaseAtCounter(body.Holder, body.Expiry, body.Office, Observed.At(http, clock));
        var decision = CaseDecision.Decide(session, municipality, caseId, null, command, Actor.Of(http), clock);
        var view = CaseCommandEndpoints.Answer(http, municipality, caseId, 0, decision, clock);
        return (TypedResults.Created($"/api/{municipality}/cases/{caseId}", view), MartenOps.StartStream<RenewalCase>(caseId, [.. decision.Events]),
            decision.Timers);
    }
}
