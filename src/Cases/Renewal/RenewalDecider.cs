using static CaseSystem.Cases.Renewal.RenewalCommand;
using static CaseSystem.Cases.Renewal.RenewalEvent;

namespace CaseSystem.Cases.Renewal;

/// <summary>
/// The renewal case's decisions: a command and the state its events left give new events, or a
/// <see cref="RuleViolation"/> naming the rule. Pure: the time is the command's, the municipality's
/// rules are the policy's. The case's <see cref="Lifecycle"/> is asked first; visits and identity
/// are in RenewalDecider.Visit.cs, renewal itself in RenewalDecider.Renew.cs, tickets leaving the
/// queue and corrections in RenewalDecider.Corrections.cs.
/// </summary>
public sealed partial class RenewalDecider(IRenewalPolicy policy)
{
    public IReadOnlyList<RenewalEvent> Decide(RenewalCommand command, RenewalState state) => (CommandGuard.Checked(command), state) switch
    {
        (RecordExpiryNotice c, RenewalState.NoCase) => WithTimeCaughtUp([new ExpiryNoticeSent(c.NoticeNumber, c.Holder, c.Expiry, c.NoticeBatch, c.Now)], state, c.Now),
        // The same notice again: nothing when its data is the same, a conflict when it is not (amended only on purpose).
        (RecordExpiryNotice c, RenewalState.Active { Case: var file }) when file.NoticeNumber == c.NoticeNumber => SameNotice(c, file),
        (RecordExpiryNotice c, RenewalState.Closed { Case: var file }) when file.NoticeNumber == c.NoticeNumber => SameNotice(c, file),
        (AmendNotice c, RenewalState.Active { Case: var file }) when file.NoticeNumber == c.NoticeNumber =>
            file.HasNoticeData(c.Holder, c.Expiry) ? [] : WithTimeCaughtUp([new NoticeAmended(c.NoticeNumber, c.Holder, c.Expiry, c.NoticeBatch, c.Now)], state, c.Now),
        (OpenCaseAtCounter c, RenewalState.NoCase) => WithTimeCaughtUp([new CaseOpenedAtCounter(c.Holder, c.Expiry, c.Office, c.Now)], state, c.Now),
        (RecordExpiryNotice or OpenCaseAtCounter, _) => throw new RuleViolation(Rules.CaseExists),
        // Closing a case again as it was closed is a retry, not a new fact.
        (CloseCase c, RenewalState.Closed closed) when closed.Closure == c.Closure => [],
        // Voiding again what is voided already is a retry too.
        (VoidEntry c, RenewalState.Active { Case: var voided }) when voided.IsVoided(c.Version) => [],
        // Card and case never disagree (issue 12): a station tries a PIN on the card only when the case view it read
        // right before allowed it, and says that view's version. A closure recorded after it (another clerk's, or
        // while the station could not reach the server) came too late to stop the try: the card's fact is recorded.
        (RecordPinCheck { SeenVersion: { } seen } c, RenewalState.Closed closed) when seen < closed.ClosedAtVersion => RecordPinCheck(c),
        _ when Lifecycle.ActionOf(command) is { } action && Lifecycle.Refusal(state, action) is { } rule => throw new RuleViolation(rule),
        (_, RenewalState.NoCase) => throw new RuleViolation(Rules.NoCase),
        (RecordCardRead c, RenewalState.Closed) => RecordCardRead(c),
        (RecordPinCheck c, RenewalState.Closed) => RecordPinCheck(c),
        (_, RenewalState.Closed) => throw new RuleViolation(Rules.CaseClosed),
        (_, RenewalState.Active { Case: var file }) => DecideActive(command, file),
        _ => throw new InvalidOperationException($"unhandled state {state.GetType().Name}"),
    };

    private IReadOnlyList<RenewalEvent> DecideActive(RenewalCommand command, CaseFile file) => command switch
    {
        MakeReservation c => Reserve(c),
        RecordArrival c => [new ArrivedAtOffice(c.Office, c.TicketNumber, c.Now)],
        CallToCounter c => [new CalledToCounter(c.Office, c.Counter, c.ClerkId, c.Now)],
        RecordCardRead c => RecordCardRead(c),
        StartVisit c => StartVisit(c, file),
        RecordPinCheck c => RecordPinCheck(c),
        ResetPin c => ResetPin(c, file),
        MailDocumentInquiry c => MailInquiry(c, file),
        ReceiveInquiryReply c => [new InquiryReplyReceived(RequireVisit(file).Number, c.Now)],
        RenewCertificates c => Renew(c, file),
        EndVisit c => EndVisit(c, file),
        ReportRegistryChange c => [new RegistryChangeReported(c.Change, c.Now)],
        CompleteRegistryChange c => file.PendingChanges.Contains(c.Change)
            ? [new RegistryChangeCompleted(c.Change, c.Now)]
            : throw new RuleViolation(Rules.NoPendingChange),
        CloseCase c => [new CaseClosed(c.Closure, c.Now)],
        DropTicket c => DropTicket(c, file),
        VoidEntry c => VoidEntry(c, file),
        AmendVisitOutcome c => AmendOutcome(c, file),
        AmendVisitDocuments c => AmendDocuments(c, file),
        OpenRenewalWindow c => OpenWindow(c, file),
        RecordLapse c => RecordLapse(c, file),
        FlagInquiryOverdue c => FlagOverdue(c, file),
        // A case of another notice, or opened at the counter, has no notice of this number to amend.
        AmendNotice => throw new RuleViolation(Rules.NoCase),
        _ => throw new InvalidOperationException($"unhandled command {command.GetType().Name}"),
    };

    private IReadOnlyList<RenewalEvent> Reserve(MakeReservation c)
    {
        // A slot when the office is closed could never be kept; an unknown office is refused the same way.
        if (policy.ReceptionClosed(c.Office, c.SlotStart) is { } closed)
        {
            throw new RuleViolation(closed.Rule == Rules.UnknownOffice ? Rules.UnknownOffice : Rules.ReservationOutsideHours, closed.Detail);
        }
        return [new ReservationMade(c.Office, c.SlotStart, c.Now)];
    }

    private static IReadOnlyList<RenewalEvent> SameNotice(RecordExpiryNotice c, CaseFile file) =>
        file.HasNoticeData(c.Holder, c.Expiry) ? [] : throw new RuleViolation(Rules.NoticeDataDiffers);

    private static IReadOnlyList<RenewalEvent> RecordCardRead(RenewalCommand.RecordCardRead c)
    {
        RequireTries(Certificate.UserAuthentication, c.UserAuthenticationPinTriesLeft);
        RequireTries(Certificate.Signing, c.SigningPinTriesLeft);
        return [new CardRead(c.StationId, c.UserAuthenticationSerial, c.UserAuthenticationExpiry,
            c.UserAuthenticationPinTriesLeft, c.SigningPinTriesLeft, c.Now)];
    }

    /// <summary>
    /// What the card said when a PIN was tried on it: always recorded, so that case and card never
    /// disagree on the tries left (a match on a PIN the case thought locked means it was reset on
    /// the J-LIS terminal: the card is right). Only the values a card can give are taken.
    /// </summary>
    private static IReadOnlyList<RenewalEvent> RecordPinCheck(RenewalCommand.RecordPinCheck c)
    {
        return c.Result switch
        {
            PinCheckResult.Matched => [new PinMatched(c.Certificate, c.Now)],
            PinCheckResult.Locked => [new PinLocked(c.Certificate, c.Now)],
            _ when c.TriesLeft < 0 || c.TriesLeft >= Pins.MaxTries(c.Certificate) => throw new RuleViolation(Rules.PinTriesOutOfRange),
            _ when c.TriesLeft == 0 => [new PinMismatchRecorded(c.Certificate, 0, c.Now), new PinLocked(c.Certificate, c.Now)],
            _ => [new PinMismatchRecorded(c.Certificate, c.TriesLeft, c.Now)],
        };
    }

    private IReadOnlyList<RenewalEvent> MailInquiry(MailDocumentInquiry c, CaseFile file)
    {
        var visit = RequireAcceptedVisit(file);
        var today = JapanTime.DateOf(c.Now);
        if (policy.InquiryAtResidenceWardOfficeOnly && !AtResidenceWardOffice(visit.Office, file.Holder))
        {
            throw new RuleViolation(Rules.InquiryAtResidenceWardOffice, HolderWardJa(file.Holder));
        }
        if (policy.InquiryNeedsLetterOfAttorney && !visit.Documents.Any(d => d.List == DocumentList.LetterOfAttorney))
        {
            throw new RuleViolation(Rules.InquiryLetterOfAttorney, "委任状が提示されていません。");
        }
        return [new DocumentInquiryMailed(c.Reason, file.Holder.RegisteredAddress, today, today.AddDays(policy.InquiryReplyDays), c.Now)];
    }

    /// <summary>A visit that renewed and ends as done finishes the case: it closes as renewed.</summary>
    private static IReadOnlyList<RenewalEvent> EndVisit(RenewalCommand.EndVisit c, CaseFile file)
    {
        var visit = RequireVisit(file);
        return visit.Renewed && c.Outcome == VisitOutcome.Done
            ? [new VisitEnded(visit.Number, c.Outcome, c.Now), new CaseClosed(CaseClosure.Renewed, c.Now)]
            : [new VisitEnded(visit.Number, c.Outcome, c.Now)];
    }

    /// <summary>
    /// A case whose dates become known after a certificate lapsed records the lapse in the same
    /// decision, at the moment it is known, instead of leaving it to a timer that would be due
    /// already: a timer due at once fired right after the commit and raced the clerk's next command
    /// on the case (ops/bench http, 2026-12-02: about a thousand lost races in 30,000 commands).
    /// A renewal window already open is not recorded at all: it opened before the case knew its
    /// dates, so it is no occurrence in the case's life, and the file holds it open from its dates
    /// (<see cref="CaseFile.Open"/>). Most cases are such: J-LIS mails the notices when the window
    /// opens (domain.md, 004). <see cref="RenewalWindowOpened"/> is recorded only when the window opens
    /// during the case, by its timer. (Until 2026-12-03 it was recorded with the notice too, at the
    /// import's moment: a second event for nearly every case, which the notice's dates already say
    /// and which the audit trail showed at a time the window did not open; one event a line made
    /// ops/bench import about 40 % faster, issue 12.)
    /// </summary>
    private static IReadOnlyList<RenewalEvent> WithTimeCaughtUp(IReadOnlyList<RenewalEvent> dated, RenewalState state, DateTimeOffset now)
    {
        if (dated.Aggregate(state, RenewalState.Evolve) is not RenewalState.Active { Case: var file }) return dated;
        return [.. dated, .. RecordLapse(new RenewalCommand.RecordLapse(now), file)];
    }

    private static IReadOnlyList<RenewalEvent> OpenWindow(OpenRenewalWindow c, CaseFile file)
    {
        var opensOn = Validity.RenewalOpensOn(file.Expiry.UserAuthenticationExpiry);
        return !file.WindowOpened && file.RenewedUntil is null && JapanTime.DateOf(c.Now) >= opensOn ? [new RenewalWindowOpened(opensOn, c.Now)] : [];
    }

    private static IReadOnlyList<RenewalEvent> RecordLapse(RenewalCommand.RecordLapse c, CaseFile file)
    {
        if (file.RenewedUntil is not null) return [];
        var today = JapanTime.DateOf(c.Now);
        return Enum.GetValues<Certificate>()
            .Where(cert => file.ExpiryOf(cert) is { } expiry && today > expiry && !file.Lapsed.Contains(cert))
            .Select(cert => (RenewalEvent)new CertificateLapsed(cert, file.ExpiryOf(cert)!.Value, c.Now))
            .ToList();
    }

    private static IReadOnlyList<RenewalEvent> FlagOverdue(FlagInquiryOverdue c, CaseFile file) =>
        file.Inquiry is { ReplyReceived: false, Overdue: false } inquiry && JapanTime.DateOf(c.Now) > inquiry.ReplyDueOn
            ? [new InquiryOverdue(inquiry.ReplyDueOn, c.Now)]
            : [];

    private static Visit RequireVisit(CaseFile file) => file.CurrentVisit ?? throw new RuleViolation(Rules.NoVisitInProgress);

    private static Visit RequireAcceptedVisit(CaseFile file)
    {
        var visit = RequireVisit(file);
        return visit.IdentityAccepted == true ? visit : throw new RuleViolation(Rules.IdentityNotAccepted);
    }

    private static void RequireTries(Certificate certificate, int triesLeft)
    {
        if (triesLeft < 0 || triesLeft > Pins.MaxTries(certificate)) throw new RuleViolation(Rules.PinTriesOutOfRange, certificate.NameJa());
    }
}
