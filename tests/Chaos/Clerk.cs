using System.Globalization;
using System.Text;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Policies;
using CaseSystem.Cases.Renewal;

using CaseSystem.Tests.Shared;

namespace CaseSystem.Chaos;

/// <summary>
/// A clerk at one counter, case after case, through the HTTP API, until told to stop. A case is
/// opened at the counter (three in four) or comes from a small J-LIS notice batch the clerk imports
/// (the first of its three notices is then served); a Kawasaki case takes a reservation; then one
/// visit or two: the arrival with its ticket, the call to a counter, the case loaded (its ETag), the
/// visit with identity documents the municipality accepts (now and then a proxy with the sealed
/// reply form), the PIN checks of both certificates as the card reported them (results only: no
/// PIN is ever sent), the renewal of both certificates when the case is in its renewal window and
/// the holder came, and the end of the visit. Three cases in four send If-Match with the version
/// last acknowledged; the others leave concurrency to the server. Every command carries an
/// Idempotency-Key. Each 2xx is recorded in the journal (<see cref="Ack"/>); a refusal ends the case.
/// </summary>
internal sealed class Clerk
{
    private const string MyNumberCard = "my-number-card";
    private static int _notices;

    private readonly Desk _desk;
    private readonly Counter _counter;
    private readonly ClerkHttp _http;
    private readonly Journal _journal;
    private readonly Func<bool> _stopping;
    private readonly Random _random;
    private readonly string _staffId;
    private readonly int _index;
    private readonly List<IdentityDocumentKind> _listA;
    private readonly List<IdentityDocumentKind> _listB;
    private readonly bool _proxies;
    private int _ticket;

    // The case being served: its path and the version this clerk last knew it at.
    private string _path = "";
    private Guid _caseId;
    private long _known;
    private bool _ifMatch;

    public Clerk(int index, Desk desk, Counter counter, ServerPool pool, HttpClient http, Journal journal, Func<bool> stopping)
    {
        _index = index;
        _desk = desk;
        _counter = counter;
        _journal = journal;
        _stopping = stopping;
        _random = new Random(index * 7919 + Environment.TickCount);
        _staffId = string.Create(CultureInfo.InvariantCulture, $"chaos-clerk-{index + 1:00}");
        _http = new ClerkHttp(index, pool, http, counter.Token(_staffId, StaffRole.Clerk, desk.Municipality, desk.Office), journal, stopping);
        _listA = desk.Policy.IdentityDocuments.Where(d => d.List == IdentityDocumentList.A && d.Code != MyNumberCard).ToList();
        _listB = desk.Policy.IdentityDocuments.Where(d => d.List == IdentityDocumentList.B).ToList();
        // A proxy shows one document of list A; where that is not enough, this clerk sees no proxies.
        _proxies = _listA.Count > 0 && desk.Policy.AcceptsProxyIdentity([_listA[0].Code]);
    }

    public async Task RunAsync(CancellationToken ct)
    {
        while (!_stopping()) await CaseAsync(ct);
    }

    private async Task CaseAsync(CancellationToken ct)
    {
        var today = _counter.Today;
        var office = _desk.Office;
        _ifMatch = _random.Next(4) != 0;
        bool inWindow;
        if (_random.Next(4) == 0)
        {
            if (!await ImportAsync(today, ct)) return;
            inWindow = true;
        }
        else
        {
            inWindow = _random.Next(2) == 0;
            if (!await OpenAsync(today, inWindow, ct)) return;
        }
        if (_desk.Policy.Reservation.Required
            && !await CommandAsync("reservation", nameof(RenewalCommand.MakeReservation), "reservations", new { office, slotStart = _counter.Now.AddMinutes(10) }, ct)) return;

        var visits = _random.Next(4) == 0 ? 2 : 1;
        for (var visit = 1; visit <= visits; visit++)
        {
            var last = visit == visits;
            var ticket = string.Create(CultureInfo.InvariantCulture, $"{(char)('A' + _index % 26)}-{++_ticket}");
            if (!await CommandAsync("arrival", nameof(RenewalCommand.RecordArrival), "arrivals", new { office, ticketNumber = ticket }, ct)) return;
            if (!await CommandAsync("call", nameof(RenewalCommand.CallToCounter), "calls",
                    new { office, counter = string.Create(CultureInfo.InvariantCulture, $"{1 + _index % 3}番窓口"), clerkId = _staffId }, ct)) return;
            // The desk page loads the case before the visit is recorded: its ETag is the If-Match that follows.
            if (!await LoadAsync(ct)) return;
            var (body, holderCame) = VisitBody(today);
            if (!await CommandAsync("visit", nameof(RenewalCommand.StartVisit), "visits", body, ct)) return;
            if (_random.Next(7) == 0
                && !await PinAsync(Certificate.UserAuthentication, PinCheckResult.Mismatched, 2, ct)) return;
            if (!await PinAsync(Certificate.UserAuthentication, PinCheckResult.Matched, 3, ct)) return;
            if (!await PinAsync(Certificate.Signing, PinCheckResult.Matched, 5, ct)) return;
            var renew = last && inWindow && holderCame;
            if (renew && !await CommandAsync("renewal", nameof(RenewalCommand.RenewCertificates), "renewals",
                    new { certificates = new[] { Certificate.UserAuthentication, Certificate.Signing } }, ct)) return;
            if (!await CommandAsync("end", nameof(RenewalCommand.EndVisit), "visits/current/end",
                    new { outcome = last ? VisitOutcome.Done : VisitOutcome.MustReturn }, ct)) return;
        }
    }

    /// <summary>The card's answer to a PIN typed on it: the result and the tries left, never the PIN.</summary>
    private Task<bool> PinAsync(Certificate certificate, PinCheckResult result, int triesLeft, CancellationToken ct) =>
        CommandAsync("pin-check", nameof(RenewalCommand.RecordPinCheck), "pin-checks", new { certificate, result, triesLeft }, ct);

    private async Task<bool> OpenAsync(DateOnly today, bool inWindow, CancellationToken ct)
    {
        var expiry = today.AddDays(inWindow ? _random.Next(20, 80) : _random.Next(120, 400));
        var body = new { holder = Holder(), expiry = new { userAuthenticationExpiry = expiry, signingExpiry = expiry }, office = _desk.Office };
        var path = $"/api/{_desk.Municipality}/cases";
        var answer = await _http.SendAsync("open", HttpMethod.Post, path, ClerkHttp.Body(body), "application/json", Guid.NewGuid().ToString(), null, ct);
        if (!Settled("open", answer) || answer!.Location is not { } location || answer.Version is not { } version) return false;
        _path = location;
        _caseId = Guid.Parse(location[(location.LastIndexOf('/') + 1)..]);
        _known = 0;
        Acknowledged(version, nameof(RenewalCommand.OpenCaseAtCounter));
        return true;
    }

    /// <summary>A batch of three notices as J-LIS mails them (expiring in about two months); the first is served.</summary>
    private async Task<bool> ImportAsync(DateOnly today, CancellationToken ct)
    {
        var m = _desk.Municipality;
        var csv = new StringBuilder("notice_number,name_kanji,name_kana,birth_date,registered_address,user_authentication_expiry,signing_expiry\r\n");
        var numbers = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            // Letters and at most 7 digits in a row: nothing like a My Number (12 digits).
            var number = string.Create(CultureInfo.InvariantCulture, $"CHAOS-{Interlocked.Increment(ref _notices):D7}");
            numbers.Add(number);
            var h = Holder();
            // In the renewal window (it opens three months before the expiry, Validity.RenewalOpensOn).
            var expiry = today.AddDays(61 + _random.Next(28));
            csv.Append(CultureInfo.InvariantCulture,
                $"{number},{h.NameKanji},{h.NameKana},{h.BirthDate:yyyy/M/d},{h.RegisteredAddress},{expiry:yyyy/M/d},{expiry:yyyy/M/d}\r\n");
        }
        var answer = await _http.SendAsync("import", HttpMethod.Post, $"/api/{m}/notices?batch=chaos-{numbers[0]}",
            Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", null, null, ct);
        if (!Settled("import", answer)) return false;
        var report = answer!.Body!.Value;
        if (report.GetProperty("imported").GetInt32() + report.GetProperty("alreadyImported").GetInt32() != numbers.Count)
        {
            _journal.Refused("import", answer.Status, "(not every notice imported)");
            return false;
        }
        // Each notice is a case at version 1 at least, its first event recorded by this import.
        foreach (var number in numbers) _journal.Acknowledge(new Ack(m, CaseIds.ForNotice(m, number), 1, nameof(RenewalCommand.RecordExpiryNotice), _staffId));
        _caseId = CaseIds.ForNotice(m, numbers[0]);
        _path = $"/api/{m}/cases/{_caseId}";
        _known = 1;
        return await LoadAsync(ct);
    }

    /// <summary>GET of the case: the version it is at now, for the next If-Match (a read, not an acknowledgement).</summary>
    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        var answer = await _http.SendAsync("load", HttpMethod.Get, _path, null, "", null, null, ct);
        if (!Settled("load", answer) || answer!.Version is not { } version) return false;
        _known = Math.Max(_known, version);
        return true;
    }

    private async Task<bool> CommandAsync(string label, string command, string relative, object body, CancellationToken ct)
    {
        if (_stopping()) return false;
        var answer = await _http.SendAsync(label, HttpMethod.Post, $"{_path}/{relative}", ClerkHttp.Body(body), "application/json",
            Guid.NewGuid().ToString(), _ifMatch ? _known : null, ct);
        if (!Settled(label, answer) || answer!.Version is not { } version) return false;
        Acknowledged(version, command);
        return true;
    }

    private void Acknowledged(long version, string command)
    {
        _journal.Acknowledge(new Ack(_desk.Municipality, _caseId, version, version > _known ? command : null, _staffId));
        _known = Math.Max(_known, version);
    }

    /// <summary>Whether the answer is a 2xx; a refusal is counted by kind, and no answer at all means the phase is ending.</summary>
    private bool Settled(string label, Answer? answer)
    {
        if (answer is null) return false;
        if (answer.Ok) return true;
        _journal.Refused(label, answer.Status, answer.ProblemType);
        return false;
    }

    private (object Body, bool HolderCame) VisitBody(DateOnly today)
    {
        var a = _listA[_random.Next(_listA.Count)];
        if (_proxies && _random.Next(6) == 0)
        {
            // A proxy with the holder's sealed reply form, the holder's card and their own document of list A.
            var documents = new List<PresentedDocument> { Shown(a, DocumentOwner.Representative, today) };
            if (_desk.Policy.Document(MyNumberCard) is { } card) documents.Add(Shown(card, DocumentOwner.Holder, today));
            return (new { office = _desk.Office, whoCame = WhoCame.AppointedProxy, documents, replyForm = ReplyForm.Sealed }, false);
        }
        var shown = new List<PresentedDocument> { Shown(a, DocumentOwner.Holder, today) };
        if (_listB.Count > 0 && _random.Next(2) == 0) shown.Add(Shown(_listB[_random.Next(_listB.Count)], DocumentOwner.Holder, today));
        return (new { office = _desk.Office, whoCame = WhoCame.Holder, documents = shown }, true);
    }

    private PresentedDocument Shown(IdentityDocumentKind kind, DocumentOwner owner, DateOnly today) => new(
        kind.Code,
        owner,
        kind.IssuedOnOrAfter is { } since ? since.AddDays(_random.Next(365)) : null,
        kind.List == IdentityDocumentList.A ? today.AddDays(30 + _random.Next(1800)) : null);

    /// <summary>A holder as the open request's JSON names the fields (the server refuses any other field).</summary>
    private sealed record HolderBody(string NameKanji, string NameKana, DateOnly BirthDate, string RegisteredAddress);

    private HolderBody Holder()
    {
        var (family, given) = (FamilyNames[_random.Next(FamilyNames.Length)], GivenNames[_random.Next(GivenNames.Length)]);
        return new HolderBody(family.Kanji + " " + given.Kanji, family.Kana + " " + given.Kana,
            new DateOnly(1950 + _random.Next(55), 1 + _random.Next(12), 1 + _random.Next(28)),
            string.Create(CultureInfo.InvariantCulture, $"{_desk.Policy.NameJa}本町{1 + _random.Next(9)}丁目{1 + _random.Next(30)}番{1 + _random.Next(20)}号"));
    }

    private static readonly (string Kanji, string Kana)[] FamilyNames =
        [("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"), ("伊藤", "イトウ"), ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ")];

    private static readonly (string Kanji, string Kana)[] GivenNames =
        [("一郎", "イチロウ"), ("花子", "ハナコ"), ("健太", "ケンタ"), ("美咲", "ミサキ"), ("翔太", "ショウタ"), ("陽子", "ヨウコ"), ("大輔", "ダイスケ"), ("恵", "メグミ")];
}
