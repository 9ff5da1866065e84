using static CaseSystem.Cases.Renewal.RenewalCommand;
using static CaseSystem.Cases.Renewal.RenewalEvent;

namespace CaseSystem.Cases.Renewal;

/// <summary>What the decider needs to know of a municipality's policy.</summary>
public interface IRenewalPolicy
{
    string Municipality { get; }

    /// <summary>List A or B for an identity document kind, or null when the municipality does not accept it as identity.</summary>
    DocumentList? ListOf(string documentKind);

    /// <summary>Whether a proxy showing these many documents of lists A and B is identified (000: A×1; 001: A×1 or B×2).</summary>
    bool ProxyIdentified(int listA, int listB);

    /// <summary>What a proxy must show, for the clerk: 「A1点またはB2点」.</summary>
    string ProxyIdentityJa { get; }

    bool ReservationRequired { get; }

    /// <summary>Why the office does not receive visitors at that moment, or null when it does.</summary>
    (Rule Rule, string Detail)? ReceptionClosed(string office, DateTimeOffset at);

    /// <summary>Days after mailing after which an unanswered inquiry is overdue.</summary>
    int InquiryReplyDays { get; }
}

/// <summary>Document kinds with a role of their own; identity documents are classified by the policy.</summary>
public static class DocumentKinds
{
    public const string MyNumberCard = "my-number-card";
    public const string FamilyRegisterCertificate = "family-register-certificate";
    public const string MaternalChildHandbook = "maternal-and-child-health-handbook";
    public const string GuardianshipCertificate = "guardianship-certificate";
    public const string LetterOfAttorney = "letter-of-attorney";
    public const string ReplyForm = "reply-form";
}

/// <summary>
/// The renewal case's decisions: a command and the state its events left give new events, or a
/// <see cref="RuleViolation"/> naming the rule. Pure: the time is the command's, the municipality's
/// rules are the policy's.
/// </summary>
public sealed class RenewalDecider(IRenewalPolicy policy)
{
    public IReadOnlyList<RenewalEvent> Decide(RenewalCommand command, RenewalState state) => (CommandGuard.Checked(command), state) switch
    {
        (RecordExpiryNotice c, RenewalState.NoCase) => [new ExpiryNoticeSent(c.NoticeNumber, c.Holder, c.Expiry, c.NoticeBatch, c.Now)],
        (RecordExpiryNotice c, RenewalState.Active { Case.NoticeNumber: var n }) when n == c.NoticeNumber => [],
        (OpenCaseAtCounter c, RenewalState.NoCase) => [new CaseOpenedAtCounter(c.Holder, c.Expiry, c.Office, c.Now)],
        (RecordExpiryNotice or OpenCaseAtCounter, _) => throw new RuleViolation(Rules.CaseExists),
        (_, RenewalState.NoCase) => throw new RuleViolation(Rules.NoCase),
        // The card read again after the renewal is its evidence, even when the case was closed before the read arrived.
        (RecordCardRead c, RenewalState.Closed { Closure: CaseClosure.Renewed }) => RecordCardRead(c),
        (_, RenewalState.Closed) => throw new RuleViolation(Rules.CaseClosed),
        (_, RenewalState.Active { Case: var file }) => DecideActive(command, file),
        _ => throw new InvalidOperationException($"unhandled state {state.GetType().Name}"),
    };

    private IReadOnlyList<RenewalEvent> DecideActive(RenewalCommand command, CaseFile file) => command switch
    {
        MakeReservation c => [new ReservationMade(c.Office, c.SlotStart, c.Now)],
        RecordArrival c => [new ArrivedAtOffice(c.Office, c.TicketNumber, c.Now)],
        CallToCounter c => [new CalledToCounter(c.Office, c.Counter, c.ClerkId, c.Now)],
        RecordCardRead c => RecordCardRead(c),
        StartVisit c => StartVisit(c, file),
        RecordPinCheck c => RecordPinCheck(c, file),
        ResetPin c => ResetPin(c, file),
        MailDocumentInquiry c => MailInquiry(c, file),
        ReceiveInquiryReply c => ReceiveReply(c, file),
        RenewCertificates c => Renew(c, file),
        EndVisit c => [new VisitEnded(RequireVisit(file).Number, c.Outcome, c.Now)],
        ReportRegistryChange c => [new RegistryChangeReported(c.Change, c.Now)],
        CompleteRegistryChange c => file.PendingChanges.Contains(c.Change)
            ? [new RegistryChangeCompleted(c.Change, c.Now)]
            : throw new RuleViolation(Rules.NoPendingChange),
        CloseCase c => [new CaseClosed(c.Closure, c.Now)],
        OpenRenewalWindow c => OpenWindow(c, file),
        RecordLapse c => RecordLapse(c, file),
        FlagInquiryOverdue c => FlagOverdue(c, file),
        _ => throw new InvalidOperationException($"unhandled command {command.GetType().Name}"),
    };

    private static IReadOnlyList<RenewalEvent> RecordCardRead(RenewalCommand.RecordCardRead c)
    {
        RequireTries(Certificate.UserAuthentication, c.UserAuthenticationPinTriesLeft);
        RequireTries(Certificate.Signing, c.SigningPinTriesLeft);
        return [new CardRead(c.StationId, c.UserAuthenticationSerial, c.UserAuthenticationExpiry,
            c.UserAuthenticationPinTriesLeft, c.SigningPinTriesLeft, c.Now)];
    }

    private IReadOnlyList<RenewalEvent> StartVisit(RenewalCommand.StartVisit c, CaseFile file)
    {
        if (file.CurrentVisit is not null) throw new RuleViolation(Rules.VisitInProgress);
        if (policy.ReceptionClosed(c.Office, c.Now) is { } closed) throw new RuleViolation(closed.Rule, closed.Detail);
        if (policy.ReservationRequired && file.ReservedOffice != c.Office)
        {
            throw new RuleViolation(Rules.ReservationRequired, $"{c.Office} の予約がありません。");
        }

        var today = JapanTime.DateOf(c.Now);
        var documents = c.Documents.Select(d => Classify(d)).ToList();
        var visit = file.VisitCount + 1;
        var started = new VisitStarted(visit, c.Office, c.WhoCame, documents,
            c.WhoCame == WhoCame.AppointedProxy ? c.ReplyForm : ReplyForm.NotApplicable, c.HolderPresent, c.Now);
        var (accepted, rule, reason) = IdentityCheck(c, file, documents.Where(d => Counts(d, today)).ToList(), today);
        return accepted
            ? [started, new IdentityAccepted(visit, rule.Id, c.Now)]
            : [started, new IdentityRefused(visit, rule.Id, reason, c.Now)];
    }

    private ShownDocument Classify(PresentedDocument d)
    {
        var list = d.Kind switch
        {
            DocumentKinds.FamilyRegisterCertificate or DocumentKinds.MaternalChildHandbook or DocumentKinds.GuardianshipCertificate
                => DocumentList.ProofOfAuthority,
            DocumentKinds.LetterOfAttorney => DocumentList.LetterOfAttorney,
            DocumentKinds.ReplyForm => DocumentList.ReplyForm,
            _ => policy.ListOf(d.Kind) ?? throw new RuleViolation(Rules.UnknownDocument, d.Kind),
        };
        return new ShownDocument(d.Kind, list, d.Owner, d.IssuedOn, d.ValidUntil);
    }

    /// <summary>Within its validity; a My Number Card counts up to 6 months after its own expiry (001, 004).</summary>
    private static bool Counts(ShownDocument d, DateOnly today) => d.ValidUntil switch
    {
        null => true,
        var until when d.Kind == DocumentKinds.MyNumberCard => today <= until.Value.AddMonths(6),
        var until => today <= until.Value,
    };

    private (bool Accepted, Rule Rule, string Reason) IdentityCheck(
        RenewalCommand.StartVisit c, CaseFile file, IReadOnlyList<ShownDocument> valid, DateOnly today)
    {
        int Count(DocumentOwner owner, DocumentList list) => valid.Count(d => d.Owner == owner && d.List == list);
        bool Has(string kind) => valid.Any(d => d.Kind == kind);
        var holderAge = Validity.AgeOn(file.Holder.BirthDate, today);

        switch (c.WhoCame)
        {
            case WhoCame.Holder:
                return (true, Rules.HolderPresence, "");

            case WhoCame.AppointedProxy when file.Inquiry is not null:
            {
                var proxyA = Count(DocumentOwner.Representative, DocumentList.A);
                var proxyAll = proxyA + Count(DocumentOwner.Representative, DocumentList.B);
                var holderIds = valid.Count(d => d.Owner == DocumentOwner.Holder && d.Kind != DocumentKinds.MyNumberCard
                    && d.List is DocumentList.A or DocumentList.B);
                return proxyA >= 1 && proxyAll >= 2 && holderIds >= 1 && Has(DocumentKinds.LetterOfAttorney)
                    ? (true, Rules.InquirySecondVisit, "")
                    : (false, Rules.InquirySecondVisit, "文書照会後は、委任状、本人の本人確認書類1点、代理人の本人確認書類2点(うち1点はA)が必要です。");
            }

            case WhoCame.AppointedProxy:
                return policy.ProxyIdentified(Count(DocumentOwner.Representative, DocumentList.A), Count(DocumentOwner.Representative, DocumentList.B))
                    ? (true, Rules.ProxyIdentity, "")
                    : (false, Rules.ProxyIdentity, $"代理人の本人確認書類({policy.ProxyIdentityJa})が必要です。");

            case WhoCame.LegalRepresentativeOfMinor:
            {
                if (holderAge >= 15) return (false, Rules.LegalRepresentativeOfMinor, $"本人は{holderAge}歳です。法定代理人による手続きは15歳未満の方に限ります。");
                var authority = c.AuthorityOnRecord || Has(DocumentKinds.FamilyRegisterCertificate) || Has(DocumentKinds.MaternalChildHandbook);
                return Count(DocumentOwner.Representative, DocumentList.A) >= 1 && authority
                    ? (true, Rules.LegalRepresentativeOfMinor, "")
                    : (false, Rules.LegalRepresentativeOfMinor, "法定代理人の顔写真付き本人確認書類と、戸籍全部事項証明書または母子健康手帳が必要です。");
            }

            case WhoCame.GuardianOfAdultWard:
            {
                var certificateFresh = valid.Any(d => d.Kind == DocumentKinds.GuardianshipCertificate
                    && d.IssuedOn is { } issued && issued >= today.AddMonths(-3) && issued <= today);
                return Count(DocumentOwner.Representative, DocumentList.A) >= 1 && certificateFresh
                    ? (true, Rules.GuardianCertificate, "")
                    : (false, Rules.GuardianCertificate, "成年後見人の顔写真付き本人確認書類と、発行から3か月以内の成年後見登記事項証明書が必要です。");
            }

            default:
                throw new InvalidOperationException($"unhandled {c.WhoCame}");
        }
    }

    private static IReadOnlyList<RenewalEvent> RecordPinCheck(RenewalCommand.RecordPinCheck c, CaseFile file)
    {
        RequireAcceptedVisit(file);
        if (file.Locked.Contains(c.Certificate) && c.Result != PinCheckResult.Locked) throw new RuleViolation(Rules.PinLocked);
        return c.Result switch
        {
            PinCheckResult.Matched => [new PinMatched(c.Certificate, c.Now)],
            PinCheckResult.Locked => [new PinLocked(c.Certificate, c.Now)],
            _ when c.TriesLeft < 0 || c.TriesLeft >= Pins.MaxTries(c.Certificate) => throw new RuleViolation(Rules.PinTriesOutOfRange),
            _ when c.TriesLeft == 0 => [new PinMismatchRecorded(c.Certificate, 0, c.Now), new PinLocked(c.Certificate, c.Now)],
            _ => [new PinMismatchRecorded(c.Certificate, c.TriesLeft, c.Now)],
        };
    }

    private static IReadOnlyList<RenewalEvent> ResetPin(RenewalCommand.ResetPin c, CaseFile file)
    {
        var visit = RequireAcceptedVisit(file);
        switch (visit.WhoCame)
        {
            case WhoCame.AppointedProxy:
                throw new RuleViolation(Rules.HolderPresence);
            case WhoCame.Holder when !visit.Documents.Any(d => d.Owner == DocumentOwner.Holder && d.List is DocumentList.A or DocumentList.B):
                throw new RuleViolation(Rules.HolderIdWhenPinUnknown);
        }
        return [new PinReset([.. c.Certificates.Distinct()], c.Now)];
    }

    private IReadOnlyList<RenewalEvent> MailInquiry(MailDocumentInquiry c, CaseFile file)
    {
        var visit = RequireAcceptedVisit(file);
        if (visit.WhoCame != WhoCame.AppointedProxy) throw new RuleViolation(Rules.InquiryOnlyForProxy);
        var today = JapanTime.DateOf(c.Now);
        return [new DocumentInquiryMailed(c.Reason, file.Holder.RegisteredAddress, today, today.AddDays(policy.InquiryReplyDays), c.Now)];
    }

    private static IReadOnlyList<RenewalEvent> ReceiveReply(ReceiveInquiryReply c, CaseFile file)
    {
        var visit = RequireAcceptedVisit(file);
        if (file.Inquiry is not { ReplyReceived: false }) throw new RuleViolation(Rules.NoInquiryPending);
        return [new InquiryReplyReceived(visit.Number, c.Now)];
    }

    private static IReadOnlyList<RenewalEvent> Renew(RenewCertificates c, CaseFile file)
    {
        var visit = RequireAcceptedVisit(file);
        var today = JapanTime.DateOf(c.Now);
        var certificates = c.Certificates.Distinct().ToList();

        if (!file.PendingChanges.IsEmpty)
        {
            throw new RuleViolation(Rules.PendingRegistryChange,
                string.Join("・", file.PendingChanges.Select(p => p == RegistryChange.Address ? "住所" : "氏名")) + "の変更が未済です。");
        }
        if (certificates.Contains(Certificate.Signing) && !Validity.MayHoldSigningCertificate(file.Holder.BirthDate, today))
        {
            throw new RuleViolation(Rules.NoSigningUnder15);
        }
        if (visit.WhoCame == WhoCame.AppointedProxy)
        {
            if (file.Inquiry is { ReplyReceived: false }) throw new RuleViolation(Rules.InquiryReplyAwaited);
            if (file.Inquiry is null && visit.ReplyForm != ReplyForm.Sealed) throw new RuleViolation(Rules.ProxySealedReplyForm);
            if (visit.PinMismatchOnForm) throw new RuleViolation(Rules.ProxyWrongPinOnForm);
        }
        if (visit.WhoCame == WhoCame.GuardianOfAdultWard && certificates.Contains(Certificate.Signing) && !visit.HolderPresent)
        {
            throw new RuleViolation(Rules.WardPresentForSigning);
        }

        var renew = new List<Certificate>();
        var issue = new List<Certificate>();
        foreach (var certificate in certificates)
        {
            if (file.Locked.Contains(certificate)) throw new RuleViolation(Rules.PinLocked, certificate.NameJa());
            if (!visit.PinsVerified.Contains(certificate)) throw new RuleViolation(Rules.PinNotVerified, certificate.NameJa());
            var expiry = certificate == Certificate.Signing && file.SigningRevoked ? null : file.ExpiryOf(certificate);
            if (expiry is null || today > expiry || file.Lapsed.Contains(certificate))
            {
                issue.Add(certificate);
            }
            else if (today < Validity.RenewalOpensOn(expiry.Value))
            {
                throw new RuleViolation(Rules.RenewalWindow,
                    $"{certificate.NameJa()}の有効期限は{JapanTime.Ja(expiry.Value)}です。更新は{JapanTime.Ja(Validity.RenewalOpensOn(expiry.Value))}から可能です。");
            }
            else
            {
                renew.Add(certificate);
            }
        }

        var newExpiry = Validity.CertificateExpiry(file.Holder.BirthDate, today);
        var fee = c.OnReissuedCard ? 200 : 0;
        var events = new List<RenewalEvent>();
        if (renew.Count > 0) events.Add(new CertificatesRenewed(renew, newExpiry, fee, c.Now));
        if (issue.Count > 0) events.Add(new CertificatesIssued(issue, newExpiry, renew.Count > 0 ? 0 : fee, c.Now, c.OnReissuedCard));
        return events;
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
