namespace CaseSystem.Cases.Renewal;

public enum Certificate { UserAuthentication, Signing }

public enum WhoCame { Holder, LegalRepresentativeOfMinor, GuardianOfAdultWard, AppointedProxy }

public enum DocumentList { A, B, ProofOfAuthority, ReplyForm, LetterOfAttorney }

public enum DocumentOwner { Holder, Representative }

public enum VisitOutcome { Done, MustReturn, Refused, Left }

public enum CaseClosure { Renewed, Lapsed, Withdrawn, MovedOut }

/// <summary>The inquiry-and-reply form (照会書兼回答書) a proxy brings: filled in by the holder and sealed, or not.</summary>
public enum ReplyForm { NotApplicable, Sealed, Missing, Incomplete }

public enum RegistryChange { Address, Name }

public enum PinCheckResult { Matched, Mismatched, Locked }

/// <summary>Why a ticket left the queue without a visit: its holder did not come when called, or the ticket was cancelled.</summary>
public enum TicketDrop { NoShow, Cancelled }

public sealed record Holder(string NameKanji, string NameKana, DateOnly BirthDate, string RegisteredAddress);

public sealed record CertificateDates(DateOnly UserAuthenticationExpiry, DateOnly? SigningExpiry);

/// <summary>A document shown at a visit; <see cref="Kind"/> is a stable code such as "driving-licence".</summary>
public sealed record ShownDocument(string Kind, DocumentList List, DocumentOwner Owner, DateOnly? IssuedOn, DateOnly? ValidUntil);

/// <summary>
/// What happened in one certificate renewal case. A closed hierarchy: only the records nested
/// here are renewal events. None carries a PIN or a My Number.
/// </summary>
public abstract record RenewalEvent
{
    private RenewalEvent() { }

    public abstract DateTimeOffset At { get; init; }

    public sealed record ExpiryNoticeSent(string NoticeNumber, Holder Holder, CertificateDates Expiry, string NoticeBatch, DateTimeOffset At) : RenewalEvent;

    /// <summary>
    /// The notice's data corrected by a later import of the same notice number (a corrected J-LIS
    /// batch, a clerk's typing error in the first file): the holder and the expiry dates as the
    /// notice now has them. The earlier <see cref="ExpiryNoticeSent"/> stays in the log.
    /// </summary>
    public sealed record NoticeAmended(string NoticeNumber, Holder Holder, CertificateDates Expiry, string NoticeBatch, DateTimeOffset At) : RenewalEvent;

    public sealed record CaseOpenedAtCounter(Holder Holder, CertificateDates Expiry, string Office, DateTimeOffset At) : RenewalEvent;

    public sealed record RenewalWindowOpened(DateOnly OpensOn, DateTimeOffset At) : RenewalEvent;

    public sealed record ReservationMade(string Office, DateTimeOffset SlotStart, DateTimeOffset At) : RenewalEvent;

    public sealed record ArrivedAtOffice(string Office, string TicketNumber, DateTimeOffset At) : RenewalEvent;

    public sealed record CalledToCounter(string Office, string Counter, string ClerkId, DateTimeOffset At) : RenewalEvent;

    public sealed record CardRead(
        string StationId,
        string UserAuthenticationSerial,
        DateOnly UserAuthenticationExpiry,
        int UserAuthenticationPinTriesLeft,
        int SigningPinTriesLeft,
        DateTimeOffset At) : RenewalEvent;

    public sealed record VisitStarted(
        int Visit,
        string Office,
        WhoCame WhoCame,
        IReadOnlyList<ShownDocument> Documents,
        ReplyForm ReplyForm,
        bool HolderPresent,
        DateTimeOffset At) : RenewalEvent;

    public sealed record IdentityAccepted(int Visit, string Rule, DateTimeOffset At) : RenewalEvent;

    public sealed record IdentityRefused(int Visit, string Rule, string Reason, DateTimeOffset At) : RenewalEvent;

    public sealed record PinMatched(Certificate Certificate, DateTimeOffset At) : RenewalEvent;

    public sealed record PinMismatchRecorded(Certificate Certificate, int TriesLeft, DateTimeOffset At) : RenewalEvent;

    public sealed record PinLocked(Certificate Certificate, DateTimeOffset At) : RenewalEvent;

    public sealed record PinReset(IReadOnlyList<Certificate> Certificates, DateTimeOffset At) : RenewalEvent;

    public sealed record DocumentInquiryMailed(string Reason, string MailedTo, DateOnly MailedOn, DateOnly ReplyDueOn, DateTimeOffset At) : RenewalEvent;

    public sealed record InquiryReplyReceived(int Visit, DateTimeOffset At) : RenewalEvent;

    public sealed record InquiryOverdue(DateOnly DueOn, DateTimeOffset At) : RenewalEvent;

    public sealed record CertificatesRenewed(IReadOnlyList<Certificate> Certificates, DateOnly NewExpiry, int FeeYen, DateTimeOffset At) : RenewalEvent;

    /// <summary>
    /// Certificates issued anew (after expiry, or lapsed or revoked: free, 002/003). Before
    /// <see cref="CertificatesIssuedOnReissuedCard"/> existed, an issuance onto a re-issued card was
    /// stored as this with <see cref="OnReissuedCard"/> true; the read models read those as that
    /// event. Events stored before the flag existed read as false.
    /// </summary>
    public sealed record CertificatesIssued(IReadOnlyList<Certificate> Certificates, DateOnly NewExpiry, int FeeYen, DateTimeOffset At, bool OnReissuedCard = false) : RenewalEvent;

    /// <summary>Certificates issued onto a re-issued card: an issuance, 200 yen (003 ※; 002 ※2: services as after a card issue).</summary>
    public sealed record CertificatesIssuedOnReissuedCard(IReadOnlyList<Certificate> Certificates, DateOnly NewExpiry, int FeeYen, DateTimeOffset At) : RenewalEvent;

    public sealed record VisitEnded(int Visit, VisitOutcome Outcome, DateTimeOffset At) : RenewalEvent;

    public sealed record CertificateLapsed(Certificate Certificate, DateOnly ExpiredOn, DateTimeOffset At) : RenewalEvent;

    public sealed record RegistryChangeReported(RegistryChange Change, DateTimeOffset At) : RenewalEvent;

    public sealed record RegistryChangeCompleted(RegistryChange Change, DateTimeOffset At) : RenewalEvent;

    public sealed record CaseClosed(CaseClosure Closure, DateTimeOffset At) : RenewalEvent;

    /// <summary>The open ticket left the queue without a visit (no-show, or cancelled): it leaves the board, and no service is counted for it.</summary>
    public sealed record TicketDropped(string Office, string? TicketNumber, TicketDrop Drop, DateTimeOffset At) : RenewalEvent;

    // Corrections (issue 12, "corrected, never erased"). A mistake stays in the log, hash-chained;
    // a correction is a later event that says what no longer counts, why (Reason: required,
    // bounded, see Corrections) and, in its metadata like every event, who and where.
    //
    // A void names the voided entry by its stream Version: that is the entry's one identity in the
    // log, the audit trail and the hash chain, the same whatever kind the entry is, and stable
    // (visit numbers and ticket numbers are not unique: a voided visit keeps its number, a ticket
    // number comes back the next day). Entry carries the voided event's stored type name, so that
    // a reader (the report, the audit trail) knows what kind of entry stopped counting without
    // looking it up. What may be voided and why is Corrections.Voidable's to say. An outcome or a
    // document list is amended, not voided: the visit happened, one of its facts was recorded wrong.

    /// <summary>The entry at stream version <see cref="Version"/> (an arrival or a visit recorded on the wrong case) no longer counts.</summary>
    public sealed record EntryVoided(long Version, string Entry, string Reason, DateTimeOffset At) : RenewalEvent;

    /// <summary>The ended visit's outcome was recorded wrong: <see cref="Outcome"/> is the right one.</summary>
    public sealed record VisitOutcomeAmended(int Visit, VisitOutcome Outcome, string Reason, DateTimeOffset At) : RenewalEvent;

    /// <summary>
    /// The visit in progress showed other documents (or another reply form) than were ticked; the
    /// identity check is made again on these and recorded after this event (IdentityAccepted or IdentityRefused).
    /// </summary>
    public sealed record VisitDocumentsAmended(int Visit, IReadOnlyList<ShownDocument> Documents, ReplyForm ReplyForm, string Reason, DateTimeOffset At) : RenewalEvent;

    /// <summary>Every renewal event type. Each is stored under its own record name: the names are the stored contract.</summary>
    public static IReadOnlyList<Type> Types { get; } =
        [.. typeof(RenewalEvent).GetNestedTypes().Where(t => t.IsSubclassOf(typeof(RenewalEvent))).OrderBy(t => t.Name, StringComparer.Ordinal)];
}
