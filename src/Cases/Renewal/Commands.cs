namespace CaseSystem.Cases.Renewal;

/// <summary>A document the clerk saw; the municipality's policy says which list (A or B) it is on.</summary>
public sealed record PresentedDocument(string Kind, DocumentOwner Owner, DateOnly? IssuedOn = null, DateOnly? ValidUntil = null);

/// <summary>What a clerk, a station or a timer asks of a case. Each carries the moment it happened.</summary>
public abstract record RenewalCommand
{
    private RenewalCommand() { }

    public abstract DateTimeOffset Now { get; init; }

    public sealed record RecordExpiryNotice(string NoticeNumber, Holder Holder, CertificateDates Expiry, string NoticeBatch, DateTimeOffset Now) : RenewalCommand;

    /// <summary>The notice imported again with other data, meant as a correction (<c>?amend=true</c>).</summary>
    public sealed record AmendNotice(string NoticeNumber, Holder Holder, CertificateDates Expiry, string NoticeBatch, DateTimeOffset Now) : RenewalCommand;

    public sealed record OpenCaseAtCounter(Holder Holder, CertificateDates Expiry, string Office, DateTimeOffset Now) : RenewalCommand;

    public sealed record MakeReservation(string Office, DateTimeOffset SlotStart, DateTimeOffset Now) : RenewalCommand;

    public sealed record RecordArrival(string Office, string TicketNumber, DateTimeOffset Now) : RenewalCommand;

    public sealed record CallToCounter(string Office, string Counter, string ClerkId, DateTimeOffset Now) : RenewalCommand;

    public sealed record RecordCardRead(
        string StationId, string UserAuthenticationSerial, DateOnly UserAuthenticationExpiry,
        int UserAuthenticationPinTriesLeft, int SigningPinTriesLeft, DateTimeOffset Now) : RenewalCommand;

    public sealed record StartVisit(
        string Office,
        WhoCame WhoCame,
        IReadOnlyList<PresentedDocument> Documents,
        DateTimeOffset Now,
        ReplyForm ReplyForm = ReplyForm.NotApplicable,
        bool HolderPresent = true,
        bool AuthorityOnRecord = false) : RenewalCommand;

    /// <param name="SeenVersion">The case's version in the view the station acted on when it tried the PIN on the card
    /// (<c>Observed-Version</c>), if it said: a closure it could not have seen does not keep the card's fact out of the case.</param>
    public sealed record RecordPinCheck(Certificate Certificate, PinCheckResult Result, int TriesLeft, DateTimeOffset Now, long? SeenVersion = null) : RenewalCommand;

    public sealed record ResetPin(IReadOnlyList<Certificate> Certificates, DateTimeOffset Now) : RenewalCommand;

    public sealed record MailDocumentInquiry(string Reason, DateTimeOffset Now) : RenewalCommand;

    public sealed record ReceiveInquiryReply(DateTimeOffset Now) : RenewalCommand;

    public sealed record RenewCertificates(IReadOnlyList<Certificate> Certificates, DateTimeOffset Now, bool OnReissuedCard = false) : RenewalCommand;

    public sealed record EndVisit(VisitOutcome Outcome, DateTimeOffset Now) : RenewalCommand;

    public sealed record ReportRegistryChange(RegistryChange Change, DateTimeOffset Now) : RenewalCommand;

    public sealed record CompleteRegistryChange(RegistryChange Change, DateTimeOffset Now) : RenewalCommand;

    public sealed record CloseCase(CaseClosure Closure, DateTimeOffset Now) : RenewalCommand;

    /// <summary>The open ticket (waiting or called, no visit yet) leaves the queue.</summary>
    public sealed record DropTicket(TicketDrop Drop, DateTimeOffset Now) : RenewalCommand;

    /// <summary>Corrections: the entry at that stream version was recorded on the wrong case.</summary>
    public sealed record VoidEntry(long Version, string Reason, DateTimeOffset Now) : RenewalCommand;

    public sealed record AmendVisitOutcome(int Visit, VisitOutcome Outcome, string Reason, DateTimeOffset Now) : RenewalCommand;

    /// <summary>The documents (and reply form) of the visit in progress, as they really were; the identity check is made again on them.</summary>
    public sealed record AmendVisitDocuments(
        IReadOnlyList<PresentedDocument> Documents, ReplyForm ReplyForm, string Reason, DateTimeOffset Now, bool AuthorityOnRecord = false) : RenewalCommand;

    /// <summary>Timers: the renewal window opens, a certificate reaches its expiry, an inquiry goes unanswered.</summary>
    public sealed record OpenRenewalWindow(DateTimeOffset Now) : RenewalCommand;

    public sealed record RecordLapse(DateTimeOffset Now) : RenewalCommand;

    public sealed record FlagInquiryOverdue(DateTimeOffset Now) : RenewalCommand;
}
