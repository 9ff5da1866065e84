using CaseSystem.Cases.Policies;
using CaseSystem.Cases.Renewal;
using Microsoft.AspNetCore.Mvc;
using B = CaseSystem.Cases.Api.Validation.RequestBounds;

namespace CaseSystem.Cases.Api.Validation;

/// <summary>
/// The edge check of every command's body, one <c>Validate</c> per request type, run by Wolverine
/// as middleware before the case is loaded (<see cref="RequestValidationPolicy"/>): a body that
/// fails is a 400 problem naming each field, and nothing is decided or appended. What the JSON
/// reader refuses (types, enum names, unknown fields, missing fields) never gets here
/// (<see cref="StrictJson"/>); what the case's state decides (the rules, 422) is the decider's.
/// </summary>
public static partial class CommandRequestValidation
{
    public static ProblemDetails Validate(OpenCaseRequest? body, string municipality, TimeProvider clock) => Check(body, municipality, clock, (r, e) =>
    {
        if (e.Present("holder", r.Holder)) Holder(e, "holder", r.Holder);
        if (e.Present("expiry", r.Expiry)) Expiry(e, "expiry", r.Expiry);
        e.Office("office", r.Office);
    });

    public static ProblemDetails Validate(ReservationRequest? body, string municipality, TimeProvider clock) => Check(body, municipality, clock, (r, e) =>
    {
        e.Office("office", r.Office);
        e.Date("slotStart", JapanTime.DateOf(r.SlotStart), e.Today.AddDays(-B.ReservationDaysBack), e.Today.AddDays(B.ReservationDaysAhead));
    });

    public static ProblemDetails Validate(ArrivalRequest? body, string municipality, TimeProvider clock) => Check(body, municipality, clock, (r, e) =>
    {
        e.Office("office", r.Office);
        e.PersonalText("ticketNumber", r.TicketNumber, B.TicketNumber);
    });

    public static ProblemDetails Validate(CallRequest? body, string municipality, TimeProvider clock) => Check(body, municipality, clock, (r, e) =>
    {
        e.Office("office", r.Office);
        e.Counter("counter", r.Office, r.Counter);
        e.Text("clerkId", r.ClerkId, B.StaffId);
    });

    public static ProblemDetails Validate(CardReadRequest? body, string municipality, TimeProvider clock) => Check(body, municipality, clock, (r, e) =>
    {
        e.Text("stationId", r.StationId, B.StationId);
        e.Text("userAuthenticationSerial", r.UserAuthenticationSerial, B.CertificateSerial);
        CertificateExpiry(e, "userAuthenticationExpiry", r.UserAuthenticationExpiry);
        // As a card counts them (seed 003): user authentication 0–3, signing 0–5; the decider checks them again.
        e.Range("userAuthenticationPinTriesLeft", r.UserAuthenticationPinTriesLeft, 0, Pins.MaxTries(Certificate.UserAuthentication));
        e.Range("signingPinTriesLeft", r.SigningPinTriesLeft, 0, Pins.MaxTries(Certificate.Signing));
    });

    public static ProblemDetails Validate(VisitRequest? body, string municipality, TimeProvider clock) => Check(body, municipality, clock, (r, e) =>
    {
        e.Office("office", r.Office);
        if (r.Documents is not null) Documents(e, r.Documents);
    });

    private static void Documents(RequestErrors e, IReadOnlyList<PresentedDocument>? documents)
    {
        if (!e.List("documents", documents, 0, B.Documents)) return;
        for (var i = 0; i < documents!.Count; i++)
        {
            if (documents[i] is not { } document) continue;
            var path = $"documents[{i}]";
            e.DocumentKind(path + ".kind", document.Kind);
            e.Date(path + ".issuedOn", document.IssuedOn, B.EarliestBirthDate, e.Today);
            e.Date(path + ".validUntil", document.ValidUntil, B.EarliestBirthDate, e.Today.AddYears(B.DocumentValidityYearsAhead));
        }
    }

    public static ProblemDetails Validate(EndVisitRequest? body, string municipality, TimeProvider clock) => Check(body, municipality, clock, (_, _) => { });

    public static ProblemDetails Validate(PinCheckRequest? body, string municipality, TimeProvider clock) => Check(body, municipality, clock, (r, e) =>
        e.Range("triesLeft", r.TriesLeft, 0, Pins.MaxTries(r.Certificate)));

    public static ProblemDetails Validate(PinResetRequest? body, string municipality, TimeProvider clock) => Check(body, municipality, clock, (r, e) =>
        e.List("certificates", r.Certificates, 1, Enum.GetValues<Certificate>().Length, distinct: true));

    public static ProblemDetails Validate(InquiryRequest? body, string municipality, TimeProvider clock) => Check(body, municipality, clock, (r, e) =>
        e.PersonalText("reason", r.Reason, B.Reason, freeText: true));

    public static ProblemDetails Validate(EmptyRequest? body, string municipality, TimeProvider clock) => Check(body, municipality, clock, (_, _) => { });

    public static ProblemDetails Validate(RenewalRequest? body, string municipality, TimeProvider clock) => Check(body, municipality, clock, (r, e) =>
        e.List("certificates", r.Certificates, 1, Enum.GetValues<Certificate>().Length, distinct: true));

    public static ProblemDetails Validate(RegistryChangeRequest? body, string municipality, TimeProvider clock) => Check(body, municipality, clock, (_, _) => { });

    public static ProblemDetails Validate(ClosureRequest? body, string municipality, TimeProvider clock) => Check(body, municipality, clock, (_, _) => { });

    private static void Holder(RequestErrors e, string path, Holder holder)
    {
        e.PersonalText(path + ".nameKanji", holder.NameKanji, B.Name);
        e.PersonalText(path + ".nameKana", holder.NameKana, B.Name);
        var (bornFrom, bornTo) = B.BirthDates(e.Today);
        e.Date(path + ".birthDate", holder.BirthDate, bornFrom, bornTo);
        e.PersonalText(path + ".registeredAddress", holder.RegisteredAddress, B.Address);
    }

    private static void Expiry(RequestErrors e, string path, CertificateDates expiry)
    {
        CertificateExpiry(e, path + ".userAuthenticationExpiry", expiry.UserAuthenticationExpiry);
        CertificateExpiry(e, path + ".signingExpiry", expiry.SigningExpiry);
    }

    private static void CertificateExpiry(RequestErrors e, string path, DateOnly? expiry)
    {
        var (from, to) = B.CertificateExpiries(e.Today);
        e.Date(path, expiry, from, to);
    }

    /// <summary>The body is there (not a JSON null), then its fields; the answer is Wolverine's continue or the 400 problem.</summary>
    private static ProblemDetails Check<T>(T? body, string municipality, TimeProvider clock, Action<T, RequestErrors> fields) where T : class
    {
        // The staff check before the endpoint has refused a municipality this system does not serve.
        if (!MunicipalPolicies.All.TryGetValue(municipality, out var policy)) return Problems.Details(Problems.UnknownMunicipality);
        var errors = new RequestErrors(policy, JapanTime.DateOf(clock.GetUtcNow()));
        if (body is null) errors.Add("$", FieldError.BodyRequired);
        else fields(body, errors);
        return errors.ToProblem();
    }
}
