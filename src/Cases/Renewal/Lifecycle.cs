using static CaseSystem.Cases.Renewal.RenewalCommand;

namespace CaseSystem.Cases.Renewal;

/// <summary>What a clerk, a station or a supervisor can ask of a case; the names are the API's.</summary>
public enum CaseAction
{
    Reserve, Arrive, Call, ReadCard, StartVisit, CheckPin, ResetPin, MailInquiry, ReceiveReply, Renew, EndVisit,
    ReportRegistryChange, CompleteRegistryChange, Close,
    // Issue 12: tickets that leave the queue, and corrections (Corrections.cs says what each may touch).
    DropTicket, VoidEntry, AmendVisitOutcome, AmendVisitDocuments,
}

/// <summary>
/// The case as a state machine (issue 12): which actions mean something in which state. The
/// decider refuses an action here first, with the rule that says why, and the case view lists
/// the actions this allows (<c>allowedActions</c>), so that the desk and the decider never
/// disagree. What depends on the command's content (documents, dates, certificates) is the
/// decider's to judge after this.
/// </summary>
public static class Lifecycle
{
    public static CaseAction? ActionOf(RenewalCommand command) => command switch
    {
        MakeReservation => CaseAction.Reserve,
        RecordArrival => CaseAction.Arrive,
        CallToCounter => CaseAction.Call,
        RecordCardRead => CaseAction.ReadCard,
        StartVisit => CaseAction.StartVisit,
        RecordPinCheck => CaseAction.CheckPin,
        ResetPin => CaseAction.ResetPin,
        MailDocumentInquiry => CaseAction.MailInquiry,
        ReceiveInquiryReply => CaseAction.ReceiveReply,
        RenewCertificates => CaseAction.Renew,
        EndVisit => CaseAction.EndVisit,
        ReportRegistryChange => CaseAction.ReportRegistryChange,
        CompleteRegistryChange => CaseAction.CompleteRegistryChange,
        CloseCase => CaseAction.Close,
        DropTicket => CaseAction.DropTicket,
        VoidEntry => CaseAction.VoidEntry,
        AmendVisitOutcome => CaseAction.AmendVisitOutcome,
        AmendVisitDocuments => CaseAction.AmendVisitDocuments,
        _ => null,
    };

    public static IReadOnlyList<CaseAction> Allowed(RenewalState state) =>
        [.. Enum.GetValues<CaseAction>().Where(action => Refusal(state, action) is null)];

    /// <summary>The rule that refuses the action in this state, or null when the action means something here.</summary>
    public static Rule? Refusal(RenewalState state, CaseAction action) => state switch
    {
        RenewalState.NoCase => Rules.NoCase,
        // The card read again after the renewal is its evidence, even when the case was closed before the read arrived;
        // a PIN tried on the card is a fact about the card (see below). A case closed otherwise takes no PIN check: the
        // station reads allowedActions right before and sends no PIN to the card (issue 12); one it tried before it could
        // see the closure is recorded all the same (RenewalDecider, by the version the station saw).
        RenewalState.Closed { Closure: CaseClosure.Renewed } when action is CaseAction.ReadCard or CaseAction.CheckPin => null,
        RenewalState.Closed => Rules.CaseClosed,
        RenewalState.Active { Case: var file } => Refusal(file, action),
        _ => throw new InvalidOperationException($"unhandled state {state.GetType().Name}"),
    };

    private static Rule? Refusal(CaseFile file, CaseAction action)
    {
        var visit = file.CurrentVisit;
        switch (action)
        {
            // A PIN tried on the card changed the card's tries whether or not the case expected it
            // (issue 12: the station checked a PIN before the visit started, the card fell to 2, the
            // server refused and still said 3). So the case records every check the card made; it
            // counts towards a renewal only within a visit whose identity was accepted.
            case CaseAction.ReadCard or CaseAction.CheckPin or CaseAction.Close or CaseAction.ReportRegistryChange:
                return null;
            case CaseAction.CompleteRegistryChange:
                return file.PendingChanges.IsEmpty ? Rules.NoPendingChange : null;
            case CaseAction.Reserve or CaseAction.Arrive or CaseAction.Call or CaseAction.StartVisit:
                return visit is null ? null : Rules.VisitInProgress;
            case CaseAction.EndVisit:
                return visit is null ? Rules.NoVisitInProgress : null;
            // A ticket is open only while no visit is in progress: a visit takes it.
            case CaseAction.DropTicket:
                return file.OpenTicket is null ? Rules.NoOpenTicket : null;
            case CaseAction.VoidEntry:
                return Corrections.Voidable(file).Any() ? null : Rules.EntryNotVoidable;
            case CaseAction.AmendVisitOutcome:
                return Corrections.OutcomeAmendable(file).Any() ? null : Rules.OutcomeNotAmendable;
            case CaseAction.AmendVisitDocuments:
                return visit is null ? Rules.NoVisitInProgress : Corrections.BindingOfCurrentVisit(file) is null ? null : Rules.DocumentsNotAmendable;
        }

        if (visit is null) return Rules.NoVisitInProgress;
        if (visit.IdentityAccepted != true) return Rules.IdentityNotAccepted;
        return action switch
        {
            CaseAction.Renew or CaseAction.MailInquiry or CaseAction.ResetPin when file.Outstanding.IsEmpty => Rules.AlreadyRenewed,
            CaseAction.MailInquiry when visit.WhoCame != WhoCame.AppointedProxy => Rules.InquiryOnlyForProxy,
            CaseAction.MailInquiry when file.Inquiry is { ReplyReceived: false } => Rules.InquiryAlreadyMailed,
            CaseAction.ReceiveReply when file.Inquiry is not { ReplyReceived: false } => Rules.NoInquiryPending,
            CaseAction.ResetPin when visit.WhoCame == WhoCame.AppointedProxy => Rules.HolderPresence,
            _ => null,
        };
    }
}
