using CaseSystem.Cases;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Timers;
using static CaseSystem.Cases.Renewal.RenewalCommand;

namespace CaseSystem.Benchmarks.Sample;

/// <summary>An event the decider recorded, with what the store keeps around it (who, where, which command).</summary>
internal readonly record struct RecordedEvent(RenewalEvent Event, string Command, string? Actor, string? Office, Guid Correlation);

/// <summary>A generated case as the writer leaves it.</summary>
internal sealed record WrittenCase(Guid StreamId, string Municipality, List<RecordedEvent> Events, IReadOnlyList<string> Tags);

/// <summary>The notice a case starts from: its number, its batch, and when the batch import recorded it.</summary>
internal sealed record NoticeSlot(string Number, string Batch, DateTimeOffset At, string ImportClerk);

/// <summary>
/// Writes one case by running the real decider: each step is a command a clerk, a card station,
/// the reservation line or a timer (Wolverine's scheduled message) would send, decided on the state the events so far
/// leave, its events applied with <see cref="RenewalState.Evolve"/>, and the timers those events
/// set (<see cref="RenewalTimers.SetBy"/>) fired as Wolverine would, shortly after they
/// fall due (so the window opens, certificates lapse and inquiries fall overdue by themselves).
/// A command the decider refuses is a bug of the generator and stops the run.
/// <para>
/// The mix (shares of cases, roughly): 88% start with the J-LIS notice (imported in one burst
/// per municipality and month, about three months ahead), 12% at the counter (the notice is not
/// forwarded). Of the notice cases about 87% renew in time, 6% come after expiry (issuance
/// after the lapse), 6% never come (lapsed, closed once insurance use has ended), 1% move out or
/// withdraw; of the counter cases 12% come before the window opens and are sent back. Who comes:
/// the holder (83%), a legal representative for a holder under 15 (6%, user-authentication
/// certificate only), an appointed proxy (4%; a quarter of holders over 80), a guardian of an
/// adult ward (0.5%). Holders: about a fifth have PIN trouble (a wrong try, a PIN forgotten or
/// a card locked on arrival: reset at the counter, or sent home for an ID document), 2% finish
/// a change of address or name first (the signing certificate is then issued anew), 3% (not in
/// Kawasaki, where visits are by reservation) took a ticket on an earlier day and left. Proxies: two thirds bring the sealed reply form, the rest
/// go through the mailed document inquiry and a second visit weeks later (some never return).
/// Ages, birthdays (hence expiry dates: a birthday in fiscal 2025), names, towns and offices
/// follow SamplePlaces; visits are on the office's open days, within reception hours, with
/// waits of a few minutes up to an hour (by 15-minute reservation in Kawasaki).
/// </para>
/// </summary>
internal sealed class SampleCaseWriter
{
    private enum Fate { OnTime, Late, TooEarly, Never, MovedOut, Withdrawn }

    private enum PinPlan { Match, UaRetry, SigRetry, SigReset, UaLocked, BothForgotten }

    private sealed class VisitClock(SampleOffice office, string clerk, DateTimeOffset at)
    {
        public SampleOffice Office { get; } = office;
        public string Clerk { get; } = clerk;
        public DateTimeOffset At { get; set; } = at;
    }

    private static readonly (Fate, double)[] NoticeFates =
        [(Fate.OnTime, 86.5), (Fate.Late, 6), (Fate.Never, 6.3), (Fate.MovedOut, 0.8), (Fate.Withdrawn, 0.4)];

    private static readonly (Fate, double)[] CounterFates = [(Fate.OnTime, 78), (Fate.Late, 10), (Fate.TooEarly, 12)];

    private static readonly (PinPlan, double)[] PinPlans =
        [(PinPlan.Match, 78), (PinPlan.UaRetry, 5), (PinPlan.SigRetry, 6), (PinPlan.SigReset, 5), (PinPlan.UaLocked, 3), (PinPlan.BothForgotten, 3)];

    private static readonly ((int Min, int Max), double)[] AgeBands =
        [((6, 14), 6), ((16, 19), 4), ((20, 29), 10), ((30, 39), 12), ((40, 49), 15), ((50, 59), 16), ((60, 69), 15), ((70, 79), 15), ((80, 99), 7)];

    private readonly int _ordinal;
    private readonly SampleMunicipality _m;
    private readonly SampleRandom _r;
    private readonly NoticeSlot? _notice;
    private readonly List<RecordedEvent> _events = [];
    private readonly List<string> _tags = [];
    private readonly Dictionary<string, DateTimeOffset> _timers = new(StringComparer.Ordinal);
    private RenewalState _state = RenewalState.Initial;
    private DateTimeOffset _last = DateTimeOffset.MinValue;
    private Guid _streamId;

    // The holder and the card.
    private Holder _holder = null!;
    private CertificateDates _dates = null!;
    private SampleTown _town = null!;
    private bool _foreign;
    private string _serial = "";
    private bool _signingLater;

    private SampleCaseWriter(int ordinal, SampleMunicipality m, NoticeSlot? notice, SampleRandom r)
    {
        _ordinal = ordinal;
        _m = m;
        _notice = notice;
        _r = r;
    }

    /// <summary>A case whose certificates expire in the given month: opened by the notice, or at the counter when there is none.</summary>
    public static WrittenCase Write(int ordinal, SampleMunicipality m, int expiryYear, int expiryMonth, NoticeSlot? notice, SampleRandom r)
    {
        var writer = new SampleCaseWriter(ordinal, m, notice, r);
        writer.Run(expiryYear, expiryMonth);
        return new WrittenCase(writer._streamId, m.Slug, writer._events, writer._tags);
    }

    private void Run(int expiryYear, int expiryMonth)
    {
        MakeHolder(expiryYear, expiryMonth);
        var expiry = _dates.UserAuthenticationExpiry;
        var windowOpens = Validity.RenewalOpensOn(expiry);
        var byNotice = _notice is not null;
        _tags.Add(byNotice ? "start:notice" : "start:counter");

        var earliest = windowOpens;
        if (_notice is { } notice)
        {
            _streamId = CaseIds.ForNotice(_m.Slug, notice.Number);
            Do(new RecordExpiryNotice(notice.Number, _holder, _dates, notice.Batch, U(notice.At)), notice.ImportClerk, _m.Main.Id);
            // The notice goes by post (転送不要) and arrives some days after the batch.
            var arrives = JapanTime.DateOf(notice.At).AddDays(_r.Between(3, 8));
            if (arrives > earliest) earliest = arrives;
        }

        var fate = _r.Weighted(byNotice ? NoticeFates : CounterFates);
        var age = Validity.AgeOn(_holder.BirthDate, expiry);
        var who = age < 15 ? WhoCame.LegalRepresentativeOfMinor : DrawWho(age);
        if (fate == Fate.TooEarly && who != WhoCame.Holder) fate = Fate.OnTime;

        switch (fate)
        {
            case Fate.Never:
                _tags.Add("lapsed");
                CloseAsLapsed(expiry);
                break;
            case Fate.MovedOut or Fate.Withdrawn:
            {
                _tags.Add(fate == Fate.MovedOut ? "moved-out" : "withdrawn");
                var office = _m.Main;
                var day = OpenDay(office, DayBetween(earliest, expiry.AddDays(-1)), earliest, null);
                var at = SamplePlaces.Jst(day, new TimeOnly(9, 0)) + _r.Minutes(0, 450) + _r.Seconds(0, 59);
                Do(new CloseCase(fate == Fate.MovedOut ? CaseClosure.MovedOut : CaseClosure.Withdrawn, U(at)), office.Clerk(_r), office.Id);
                break;
            }
            default:
            {
                DateOnly wanted;
                DateOnly? notAfter;
                if (fate == Fate.Late)
                {
                    _tags.Add("late-issuance");
                    wanted = expiry.AddDays(1 + (int)Math.Min(_r.Exponential(18), 80));
                    notAfter = null;
                }
                else
                {
                    wanted = OnTimeDay(earliest, expiry);
                    notAfter = expiry;
                }
                var counterOpened = !byNotice;
                if (fate == Fate.TooEarly)
                {
                    _tags.Add("too-early");
                    var office = ChooseOffice(who);
                    var early = OpenDay(office, windowOpens.AddDays(-_r.Between(2, 30)), windowOpens.AddDays(-30), windowOpens.AddDays(-1));
                    TooEarlyVisit(office, early);
                    counterOpened = false;
                    earliest = early.AddDays(1) > windowOpens ? early.AddDays(1) : windowOpens;
                    if (wanted < earliest) wanted = earliest;
                }
                switch (who)
                {
                    case WhoCame.Holder: HolderPath(wanted, earliest, notAfter, counterOpened); break;
                    case WhoCame.AppointedProxy: ProxyPath(wanted, earliest, notAfter, counterOpened); break;
                    case WhoCame.LegalRepresentativeOfMinor: LegalRepresentativePath(wanted, earliest, notAfter, counterOpened); break;
                    case WhoCame.GuardianOfAdultWard: GuardianPath(wanted, earliest, notAfter, counterOpened); break;
                }
                break;
            }
        }

        FireTimersBefore(DateTimeOffset.MaxValue);
        if (_state is not RenewalState.Closed)
        {
            throw new InvalidOperationException($"sample case {_ordinal} ({string.Join(",", _tags)}) ends open: {_state.GetType().Name}");
        }
    }

    // ---- The holder ---------------------------------------------------------------------------

    private void MakeHolder(int expiryYear, int expiryMonth)
    {
        var (min, max) = _r.Weighted(AgeBands);
        var ageAtExpiry = _r.Between(min, max);
        var birthYear = expiryYear - ageAtExpiry;
        var birth = new DateOnly(birthYear, expiryMonth, _r.Between(1, DateTime.DaysInMonth(birthYear, expiryMonth)));
        var expiry = Validity.BirthdayIn(birth, expiryYear);

        // Issued in the year before the fifth birthday before expiry (the 2020 wave for fiscal 2025).
        var from = Validity.BirthdayIn(birth, expiryYear - 5);
        var until = Validity.BirthdayIn(birth, expiryYear - 4).AddDays(-1);
        var issued = from.AddDays(_r.Next(until.DayNumber - from.DayNumber + 1));
        if (Validity.CertificateExpiry(birth, issued) != expiry)
        {
            throw new InvalidOperationException($"sample: issue {issued} of a holder born {birth} does not expire {expiry}");
        }
        DateOnly? signing = null;
        if (Validity.MayHoldSigningCertificate(birth, issued))
        {
            signing = expiry;
            if (ageAtExpiry >= 25 && _r.Chance(0.06))
            {
                // Moved since: the signing certificate was revoked and issued again, so it runs to a later birthday (003).
                var lo = Validity.BirthdayIn(birth, expiryYear - 4).AddDays(1);
                var hi = Validity.BirthdayIn(birth, expiryYear - 1).AddDays(-1);
                signing = Validity.CertificateExpiry(birth, lo.AddDays(_r.Next(hi.DayNumber - lo.DayNumber + 1)));
                _signingLater = true;
                _tags.Add("signing-later");
            }
        }
        _dates = new CertificateDates(expiry, signing);

        var female = _r.Chance(0.51);
        _town = _r.Weighted(_m.Towns);
        _foreign = ageAtExpiry is >= 20 and < 60 && _r.Chance(0.02);
        string kanji, kana;
        if (_foreign)
        {
            (kanji, kana) = _r.Pick(SamplePlaces.ForeignNames);
            _tags.Add("foreign-resident");
        }
        else
        {
            var surname = _r.Chance(0.3) ? _r.Pick(_m.LocalSurnames) : _r.Pick(SamplePlaces.Surnames);
            var given = _r.Pick(SamplePlaces.GivenNames(birthYear, female));
            (kanji, kana) = ($"{surname.Kanji} {given.Kanji}", $"{surname.Kana} {given.Kana}");
        }
        _holder = new Holder(kanji, kana, birth, Address());
        // The certificate's serial as the terminal shows it, in groups: never a run of digits a My Number could be mistaken for.
        var serial = _r.NextU64();
        _serial = $"{serial >> 48:X4}-{(serial >> 32) & 0xFFFF:X4}-{(serial >> 16) & 0xFFFF:X4}-{serial & 0xFFFF:X4}";
    }

    private string Address()
    {
        var town = _town;
        var place = _m.AddressPrefix + town.Ward + town.Name;
        if (!town.Urban)
        {
            return _r.Chance(0.6) ? $"{place}{_r.Between(1, 3999)}" : $"{place}{_r.Between(1, 3999)}番地{_r.Between(1, 30)}";
        }
        var address = $"{place}{_r.Between(1, 5)}丁目{_r.Between(1, 30)}番{_r.Between(1, 25)}号";
        if (_r.Chance(0.3))
        {
            var building = _r.Pick(SamplePlaces.Buildings) + town.Name.Replace("大字", "", StringComparison.Ordinal);
            address += $" {building}{_r.Between(1, 9)}{_r.Between(1, 12):00}号室";
        }
        return address;
    }

    private WhoCame DrawWho(int age)
    {
        var (guardian, proxy) = age switch
        {
            >= 80 => (0.04, 0.25),
            >= 70 => (0.01, 0.07),
            >= 20 => (0.003, 0.025),
            _ => (0.0, 0.02),
        };
        var x = _r.NextDouble();
        return x < guardian ? WhoCame.GuardianOfAdultWard : x < guardian + proxy ? WhoCame.AppointedProxy : WhoCame.Holder;
    }

    /// <summary>The certificates the holder has and may renew now: the signing one only when it expires with the other.</summary>
    private List<Certificate> Renewable(bool signingAllowed = true)
    {
        var list = new List<Certificate> { Certificate.UserAuthentication };
        if (_dates.SigningExpiry is not null && !_signingLater && signingAllowed) list.Add(Certificate.Signing);
        return list;
    }

    // ---- Paths --------------------------------------------------------------------------------

    private void HolderPath(DateOnly wanted, DateOnly earliest, DateOnly? notAfter, bool counterOpened)
    {
        _tags.Add("who:holder");
        var office = ChooseOffice(WhoCame.Holder);
        var day = OpenDay(office, wanted, earliest, notAfter);
        var certs = Renewable();
        var pins = _r.Weighted(PinPlans);
        if (!certs.Contains(Certificate.Signing) && pins is PinPlan.SigRetry or PinPlan.SigReset) pins = PinPlan.UaRetry;
        var needsId = pins is PinPlan.SigReset or PinPlan.UaLocked or PinPlan.BothForgotten;
        var bringsId = needsId ? _r.Chance(0.85) : _r.Chance(0.3);
        if (pins != PinPlan.Match) _tags.Add(needsId ? "pin-reset" : "pin-retry");
        if (pins == PinPlan.UaLocked) _tags.Add("pin-locked-on-arrival");

        // Took a ticket on an earlier day and left before being called (waits of 45–60+ minutes).
        if (!counterOpened && !_m.Policy.Reservation.Required && _r.Chance(0.03) && day.AddDays(-1) >= earliest)
        {
            var before = OpenDay(office, day.AddDays(-_r.Between(1, 10)), earliest, day.AddDays(-1));
            if (before < day)
            {
                _tags.Add("left-before-call");
                var (arrival, _, _) = Schedule(office, before, reserve: false);
                Do(new RecordArrival(office.Id, office.Ticket(_r, arrival, office.HoursOn(before)!.Opens), U(arrival)), office.Clerk(_r), office.Id);
            }
        }

        var v = BeginVisit(office, day, counterOpened);
        var (uaTries, sigTries) = (pins == PinPlan.UaLocked ? 0 : _r.Chance(0.08) ? 2 : 3, _r.Chance(0.05) ? 4 : 5);
        CardRead(v, uaTries, sigTries);
        List<PresentedDocument> documents = bringsId ? [HolderId(day)] : [];
        StartVisit(v, WhoCame.Holder, documents);

        var reset = new List<Certificate>();
        switch (pins)
        {
            case PinPlan.Match:
                foreach (var c in certs) Pin(v, c, PinCheckResult.Matched);
                break;
            case PinPlan.UaRetry:
                Pin(v, Certificate.UserAuthentication, PinCheckResult.Mismatched, uaTries - 1);
                foreach (var c in certs) Pin(v, c, PinCheckResult.Matched);
                break;
            case PinPlan.SigRetry:
                Pin(v, Certificate.UserAuthentication, PinCheckResult.Matched);
                Pin(v, Certificate.Signing, PinCheckResult.Mismatched, sigTries - 1);
                Pin(v, Certificate.Signing, PinCheckResult.Matched);
                break;
            case PinPlan.SigReset:
                Pin(v, Certificate.UserAuthentication, PinCheckResult.Matched);
                Pin(v, Certificate.Signing, PinCheckResult.Mismatched, sigTries - 1);
                Pin(v, Certificate.Signing, PinCheckResult.Mismatched, sigTries - 2);
                reset.Add(Certificate.Signing);
                break;
            case PinPlan.UaLocked:
                Pin(v, Certificate.UserAuthentication, PinCheckResult.Locked, 0);
                if (certs.Contains(Certificate.Signing)) Pin(v, Certificate.Signing, PinCheckResult.Matched);
                reset.Add(Certificate.UserAuthentication);
                break;
            case PinPlan.BothForgotten:
                for (var left = uaTries - 1; left >= 0; left--) Pin(v, Certificate.UserAuthentication, PinCheckResult.Mismatched, left);
                reset.AddRange(certs);
                break;
        }

        if (reset.Count > 0 && !bringsId)
        {
            // A PIN to reset and no identity document: come back with one (000, 004).
            _tags.Add("no-id-came-back");
            v.At += _r.Seconds(60, 180);
            Do(new EndVisit(VisitOutcome.MustReturn, U(v.At)), v.Clerk, office.Id);
            var again = OpenDay(office, day.AddDays(_r.Between(1, 14)), day.AddDays(1), notAfter);
            v = BeginVisit(office, again, openCase: false);
            var tries = ((RenewalState.Active)_state).Case.TriesLeft;
            CardRead(v, tries.GetValueOrDefault(Certificate.UserAuthentication, 3), tries.GetValueOrDefault(Certificate.Signing, 5));
            StartVisit(v, WhoCame.Holder, [HolderId(again)]);
            foreach (var c in certs.Where(c => !reset.Contains(c))) Pin(v, c, PinCheckResult.Matched);
            day = again;
        }
        if (reset.Count > 0)
        {
            v.At += _r.Seconds(120, 300);
            Do(new ResetPin(reset, U(v.At)), v.Clerk, office.Id);
        }

        if (_r.Chance(0.02))
        {
            // Moved within the city (or married) and renews in the same visit: the change is
            // finished first (000), which revokes the signing certificate, issued anew (003).
            var change = _r.Chance(0.8) ? RegistryChange.Address : RegistryChange.Name;
            _tags.Add("registry-change");
            v.At += _r.Seconds(30, 120);
            Do(new ReportRegistryChange(change, U(v.At)), v.Clerk, office.Id);
            v.At += _r.Seconds(180, 600);
            Do(new CompleteRegistryChange(change, U(v.At)), v.Clerk, office.Id);
        }
        RenewAndClose(v, certs);
    }

    private void ProxyPath(DateOnly wanted, DateOnly earliest, DateOnly? notAfter, bool counterOpened)
    {
        _tags.Add("who:appointed-proxy");
        var office = ChooseOffice(WhoCame.AppointedProxy);
        var day = OpenDay(office, wanted, earliest, notAfter);
        var certs = Renewable();

        if (_r.Chance(0.03))
        {
            // The proxy brought only an insurance card: not enough (A×1, or in Saku B×2).
            _tags.Add("id-refused");
            var refused = BeginVisit(office, day, counterOpened);
            counterOpened = false;
            CardRead(refused, 3, 5);
            StartVisit(refused, WhoCame.AppointedProxy, [Doc("health-insurance-card", DocumentOwner.Representative, day)], ReplyForm.Sealed,
                holderPresent: false, expectAccepted: false);
            refused.At += _r.Seconds(60, 240);
            Do(new EndVisit(VisitOutcome.Refused, U(refused.At)), refused.Clerk, office.Id);
            day = OpenDay(office, day.AddDays(_r.Between(2, 14)), day.AddDays(1), notAfter);
        }

        // Without the notice there is no reply form: the inquiry is the only way (003, 004).
        var form = _notice is null ? ReplyForm.Missing : _r.Weighted([(ReplyForm.Sealed, 65.0), (ReplyForm.Missing, 25.0), (ReplyForm.Incomplete, 10.0)]);
        var v = BeginVisit(office, day, counterOpened);
        CardRead(v, 3, 5);
        var documents = ProxyIds(day);
        if (form is ReplyForm.Sealed or ReplyForm.Incomplete) documents.Add(Doc(DocumentKinds.ReplyForm, DocumentOwner.Holder, day));
        // In Kawasaki the inquiry is applied for only with a 委任状 (004), which a PIN wrong on a sealed
        // form also calls for: Kawasaki's proxies bring one whatever the form.
        if (form is ReplyForm.Missing or ReplyForm.Incomplete || _m.Slug == "kawasaki")
            documents.Add(Doc(DocumentKinds.LetterOfAttorney, DocumentOwner.Holder, day));
        StartVisit(v, WhoCame.AppointedProxy, documents, form, holderPresent: false);

        string? inquiry = form switch
        {
            ReplyForm.Missing => "reply-form-missing",
            ReplyForm.Incomplete => "reply-form-incomplete",
            _ => null,
        };
        // In Hirosaki a proxy has certificates issued after their expiry only on a visit after an
        // answered inquiry, never on the sealed form the same day (003).
        if (inquiry is null && _m.Slug == "hirosaki"
            && certs.Any(c => day > (c == Certificate.Signing ? _dates.SigningExpiry!.Value : _dates.UserAuthenticationExpiry)))
        {
            inquiry = "proxy-issuance-after-expiry";
        }
        if (inquiry is null)
        {
            Pin(v, Certificate.UserAuthentication, PinCheckResult.Matched);
            if (_r.Chance(0.08))
            {
                // A PIN on the sealed form is wrong: no renewal that day, the inquiry goes out (003).
                if (certs.Contains(Certificate.Signing)) Pin(v, Certificate.Signing, PinCheckResult.Mismatched, 4);
                else Pin(v, Certificate.UserAuthentication, PinCheckResult.Mismatched, 2);
                inquiry = "pin-mismatch-on-reply-form";
            }
            else
            {
                if (certs.Contains(Certificate.Signing)) Pin(v, Certificate.Signing, PinCheckResult.Matched);
                _tags.Add("sealed-reply-form");
                RenewAndClose(v, certs);
                return;
            }
        }

        _tags.Add("document-inquiry");
        v.At += _r.Seconds(120, 420);
        Do(new MailDocumentInquiry(inquiry, U(v.At)), v.Clerk, office.Id);
        v.At += _r.Seconds(30, 120);
        Do(new EndVisit(VisitOutcome.MustReturn, U(v.At)), v.Clerk, office.Id);

        if (_r.Chance(0.08))
        {
            // Never came back: the inquiry falls overdue, the certificates lapse.
            _tags.Add("inquiry-unanswered");
            CloseAsLapsed(_dates.UserAuthenticationExpiry);
            return;
        }
        // The form goes out by post, the holder fills it in, the proxy comes back: weeks later.
        var second = OpenDay(office, day.AddDays(_r.Between(10, 45)), day.AddDays(7), null);
        var w = BeginVisit(office, second, openCase: false);
        var tries = ((RenewalState.Active)_state).Case.TriesLeft;
        CardRead(w, tries.GetValueOrDefault(Certificate.UserAuthentication, 3), tries.GetValueOrDefault(Certificate.Signing, 5));
        var secondDocuments = new List<PresentedDocument>
        {
            HolderId(second, besidesCard: true),
            ProxyId(second),
            Doc("health-insurance-card", DocumentOwner.Representative, second),
            Doc(DocumentKinds.LetterOfAttorney, DocumentOwner.Holder, second),
            Doc(DocumentKinds.ReplyForm, DocumentOwner.Holder, second),
        };
        StartVisit(w, WhoCame.AppointedProxy, secondDocuments, ReplyForm.Sealed, holderPresent: false);
        w.At += _r.Seconds(30, 120);
        Do(new ReceiveInquiryReply(U(w.At)), w.Clerk, office.Id);
        foreach (var c in certs) Pin(w, c, PinCheckResult.Matched);
        RenewAndClose(w, certs);
    }

    private void LegalRepresentativePath(DateOnly wanted, DateOnly earliest, DateOnly? notAfter, bool counterOpened)
    {
        _tags.Add("who:legal-representative");
        var office = ChooseOffice(WhoCame.LegalRepresentativeOfMinor);
        var day = OpenDay(office, wanted, earliest, notAfter);
        var certs = Renewable(); // under 15: the user-authentication certificate only (001)
        var v = BeginVisit(office, day, counterOpened);
        var uaRead = _r.Chance(0.1) ? 2 : 3;
        CardRead(v, uaRead, 5);
        var parentId = _r.Weighted([("driving-licence", 70.0), ("my-number-card", 20.0), ("passport", 10.0)]);
        var documents = new List<PresentedDocument> { Doc(parentId, DocumentOwner.Representative, day) };
        // The municipality's own records may show the relation (003, 004); otherwise proof of authority.
        var onRecord = _m.Slug is "hirosaki" or "kawasaki" && _r.Chance(0.6);
        if (!onRecord)
        {
            documents.Add(Doc(_r.Chance(0.5) ? DocumentKinds.MaternalChildHandbook : DocumentKinds.FamilyRegisterCertificate, DocumentOwner.Representative, day));
        }
        var x = _r.NextDouble();
        if (x < 0.15) documents.AddRange(PinResetIds(day));
        StartVisit(v, WhoCame.LegalRepresentativeOfMinor, documents, holderPresent: _r.Chance(0.65), authorityOnRecord: onRecord);
        if (x < 0.15)
        {
            // The parent set the PIN five years ago and does not remember it: reset the same day (003).
            _tags.Add("pin-reset");
            Pin(v, Certificate.UserAuthentication, PinCheckResult.Mismatched, uaRead - 1);
            v.At += _r.Seconds(120, 300);
            Do(new ResetPin(certs, U(v.At)), v.Clerk, office.Id);
        }
        else
        {
            if (x < 0.2) Pin(v, Certificate.UserAuthentication, PinCheckResult.Mismatched, uaRead - 1);
            foreach (var c in certs) Pin(v, c, PinCheckResult.Matched);
        }
        RenewAndClose(v, certs);
    }

    private void GuardianPath(DateOnly wanted, DateOnly earliest, DateOnly? notAfter, bool counterOpened)
    {
        _tags.Add("who:guardian");
        var office = ChooseOffice(WhoCame.GuardianOfAdultWard);
        var day = OpenDay(office, wanted, earliest, notAfter);
        var wardPresent = _r.Chance(0.4);
        // For the signing certificate the ward must come too (003).
        var certs = Renewable(signingAllowed: wardPresent);
        var v = BeginVisit(office, day, counterOpened);
        CardRead(v, 3, 5);
        var reset = _r.Chance(0.5);
        List<PresentedDocument> documents =
            [Doc(_r.Chance(0.8) ? "driving-licence" : "passport", DocumentOwner.Representative, day), Doc(DocumentKinds.GuardianshipCertificate, DocumentOwner.Representative, day)];
        if (reset) documents.AddRange(PinResetIds(day));
        StartVisit(v, WhoCame.GuardianOfAdultWard, documents, holderPresent: wardPresent);
        if (reset)
        {
            _tags.Add("pin-reset");
            v.At += _r.Seconds(120, 300);
            Do(new ResetPin(certs, U(v.At)), v.Clerk, office.Id);
        }
        else
        {
            foreach (var c in certs) Pin(v, c, PinCheckResult.Matched);
        }
        RenewAndClose(v, certs);
    }

    /// <summary>Came before the window opened (the case opened at the counter): told when to come back.</summary>
    private void TooEarlyVisit(SampleOffice office, DateOnly day)
    {
        var v = BeginVisit(office, day, openCase: true);
        CardRead(v, 3, 5);
        StartVisit(v, WhoCame.Holder, []);
        v.At += _r.Seconds(60, 240);
        Do(new EndVisit(VisitOutcome.MustReturn, U(v.At)), v.Clerk, office.Id);
    }

    // ---- Visit steps --------------------------------------------------------------------------

    private VisitClock BeginVisit(SampleOffice office, DateOnly day, bool openCase)
    {
        var reserve = _m.Policy.Reservation.Required;
        var (arrival, call, slot) = Schedule(office, day, reserve);
        var floor = office.Clerk(_r);
        if (openCase)
        {
            // No notice: the clerk at the reception desk opens the case from the card and the registry.
            _streamId = _r.Version7(arrival);
            Do(new OpenCaseAtCounter(_holder, _dates, office.Id, U(arrival)), floor, office.Id);
            if (reserve) Do(new MakeReservation(office.Id, U(slot), U(arrival + _r.Seconds(10, 30))), floor, office.Id);
            arrival += _r.Seconds(40, 90);
        }
        else if (reserve)
        {
            Reserve(office, day, slot, arrival);
        }
        Do(new RecordArrival(office.Id, office.Ticket(_r, arrival, office.HoursOn(day)!.Opens), U(arrival)), floor, office.Id);
        var clerk = office.Clerk(_r);
        Do(new CallToCounter(office.Id, office.Counter(_r), clerk, U(call)), clerk, office.Id);
        return new VisitClock(office, clerk, call);
    }

    /// <summary>Kawasaki: by reservation, through the call centre (09:00–19:00) or the web, some days ahead (004).</summary>
    private void Reserve(SampleOffice office, DateOnly day, DateTimeOffset slot, DateTimeOffset arrival)
    {
        var byPhone = _r.Chance(0.6);
        var lo = _last + TimeSpan.FromMinutes(1);
        var hi = arrival - TimeSpan.FromMinutes(15);
        var first = JapanTime.DateOf(lo);
        var latest = JapanTime.DateOf(hi) < day ? JapanTime.DateOf(hi) : day.AddDays(-1);
        if (day.AddDays(-14) > first) first = day.AddDays(-14);
        var on = latest < first ? JapanTime.DateOf(hi) : first.AddDays(_r.Next(latest.DayNumber - first.DayNumber + 1));
        var at = SamplePlaces.Jst(on, byPhone ? new TimeOnly(9, 0) : new TimeOnly(7, 0)) + _r.Minutes(0, byPhone ? 599 : 959) + _r.Seconds(0, 59);
        if (at < lo) at = lo + _r.Seconds(0, 600);
        if (at > hi) at = hi - _r.Seconds(0, 600);
        if (at < _last) at = _last;
        Do(new MakeReservation(office.Id, U(slot), U(at)), byPhone ? $"callcenter-{_r.Between(1, 40):000}" : "web-reservation", null);
    }

    private void CardRead(VisitClock v, int uaTries, int sigTries)
    {
        v.At += _r.Seconds(30, 90);
        Do(new RecordCardRead(v.Office.Station(_r), _serial, _dates.UserAuthenticationExpiry, uaTries, sigTries, U(v.At)), v.Clerk, v.Office.Id);
    }

    private void StartVisit(VisitClock v, WhoCame who, IReadOnlyList<PresentedDocument> documents, ReplyForm form = ReplyForm.NotApplicable,
        bool holderPresent = true, bool authorityOnRecord = false, bool expectAccepted = true)
    {
        v.At += _r.Seconds(20, 60);
        Do(new StartVisit(v.Office.Id, who, documents, U(v.At), form, holderPresent, authorityOnRecord), v.Clerk, v.Office.Id);
        var accepted = ((RenewalState.Active)_state).Case.CurrentVisit?.IdentityAccepted;
        if (accepted != expectAccepted)
        {
            throw new InvalidOperationException($"sample case {_ordinal} ({string.Join(",", _tags)}): identity {(accepted == true ? "accepted" : "refused")} at {v.Office.Id}");
        }
    }

    private void Pin(VisitClock v, Certificate certificate, PinCheckResult result, int? triesLeft = null)
    {
        v.At += _r.Seconds(20, 100);
        Do(new RecordPinCheck(certificate, result, triesLeft ?? Cases.Renewal.Pins.MaxTries(certificate), U(v.At)), v.Clerk, v.Office.Id);
    }

    private void RenewAndClose(VisitClock v, List<Certificate> certs)
    {
        v.At += _r.Seconds(90, 360);
        Do(new RenewCertificates(certs, U(v.At)), v.Clerk, v.Office.Id);
        v.At += _r.Seconds(30, 120);
        Do(new EndVisit(VisitOutcome.Done, U(v.At)), v.Clerk, v.Office.Id);
        v.At += _r.Seconds(5, 60);
        Do(new CloseCase(CaseClosure.Renewed, U(v.At)), v.Clerk, v.Office.Id);
        _tags.Add(_events.Any(e => e.Event is RenewalEvent.CertificatesIssued) ? "issued" : "renewed");
    }

    /// <summary>
    /// Never renewed: once health-insurance use has ended too (the end of the third month after
    /// the month of expiry, 004), a clerk closes the month's lapsed cases on the next working day.
    /// </summary>
    private void CloseAsLapsed(DateOnly expiry)
    {
        var office = _m.Main;
        var first = new DateOnly(expiry.Year, expiry.Month, 1).AddMonths(4);
        var lastDay = JapanTime.DateOf(_last).AddDays(35);
        if (first < lastDay) first = lastDay;
        var day = OpenDay(office, first, first, null);
        var at = SamplePlaces.Jst(day, new TimeOnly(9, 0)) + _r.Minutes(0, 120) + _r.Seconds(0, 59);
        FireTimersBefore(at);
        if (at < _last) at = _last + _r.Seconds(1, 60);
        Do(new CloseCase(CaseClosure.Lapsed, U(at)), $"clerk-{_r.Between(1, 3):000}", office.Id);
    }

    // ---- Documents ----------------------------------------------------------------------------

    private PresentedDocument HolderId(DateOnly day, bool besidesCard = false)
    {
        if (_foreign) return Doc("residence-card", DocumentOwner.Holder, day);
        var age = Validity.AgeOn(_holder.BirthDate, day);
        var kind = _r.Weighted<string>(
        [
            ("driving-licence", age is >= 18 and < 80 ? 50 : 10),
            ("health-insurance-card", 30),
            ("passport", 5),
            ("pension-handbook", age >= 60 ? 10 : 1),
            ("long-term-care-insurance-card", age >= 65 ? 10 : 0),
            ("student-id", age < 23 ? 15 : 0),
            ("my-number-card", besidesCard ? 0 : 3),
        ]);
        return Doc(kind, DocumentOwner.Holder, day);
    }

    private PresentedDocument ProxyId(DateOnly day) =>
        Doc(_r.Weighted([("driving-licence", 70.0), ("my-number-card", 20.0), ("passport", 10.0)]), DocumentOwner.Representative, day);

    /// <summary>The proxy's identity: A×1 everywhere; in Saku also B×2 (001).</summary>
    private List<PresentedDocument> ProxyIds(DateOnly day) =>
        _m.Slug == "saku" && _r.Chance(0.2)
            ? [Doc("health-insurance-card", DocumentOwner.Representative, day), Doc("pension-handbook", DocumentOwner.Representative, day)]
            : [ProxyId(day)];

    /// <summary>
    /// What a representative resetting the PIN shows besides their own A×1 (Kawasaki, 004: one ID of
    /// the holder besides the card, and a second of their own); elsewhere nothing more.
    /// </summary>
    private List<PresentedDocument> PinResetIds(DateOnly day) =>
        _m.Slug == "kawasaki" ? [HolderId(day, besidesCard: true), Doc("health-insurance-card", DocumentOwner.Representative, day)] : [];

    /// <summary>A document with plausible dates, valid on the day it is shown.</summary>
    private PresentedDocument Doc(string kind, DocumentOwner owner, DateOnly day)
    {
        DateOnly? issued = null, validUntil = null;
        switch (kind)
        {
            case "driving-licence":
            {
                var years = _r.Chance(0.6) ? 5 : 3;
                validUntil = day.AddDays(_r.Between(30, years * 365 - 2));
                issued = validUntil.Value.AddYears(-years);
                break;
            }
            case "passport":
            case "my-number-card":
                issued = day.AddDays(-_r.Between(60, 3300));
                validUntil = issued.Value.AddYears(10);
                break;
            case "residence-card":
                issued = day.AddDays(-_r.Between(30, 1000));
                validUntil = day.AddDays(_r.Between(60, 1500));
                break;
            case "student-id":
                validUntil = new DateOnly(day.Month >= 4 ? day.Year + 1 : day.Year, 3, 31);
                break;
            case DocumentKinds.GuardianshipCertificate:
                issued = day.AddDays(-_r.Between(3, 80)); // issued within three months (003, 004)
                break;
            case DocumentKinds.FamilyRegisterCertificate:
            case DocumentKinds.LetterOfAttorney:
                issued = day.AddDays(-_r.Between(1, 40));
                break;
            case DocumentKinds.MaternalChildHandbook:
                issued = _holder.BirthDate.AddDays(-_r.Between(120, 240));
                break;
        }
        return new PresentedDocument(kind, owner, issued, validUntil);
    }

    // ---- Days and hours -----------------------------------------------------------------------

    private SampleOffice ChooseOffice(WhoCame who)
    {
        if (_m.Slug == "kawasaki")
        {
            // An inquiry is applied for at the ward office of the holder's address only (004).
            return who == WhoCame.AppointedProxy || _r.Chance(0.45) ? _m.Office(_town.HomeOffice) : _m.Main;
        }
        return _r.Chance(0.7) ? _m.Office(_town.HomeOffice) : _r.Weighted(_m.OfficeWeights);
    }

    /// <summary>When people come after the notice: many in the first weeks, the rest spread out, some at the last minute.</summary>
    private DateOnly OnTimeDay(DateOnly earliest, DateOnly expiry)
    {
        var span = expiry.DayNumber - earliest.DayNumber;
        if (span <= 0) return earliest;
        var x = _r.NextDouble();
        var offset = x < 0.55 ? (int)_r.Exponential(12)
            : x < 0.85 ? _r.Next(span + 1)
            : span - _r.Between(0, Math.Min(14, span));
        return earliest.AddDays(Math.Clamp(offset, 0, span));
    }

    private DateOnly DayBetween(DateOnly from, DateOnly to) =>
        to <= from ? from : from.AddDays(_r.Next(to.DayNumber - from.DayNumber + 1));

    /// <summary>
    /// The day someone wanting to come on <paramref name="wanted"/> comes: that day when the office
    /// is open, else a day near it, before or after (so that weekends do not all pile onto the
    /// Monday after), within the bounds when it can be.
    /// </summary>
    private DateOnly OpenDay(SampleOffice office, DateOnly wanted, DateOnly notBefore, DateOnly? notAfter)
    {
        if (wanted < notBefore) wanted = notBefore;
        bool Within(DateOnly d) => d >= notBefore && (notAfter is not { } limit || d <= limit);
        if (Within(wanted) && office.IsOpenDay(wanted)) return wanted;
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var d = wanted.AddDays(_r.Between(-3, 3));
            if (Within(d) && office.IsOpenDay(d)) return d;
        }
        for (var d = wanted; d <= wanted.AddDays(21); d = d.AddDays(1))
        {
            if (notAfter is { } limit && d > limit) break;
            if (office.IsOpenDay(d)) return d;
        }
        for (var d = wanted.AddDays(-1); d >= notBefore; d = d.AddDays(-1))
        {
            if (office.IsOpenDay(d)) return d;
        }
        for (var d = wanted; ; d = d.AddDays(1))
        {
            if (office.IsOpenDay(d)) return d;
        }
    }

    /// <summary>
    /// A visit's arrival and call: the call at a busy-hours-weighted moment, the wait before it
    /// from a few minutes up to the office's worst (60 at a main counter), both while the office
    /// receives visitors (Takatsuki's 11:30–13:00 pause included). By reservation (Kawasaki): a
    /// 15-minute slot, arrival a little before it, a short wait.
    /// </summary>
    private (DateTimeOffset Arrival, DateTimeOffset Call, DateTimeOffset Slot) Schedule(SampleOffice office, DateOnly day, bool reserve)
    {
        var hours = office.HoursOn(day) ?? throw new InvalidOperationException($"{office.Id} has no hours on {day}");
        var opens = hours.Opens.ToTimeSpan();
        var closes = hours.Closes.ToTimeSpan();
        for (var attempt = 0; attempt < 200; attempt++)
        {
            DateTimeOffset arrival, call, slot;
            if (reserve)
            {
                var firstSlot = TimeSpan.FromMinutes(Math.Ceiling(opens.TotalMinutes / 15) * 15);
                var slots = (int)((closes - TimeSpan.FromMinutes(30) - firstSlot).TotalMinutes / 15) + 1;
                var start = firstSlot + TimeSpan.FromMinutes(15 * _r.Next(slots));
                if (!_r.Chance(Busy(start))) continue;
                slot = SamplePlaces.Jst(day, TimeOnly.FromTimeSpan(start));
                arrival = slot - _r.Minutes(0, 12) - _r.Seconds(0, 59);
                if (arrival < SamplePlaces.Jst(day, hours.Opens)) arrival = SamplePlaces.Jst(day, hours.Opens) + _r.Seconds(0, 90);
                call = slot + _r.Minutes(0, 15) + _r.Seconds(0, 59);
                if (call < arrival + TimeSpan.FromMinutes(3)) call = arrival + TimeSpan.FromMinutes(3) + _r.Seconds(0, 59);
            }
            else
            {
                var minute = opens + TimeSpan.FromMinutes(_r.Next((int)(closes - opens).TotalMinutes - 8));
                if (!_r.Chance(Busy(minute))) continue;
                call = SamplePlaces.Jst(day, TimeOnly.FromTimeSpan(minute)) + _r.Seconds(0, 59);
                var max = office.MaxWaitMinutes;
                var wait = 3 + (max - 3) * Math.Pow(_r.NextDouble(), 1.7);
                arrival = call - TimeSpan.FromSeconds(Math.Round(wait * 60));
                slot = call;
            }
            if (office.IsOpen(arrival) && office.IsOpen(call) && office.IsOpen(call + TimeSpan.FromMinutes(4)))
            {
                return (arrival, call, slot);
            }
        }
        throw new InvalidOperationException($"sample: no visiting time at {office.Id} on {day}");
    }

    /// <summary>How busy the counters are at that time of day, as the chance to keep a drawn moment.</summary>
    private static double Busy(TimeSpan time) => time.TotalHours switch
    {
        < 9.0 => 0.7,
        < 11.5 => 1.0,
        < 13.0 => 0.6,
        < 15.0 => 0.9,
        < 16.0 => 0.75,
        _ => 0.5,
    };

    // ---- Commands, events and timers ------------------------------------------------------------

    private static DateTimeOffset U(DateTimeOffset at) => at.ToUniversalTime();

    /// <summary>Sends a command as the application would: due timers first, then the decider on the current state.</summary>
    private void Do(RenewalCommand command, string? actor, string? office)
    {
        FireTimersBefore(command.Now);
        if (command.Now < _last)
        {
            throw new InvalidOperationException($"sample case {_ordinal} ({string.Join(",", _tags)}): {command.GetType().Name} at {command.Now:O} is before {_last:O}");
        }
        IReadOnlyList<RenewalEvent> events;
        try
        {
            events = _m.Decider.Decide(command, _state);
        }
        catch (RuleViolation violation)
        {
            throw new InvalidOperationException(
                $"sample case {_ordinal} ({_m.Slug}, {string.Join(",", _tags)}): the decider refused {command.GetType().Name} at {command.Now:O}: {violation.Message}", violation);
        }
        Record(command, events, actor, office);
    }

    private void Record(RenewalCommand command, IReadOnlyList<RenewalEvent> events, string? actor, string? office)
    {
        if (events.Count == 0) return;
        var correlation = _r.Version7(command.Now);
        foreach (var e in events)
        {
            _state = RenewalState.Evolve(_state, e);
            _events.Add(new RecordedEvent(e, command.GetType().Name, actor, office, correlation));
        }
        _last = command.Now;
        foreach (var timer in RenewalTimers.SetBy(events, _state))
        {
            // Wolverine polls the schedule twice a second and works through what fell due at midnight in turn.
            _timers[timer.Kind] = timer.DueAt > command.Now
                ? timer.DueAt + _r.Seconds(1, 90) + _r.Millis(999)
                : command.Now + _r.Seconds(1, 10) + _r.Millis(999);
        }
    }

    /// <summary>Fires the timers due before <paramref name="moment"/>, earliest first, as <see cref="CaseTimers"/> does.</summary>
    private void FireTimersBefore(DateTimeOffset moment)
    {
        while (true)
        {
            string? kind = null;
            var at = DateTimeOffset.MaxValue;
            foreach (var (k, fireAt) in _timers)
            {
                if (fireAt <= moment && fireAt < at) (kind, at) = (k, fireAt);
            }
            if (kind is null) return;
            _timers.Remove(kind);
            if (_state is RenewalState.Closed) continue;
            var command = RenewalTimers.CommandFor(kind, U(at));
            try
            {
                Record(command, _m.Decider.Decide(command, _state), CaseTimers.Actor, null);
            }
            catch (RuleViolation)
            {
                // A timer that finds nothing to do is done (CaseTimers).
            }
        }
    }
}
