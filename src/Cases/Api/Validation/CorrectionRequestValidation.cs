using CaseSystem.Cases.Renewal;
using Microsoft.AspNetCore.Mvc;

namespace CaseSystem.Cases.Api.Validation;

/// <summary>The corrections' bodies (CaseCorrectionEndpoints): a reason as bounded free text that never holds what looks like a My Number (the decider's <see cref="Corrections.Reason"/> checks it again), an entry or visit that can exist, documents as at a visit.</summary>
public static partial class CommandRequestValidation
{
    public static ProblemDetails Validate(TicketDropRequest? body, string municipality, TimeProvider clock) => Check(body, municipality, clock, (_, _) => { });

    public static ProblemDetails Validate(VoidEntryRequest? body, string municipality, TimeProvider clock) => Check(body, municipality, clock, (r, e) =>
    {
        e.Range("entryVersion", (int)Math.Clamp(r.EntryVersion, int.MinValue, int.MaxValue), 1, int.MaxValue);
        e.PersonalText("reason", r.Reason, Corrections.ReasonMaxLength, freeText: true);
    });

    public static ProblemDetails Validate(VisitOutcomeAmendmentRequest? body, string municipality, TimeProvider clock) => Check(body, municipality, clock, (r, e) =>
    {
        e.Range("visit", r.Visit, 1, int.MaxValue);
        e.PersonalText("reason", r.Reason, Corrections.ReasonMaxLength, freeText: true);
    });

    public static ProblemDetails Validate(VisitDocumentsAmendmentRequest? body, string municipality, TimeProvider clock) => Check(body, municipality, clock, (r, e) =>
    {
        Documents(e, r.Documents);
        e.PersonalText("reason", r.Reason, Corrections.ReasonMaxLength, freeText: true);
    });
}
