using System.Collections.Immutable;
using static CaseSystem.Cases.Renewal.RenewalEvent;

namespace CaseSystem.Cases.Renewal;

/// <summary>A case as its events leave it: none yet, active, or closed.</summary>
public abstract record RenewalState
{
    private RenewalState() { }

    public sealed record NoCase : RenewalState;

    public sealed record Active(CaseFile Case) : RenewalState;

    /// <param name="ClosedAtVersion">The stream version of the closure (0 where it is not known: a read model's copy).</param>
    public sealed record Closed(CaseFile Case, CaseClosure Closure, long ClosedAtVersion = 0) : RenewalState;

    public static RenewalState Initial { get; } = new NoCase();

    public static RenewalState Fold(IEnumerable<RenewalEvent> events) => events.Aggregate(Initial, Evolve);

    private static Closed ClosedAs(CaseFile file, CaseClosure closure) => new(file, closure, file.Version);

    public static RenewalState Evolve(RenewalState state, RenewalEvent @event) => (state, @event) switch
    {
        (NoCase, ExpiryNoticeSent e) => new Active(CaseFile.Open(e.Holder, e.Expiry, e.NoticeNumber, e.At)),
        (NoCase, CaseOpenedAtCounter e) => new Active(CaseFile.Open(e.Holder, e.Expiry, null, e.At) with { OpenedOffice = e.Office }),
        (Active a, CaseClosed e) => ClosedAs(a.Case.Apply(@event), e.Closure),
        (Active a, _) => new Active(a.Case.Apply(@event)),
        (Closed c, CardRead or PinMatched or PinMismatchRecorded or PinLocked) => c with { Case = c.Case.Apply(@event) },
        // Nothing else changes a closed case, but it is one more entry in its log: the file keeps counting (CaseFile.Version).
        (Closed c, _) => c with { Case = c.Case with { Version = c.Case.Version + 1 } },
        _ => state,
    };
}

public sealed record Visit(
    int Number,
    string Office,
    WhoCame WhoCame,
    ImmutableArray<ShownDocument> Documents,
    ReplyForm ReplyForm,
    bool HolderPresent,
    bool? IdentityAccepted,
    ImmutableHashSet<Certificate> PinsVerified,
    bool PinMismatchOnForm,
    bool ReplyBrought,
    bool Renewed = false);

/// <summary>What the card showed when last read; <see cref="AfterRenewal"/>: read after the certificates were renewed, the evidence of the new expiry.</summary>
public sealed record CardShown(string Serial, DateOnly UserAuthenticationExpiry, DateTimeOffset ReadAt, bool AfterRenewal);

public sealed record Inquiry(DateOnly MailedOn, DateOnly ReplyDueOn, bool ReplyReceived, bool Overdue);

/// <summary>
/// Everything a case knows. Tries left are as the card last said; null before any read.
/// <see cref="Version"/> is the number of events folded, which is the stream version of the last
/// one: corrections name an entry by it (the tickets, the visits and what may be voided are in
/// CaseFile.Corrections.cs). <see cref="VisitCount"/> is the number of the last visit started;
/// <see cref="Visits"/> the visits that count (not voided).
/// </summary>
public sealed partial record CaseFile(
    Holder Holder,
    CertificateDates Expiry,
    string? NoticeNumber,
    string? ReservedOffice,
    int VisitCount,
    Visit? CurrentVisit,
    ImmutableDictionary<Certificate, int> TriesLeft,
    ImmutableHashSet<Certificate> Locked,
    Inquiry? Inquiry,
    ImmutableHashSet<RegistryChange> PendingChanges,
    bool SigningRevoked,
    bool WindowOpened,
    ImmutableHashSet<Certificate> Lapsed,
    DateOnly? RenewedUntil,
    CardShown? LastCardRead = null,
    DateTimeOffset? ReservedSlot = null,
    ImmutableHashSet<Certificate>? RenewedCertificates = null,
    long Version = 0,
    ImmutableList<TicketEntry>? Tickets = null,
    ImmutableList<VisitEntry>? VisitLog = null,
    int VoidedVisits = 0,
    string? OpenedOffice = null)
{
    /// <summary>The certificates renewed or issued in this case.</summary>
    public ImmutableHashSet<Certificate> Renewed => RenewedCertificates ?? [];

    /// <summary>
    /// The certificates the holder has (the card's dates: a child under 15, or a holder who declined
    /// it, has no signing certificate) that this case has not renewed or issued yet. Once none is
    /// left, the case offers no renewal, inquiry or PIN reset (issue 12: a child's case offered the
    /// renewal again after its one certificate was renewed).
    /// </summary>
    public ImmutableHashSet<Certificate> Outstanding =>
        [.. Enum.GetValues<Certificate>().Where(c => !Renewed.Contains(c) && (c != Certificate.Signing || Expiry.SigningExpiry is not null))];

    /// <summary>
    /// A new case's file. Its renewal window is open from the start when the case begins on or after
    /// the day it opens (RenewalDecider.WithTimeCaughtUp: no event records a window that opened
    /// before the case), so that the window's timer, and an amendment, find it open.
    /// </summary>
    public static CaseFile Open(Holder holder, CertificateDates expiry, string? noticeNumber, DateTimeOffset at) => new(
        holder, expiry, noticeNumber, null, 0, null, ImmutableDictionary<Certificate, int>.Empty, [], null, [], false,
        WindowOpenOn(expiry, JapanTime.DateOf(at)), [], null, Version: 1);

    private static bool WindowOpenOn(CertificateDates expiry, DateOnly day) => Validity.RenewalOpensOn(expiry.UserAuthenticationExpiry) <= day;

    /// <summary>The file after one more event of its stream.</summary>
    public CaseFile Apply(RenewalEvent @event)
    {
        var version = Version + 1;
        return Applied(@event, version) with { Version = version };
    }

    private CaseFile Applied(RenewalEvent @event, long version) => @event switch
    {
        ArrivedAtOffice e => Arrived(e, version),
        CalledToCounter e => Called(e, version),
        TicketDropped e => Dropped(e),
        EntryVoided e => Voided(e),
        VisitOutcomeAmended e => WithLog(e.Visit, v => v with { Outcome = e.Outcome }),
        VisitDocumentsAmended e => WithVisit(v => v.Number == e.Visit ? v with { Documents = [.. e.Documents], ReplyForm = e.ReplyForm } : v),
        ReservationMade e => this with { ReservedOffice = e.Office, ReservedSlot = e.SlotStart },
        CardRead e => this with
        {
            TriesLeft = TriesLeft.SetItem(Certificate.UserAuthentication, e.UserAuthenticationPinTriesLeft)
                .SetItem(Certificate.Signing, e.SigningPinTriesLeft),
            LastCardRead = new CardShown(e.UserAuthenticationSerial, e.UserAuthenticationExpiry, e.At, AfterRenewal: RenewedUntil is not null),
        },
        VisitStarted e => VisitOpened(e, version) with
        {
            VisitCount = e.Visit,
            CurrentVisit = new Visit(e.Visit, e.Office, e.WhoCame, [.. e.Documents], e.ReplyForm, e.HolderPresent, null, [], false, false),
        },
        IdentityAccepted => WithVisit(v => v with { IdentityAccepted = true }),
        IdentityRefused => WithVisit(v => v with { IdentityAccepted = false }),
        PinMatched e => WithVisit(v => v.IdentityAccepted == true ? v with { PinsVerified = v.PinsVerified.Add(e.Certificate) } : v) with
        {
            TriesLeft = TriesLeft.SetItem(e.Certificate, Pins.MaxTries(e.Certificate)),
            Locked = Locked.Remove(e.Certificate),
        },
        PinMismatchRecorded e => WithVisit(v => v with { PinMismatchOnForm = v.PinMismatchOnForm || v.WhoCame == WhoCame.AppointedProxy }) with
        {
            TriesLeft = TriesLeft.SetItem(e.Certificate, e.TriesLeft),
        },
        PinLocked e => WithVisit(v => v with { PinMismatchOnForm = v.PinMismatchOnForm || v.WhoCame == WhoCame.AppointedProxy }) with
        {
            TriesLeft = TriesLeft.SetItem(e.Certificate, 0),
            Locked = Locked.Add(e.Certificate),
        },
        PinReset e => Bound(e).WithVisit(v => v with { PinsVerified = v.PinsVerified.Union(e.Certificates) }) with
        {
            Locked = Locked.Except(e.Certificates),
            TriesLeft = e.Certificates.Aggregate(TriesLeft, (t, c) => t.SetItem(c, Pins.MaxTries(c))),
        },
        DocumentInquiryMailed e => Bound(e) with { Inquiry = new Inquiry(e.MailedOn, e.ReplyDueOn, false, false) },
        InquiryReplyReceived e => Bound(e).WithVisit(v => v with { ReplyBrought = true }) with
        {
            Inquiry = Inquiry is null ? null : Inquiry with { ReplyReceived = true, Overdue = false },
        },
        InquiryOverdue => this with { Inquiry = Inquiry is null ? null : Inquiry with { Overdue = true } },
        CertificatesRenewed e => Bound(e).Renewal(e.Certificates, e.NewExpiry),
        CertificatesIssued e => Bound(e).Renewal(e.Certificates, e.NewExpiry) with { Lapsed = Lapsed.Except(e.Certificates) },
        CertificatesIssuedOnReissuedCard e => Bound(e).Renewal(e.Certificates, e.NewExpiry) with { Lapsed = Lapsed.Except(e.Certificates) },
        VisitEnded e => WithLog(e.Visit, v => v with { Outcome = e.Outcome }) with { CurrentVisit = null },
        RegistryChangeReported e => this with { PendingChanges = PendingChanges.Add(e.Change) },
        RegistryChangeCompleted e => this with { PendingChanges = PendingChanges.Remove(e.Change), SigningRevoked = true },
        RenewalWindowOpened => this with { WindowOpened = true },
        CertificateLapsed e => this with { Lapsed = Lapsed.Add(e.Certificate) },
        NoticeAmended e => Amended(e),
        _ => this,
    };

    private CaseFile Renewal(IReadOnlyList<Certificate> certificates, DateOnly newExpiry) => WithVisit(v => v with { Renewed = true })
        .WithLog(CurrentVisit?.Number, v => v with { Renewed = true }) with
    {
        RenewedUntil = newExpiry,
        RenewedCertificates = Renewed.Union(certificates),
        LastCardRead = LastCardRead is null ? null : LastCardRead with { AfterRenewal = false },
    };

    /// <summary>Whether the case holds exactly this holder and these expiry dates (a notice imported again).</summary>
    public bool HasNoticeData(Holder holder, CertificateDates expiry) => Holder == holder && Expiry == expiry;

    /// <summary>
    /// The notice's corrected data. What the old dates had brought about is judged again on the new
    /// ones, as of the amendment: the window is open only if it opens by then, and a certificate
    /// counts as lapsed only if its corrected expiry has passed (the timers are set again for the rest).
    /// </summary>
    private CaseFile Amended(NoticeAmended e)
    {
        var today = JapanTime.DateOf(e.At);
        var amended = this with { Holder = e.Holder, Expiry = e.Expiry };
        return amended with
        {
            WindowOpened = WindowOpenOn(e.Expiry, today),
            Lapsed = Lapsed.Where(c => amended.ExpiryOf(c) is { } expiry && expiry < today).ToImmutableHashSet(),
        };
    }

    private CaseFile WithVisit(Func<Visit, Visit> change) => CurrentVisit is null ? this : this with { CurrentVisit = change(CurrentVisit) };

    /// <summary>The expiry of one certificate; a holder without a signing certificate has none.</summary>
    public DateOnly? ExpiryOf(Certificate certificate) =>
        certificate == Certificate.UserAuthentication ? Expiry.UserAuthenticationExpiry : Expiry.SigningExpiry;
}

public static class Certificates
{
    /// <summary>The certificate's name as the counter says it.</summary>
    public static string NameJa(this Certificate certificate) =>
        certificate == Certificate.Signing ? "署名用電子証明書" : "利用者証明用電子証明書";
}

public static class Pins
{
    /// <summary>Consecutive wrong entries before a lock: 3 for user authentication, 5 for signing (003).</summary>
    public static int MaxTries(Certificate certificate) => certificate == Certificate.UserAuthentication ? 3 : 5;
}
