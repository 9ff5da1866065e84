using System.Globalization;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.EventStore;
using CaseSystem.Cases.Renewal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;
using static CaseSystem.Cases.Renewal.RenewalCommand;

namespace CaseSystem.Cases.Api;

public sealed record OpenCaseRequest(Holder Holder, CertificateDates Expiry, string Office);
public sealed record ReservationRequest(string Office, DateTimeOffset SlotStart);
public sealed record ArrivalRequest(string Office, string TicketNumber);
public sealed record CallRequest(string Office, string Counter, string ClerkId);
public sealed record CardReadRequest(string StationId, string UserAuthenticationSerial, DateOnly UserAuthenticationExpiry, int UserAuthenticationPinTriesLeft, int SigningPinTriesLeft);
public sealed record VisitRequest(string Office, WhoCame WhoCame, IReadOnlyList<PresentedDocument> Documents, ReplyForm ReplyForm = ReplyForm.NotApplicable, bool HolderPresent = true, bool AuthorityOnRecord = false);
public sealed record EndVisitRequest(VisitOutcome Outcome);
public sealed record PinCheckRequest(Certificate Certificate, PinCheckResult Result, int TriesLeft);
public sealed record PinResetRequest(IReadOnlyList<Certificate> Certificates);
public sealed record InquiryRequest(string Reason);
public sealed record RenewalRequest(IReadOnlyList<Certificate> Certificates, bool OnReissuedCard = false);
public sealed record RegistryChangeRequest(RegistryChange Change);
public sealed record ClosureRequest(CaseClosure Closure);

public sealed record EventView(long Sequence, long Version, string Type, object Data, DateTimeOffset RecordedAt, string? Actor, string? Office, string? Command);

/// <summary>
/// The case API: one endpoint per command. Reads carry an ETag (the case's version); a command
/// may send If-Match with it and gets 409 if the case moved on; an Idempotency-Key makes a retry
/// return the first outcome.
/// </summary>
public static class CaseEndpoints
{
    public static RouteGroupBuilder MapCaseEndpoints(this RouteGroupBuilder api)
    {
        // The counter terminal opens a case for a holder whose card it reads and no case finds.
        api.MapPost("/cases", OpenCaseAsync).RequireStaff(StaffRole.Clerk, StaffRole.Station);
        api.MapPost("/notices", NoticeImport.ImportAsync).Accepts<string>("text/csv").RequireStaff(StaffRole.Clerk, StaffRole.Supervisor, StaffRole.Admin);
        // Cases hold personal data: no analyst reads them.
        api.MapGet("/cases/{caseId:guid}", GetCaseAsync).RequireStaff(StaffRole.Clerk, StaffRole.Supervisor, StaffRole.Station);
        api.MapGet("/cases/{caseId:guid}/events", GetEventsAsync).RequireStaff(StaffRole.Clerk, StaffRole.Supervisor);

        Command<ReservationRequest>(api, "reservations", (r, now) => new MakeReservation(r.Office, r.SlotStart, now));
        Command<ArrivalRequest>(api, "arrivals", (r, now) => new RecordArrival(r.Office, r.TicketNumber, now));
        Command<CallRequest>(api, "calls", (r, now) => new CallToCounter(r.Office, r.Counter, r.ClerkId, now));
        Command<CardReadRequest>(api, "card-reads", (r, now) => new RecordCardRead(r.StationId, r.UserAuthenticationSerial,
            r.UserAuthenticationExpiry, r.UserAuthenticationPinTriesLeft, r.SigningPinTriesLeft, now), StaffRole.Clerk, StaffRole.Station);
        Command<VisitRequest>(api, "visits", (r, now) => new StartVisit(r.Office, r.WhoCame, r.Documents ?? [], now, r.ReplyForm, r.HolderPresent, r.AuthorityOnRecord));
        Command<EndVisitRequest>(api, "visits/current/end", (r, now) => new EndVisit(r.Outcome, now));
        Command<PinCheckRequest>(api, "pin-checks", (r, now) => new RecordPinCheck(r.Certificate, r.Result, r.TriesLeft, now), StaffRole.Clerk, StaffRole.Station);
        Command<PinResetRequest>(api, "pin-resets", (r, now) => new ResetPin(r.Certificates ?? [], now));
        Command<InquiryRequest>(api, "inquiries", (r, now) => new MailDocumentInquiry(r.Reason, now));
        Command<EmptyRequest>(api, "inquiry-replies", (_, now) => new ReceiveInquiryReply(now));
        Command<RenewalRequest>(api, "renewals", (r, now) => new RenewCertificates(r.Certificates ?? [], now, r.OnReissuedCard));
        Command<RegistryChangeRequest>(api, "registry-changes", (r, now) => new ReportRegistryChange(r.Change, now));
        Command<RegistryChangeRequest>(api, "registry-changes/completed", (r, now) => new CompleteRegistryChange(r.Change, now));
        Command<ClosureRequest>(api, "closure", (r, now) => new CloseCase(r.Closure, now));
        return api;
    }

    public sealed record EmptyRequest;

    /// <summary>A command endpoint; clerks may send every command, other roles only where named.</summary>
    private static void Command<TRequest>(RouteGroupBuilder api, string path, Func<TRequest, DateTimeOffset, RenewalCommand> toCommand, params StaffRole[] roles) =>
        api.MapPost("/cases/{caseId:guid}/" + path, async (string municipality, Guid caseId, TRequest body, HttpContext http,
            CaseApplication cases, TimeProvider clock, CancellationToken ct) =>
        {
            var command = toCommand(body, clock.GetUtcNow());
            var (ifMatch, badIfMatch) = IfMatch(http);
            if (badIfMatch is not null) return badIfMatch;
            var outcome = await cases.HandleAsync(municipality, caseId, command, ifMatch, Metadata(http, command), ct);
            return Results.Ok(await ViewAfterAsync(http, cases, municipality, caseId, clock, outcome, ct));
        }).RequireStaff(roles.Length == 0 ? [StaffRole.Clerk] : roles);

    private static async Task<IResult> OpenCaseAsync(string municipality, OpenCaseRequest body, HttpContext http,
        CaseApplication cases, TimeProvider clock, CancellationToken ct)
    {
        var key = IdempotencyKey(http);
        var caseId = key is null ? Guid.CreateVersion7() : CaseIds.ForCreation(municipality, key);
        var command = new OpenCaseAtCounter(body.Holder, body.Expiry, body.Office, clock.GetUtcNow());
        var outcome = await cases.HandleAsync(municipality, caseId, command, ifMatch: 0, Metadata(http, command), ct);
        var view = await ViewAfterAsync(http, cases, municipality, caseId, clock, outcome, ct);
        var location = $"/api/{municipality}/cases/{caseId}";
        http.Response.Headers.Location = location;
        return outcome.Repeated ? Results.Ok(view) : Results.Created(location, view);
    }

    /// <summary>The case now, or as it stood at <paramref name="asOf"/> (its events recorded up to then, its checklist for that day).</summary>
    private static async Task<IResult> GetCaseAsync(string municipality, Guid caseId, DateTimeOffset? asOf, HttpContext http,
        CaseApplication cases, CaseViewLog views, TimeProvider clock, CancellationToken ct)
    {
        var loaded = await cases.LoadAsync(municipality, caseId, ct);
        if (asOf is { } moment)
        {
            // Replayed up to the moment by when things happened at the counter (each event's At).
            var upTo = loaded.Events.TakeWhile(e => ((RenewalEvent)e.Data).At <= moment).ToList();
            loaded = new LoadedCase(caseId, RenewalState.Fold(upTo.Select(e => (RenewalEvent)e.Data)), upTo.Count == 0 ? 0 : upTo[^1].Version, upTo);
        }
        if (loaded.State is RenewalState.NoCase) return Problems.Result(Problems.StreamNotFound);
        await views.RecordAsync(http, municipality, caseId, asOf is null ? "case" : "case-as-of", ct);
        var etag = ETag(loaded.Version);
        if (asOf is null && http.Request.Headers.IfNoneMatch.Contains(etag)) return Results.StatusCode(StatusCodes.Status304NotModified);
        if (asOf is null) http.Response.Headers.ETag = etag;
        return Results.Ok(CaseView.Of(caseId, loaded.State, loaded.Version, JapanTime.DateOf(asOf ?? clock.GetUtcNow())));
    }

    private static async Task<IResult> GetEventsAsync(string municipality, Guid caseId, HttpContext http, CaseApplication cases, CaseViewLog views, CancellationToken ct)
    {
        var loaded = await cases.LoadAsync(municipality, caseId, ct);
        if (loaded.State is RenewalState.NoCase) return Problems.Result(Problems.StreamNotFound);
        await views.RecordAsync(http, municipality, caseId, "events", ct);
        return Results.Ok(loaded.Events.Select(e => new EventView(e.Sequence, e.Version, e.EventType, e.Data, e.RecordedAt,
            e.Metadata.ActorId, e.Metadata.ActorOffice, e.Metadata.Command)));
    }

    /// <summary>The case as the command left it, with its ETag, and whether this was a replay of an earlier send.</summary>
    private static async Task<CaseView> ViewAfterAsync(HttpContext http, CaseApplication cases, string municipality, Guid caseId,
        TimeProvider clock, CommandOutcome outcome, CancellationToken ct)
    {
        var (state, version) = (outcome.StateAfter, outcome.VersionAfter);
        if (state is null)
        {
            var loaded = await cases.LoadAsync(municipality, caseId, ct);
            (state, version) = (loaded.State, loaded.Version);
        }
        http.Response.Headers.ETag = ETag(version);
        if (outcome.Repeated) http.Response.Headers["Idempotent-Replayed"] = "true";
        return CaseView.Of(caseId, state, version, JapanTime.DateOf(clock.GetUtcNow()));
    }

    private static string ETag(long version) => "\"" + version.ToString(CultureInfo.InvariantCulture) + "\"";

    private static (long? Version, IResult? Problem) IfMatch(HttpContext http)
    {
        var header = http.Request.Headers[HeaderNames.IfMatch].ToString();
        if (string.IsNullOrEmpty(header)) return (null, null);
        var text = header.Trim();
        if (text.StartsWith("W/", StringComparison.Ordinal)) text = text[2..];
        return text.Length > 2 && text[0] == '"' && text[^1] == '"'
               && long.TryParse(text[1..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? (version, null)
            : (null, Problems.Result(Problems.BadIfMatch, $"If-Match: {header}"));
    }

    private static string? IdempotencyKey(HttpContext http) =>
        http.Request.Headers["Idempotency-Key"].ToString() is { Length: > 0 and <= 200 } key ? key : null;

    /// <summary>Who acted, where, and why, for every event the command records.</summary>
    internal static EventMetadata Metadata(HttpContext http, RenewalCommand command)
    {
        var staff = http.User.FindStaff();
        return new EventMetadata(
            ActorId: staff?.StaffId,
            ActorOffice: staff?.Office,
            CorrelationId: Guid.TryParse(http.Request.Headers["X-Correlation-Id"].ToString(), out var correlation) ? correlation : Guid.CreateVersion7(),
            IdempotencyKey: IdempotencyKey(http),
            Command: command.GetType().Name);
    }
}
