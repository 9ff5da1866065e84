using CaseSystem.CardStation.Card;
using CaseSystem.CardStation.Jpki;
using CaseSystem.CardStation.Station;
using CaseSystem.CardStation.Tests.Station;
using CaseSystem.CardStation.Tests.VirtualCard;

namespace CaseSystem.CardStation.Tests.EndToEnd;

/// <summary>
/// The journey end to end: the virtual My Number Card in a vpcd reader, read through the
/// real pcscd by the station's real PC/SC terminal, the station's own code recording into the real
/// server on a real PostgreSQL; the renewal on the J-LIS side played by the virtual card getting
/// new certificates; and then the whole database searched for the PINs the holder typed.
/// </summary>
[Collection(PcscdCollection.Name)]
public sealed class CounterJourneyEndToEndTests : IAsyncLifetime
{
    private const string Reader = VirtualJpkiCard.Reader0;
    // The holder's PINs: in this test's memory and the virtual card's only.
    private const string UserPin = "4821";
    private const string WrongUserPin = "4829";
    private const string SigningPin = "KX7Q2M";

    private static readonly Dictionary<string, string> Pins = new()
    {
        ["the user-authentication PIN"] = UserPin,
        ["the wrong user-authentication PIN"] = WrongUserPin,
        ["the signing PIN"] = SigningPin,
    };

    private readonly StationHarness _h = new();

    public Task InitializeAsync() => _h.InitializeAsync();

    public Task DisposeAsync() => _h.DisposeAsync();

    private static PinBuffer Typed(string pin)
    {
        var buffer = new PinBuffer();
        foreach (var c in pin) buffer.TryAdd(c);
        return buffer;
    }

    private static VirtualJpkiCard HoldersCard() => VirtualJpkiCard.MyNumberCard(
        userPin: UserPin, signingPin: SigningPin, userSerialHex: "0A1B2C3D4E",
        userNotAfter: RealStation.EndOfDayInJapan(RealStation.NoticeExpiry),
        // The same day in Japan, another time: the signing certificate is a certificate of its own.
        signingNotAfter: new DateTimeOffset(2026, 6, 15, 3, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Card_read_PIN_mismatch_and_match_renewal_and_re_read_are_recorded_and_no_PIN_is_anywhere_in_the_database()
    {
        var path = await _h.NoticeAsync("N-E2E-1");
        await _h.CaughtUpAsync();
        using var card = HoldersCard().InsertAndWait(Reader);
        using var terminal = new PcscCardTerminal();
        var station = _h.Station(terminal);

        // The card read: serial, expiry and tries, without a PIN.
        var reading = station.ReadCard(Reader);
        Assert.Equal(new CardReading(Reader, "JPKIAPICCTOKEN2", "0A1B2C3D4E", RealStation.NoticeExpiry, 3, 5), reading);
        var attached = await station.AttachFoundAsync(new Server.CaseQuery(NoticeNumber: "N-E2E-1"));
        var caseId = attached.CaseId;
        Assert.Equal(path, "/api/saku/cases/" + caseId);
        Assert.Equal((1, 0), (attached.Outbox.Sent, attached.Outbox.Pending));
        var read = Assert.Single(await _h.EventsAsync(caseId), e => e.Type == "CardRead");
        Assert.Equal("0A1B2C3D4E", read.Data.GetProperty("userAuthenticationSerial").GetString());
        Assert.Equal("2026-06-15", read.Data.GetProperty("userAuthenticationExpiry").GetString());
        Assert.Equal((3, 5), (read.Data.GetProperty("userAuthenticationPinTriesLeft").GetInt32(), read.Data.GetProperty("signingPinTriesLeft").GetInt32()));
        Assert.Equal("station-1", read.Actor);

        // The clerk starts the visit; the holder types the PINs on the station.
        await _h.HolderVisitsAsync(caseId);
        var wrong = await station.CheckPinAsync(PinKind.UserAuthentication, Typed(WrongUserPin));
        Assert.Equal(new PinCheckResult.Mismatched(2), wrong.Result);
        Assert.Equal(2, card.UserPinTries);
        Assert.Equal(2, wrong.Recorded.Case!.Pins!["UserAuthentication"].TriesLeft);
        var right = await station.CheckPinAsync(PinKind.UserAuthentication, Typed(UserPin));
        Assert.Equal(new PinCheckResult.Matched(), right.Result);
        Assert.Null(right.SigningExpiry);
        Assert.Equal(3, card.UserPinTries);
        var signing = await station.CheckPinAsync(PinKind.Signing, Typed(SigningPin));
        Assert.Equal(new PinCheckResult.Matched(), signing.Result);
        Assert.Equal(new DateOnly(2026, 6, 15), signing.SigningExpiry);

        var checks = (await _h.EventsAsync(caseId)).SkipWhile(e => e.Type != "IdentityAccepted").Skip(1).ToList();
        Assert.Equal(["PinMismatchRecorded", "PinMatched", "PinMatched"], checks.Select(e => e.Type));
        Assert.Equal(("UserAuthentication", 2), (checks[0].Data.GetProperty("certificate").GetString(), checks[0].Data.GetProperty("triesLeft").GetInt32()));
        Assert.Equal("UserAuthentication", checks[1].Data.GetProperty("certificate").GetString());
        Assert.Equal("Signing", checks[2].Data.GetProperty("certificate").GetString());
        Assert.All(checks, e => Assert.Equal("station-1", e.Actor));

        // The clerk renews on the J-LIS terminal and records it; the card comes back with new certificates.
        var renewal = await _h.OkAsync(path + "/renewals", new { certificates = new[] { "UserAuthentication", "Signing" } });
        var renewedUntil = DateOnly.Parse((await _h.CaseAsync(caseId)).GetProperty("renewedUntil").GetString()!);
        Assert.True(renewedUntil > RealStation.NoticeExpiry, renewal.GetRawText());
        Assert.Contains((await _h.CaseAsync(caseId)).GetProperty("checklist").EnumerateArray(), i => i.GetProperty("code").GetString() == "re-read-card");
        card.RemoveAndWait(Reader);
        card.Renew(RealStation.EndOfDayInJapan(renewedUntil), RealStation.EndOfDayInJapan(renewedUntil));
        card.InsertAndWait(Reader);

        var reread = await station.ReReadAfterRenewalAsync();

        Assert.Equal((1, 0), (reread.Outbox.Sent, reread.Outbox.Pending));
        Assert.Equal(("0A1B2C3D4F", renewedUntil), (station.Reading!.UserAuthenticationSerial, station.Reading.UserAuthenticationExpiry));
        var events = await _h.EventsAsync(caseId);
        Assert.Equal(["CardRead", "PinMismatchRecorded", "PinMatched", "PinMatched", "CertificatesRenewed", "CardRead"],
            events.Where(e => e.Type is "CardRead" or "CertificatesRenewed" || e.Type.StartsWith("Pin", StringComparison.Ordinal)).Select(e => e.Type));
        var last = events[^1];
        Assert.Equal("CardRead", last.Type);
        Assert.Equal("0A1B2C3D4F", last.Data.GetProperty("userAuthenticationSerial").GetString());
        Assert.Equal(renewedUntil.ToString("yyyy-MM-dd"), last.Data.GetProperty("userAuthenticationExpiry").GetString());
        Assert.Equal(new Server.CardShownView("0A1B2C3D4F", renewedUntil, reread.Case!.Card!.ReadAt, AfterRenewal: true), reread.Case.Card);
        Assert.Equal(renewedUntil, reread.Case.RenewedUntil);
        Assert.Contains(reread.Case.Checklist, i => i.Code == "renewal-on-card");
        Assert.DoesNotContain(reread.Case.Checklist, i => i.Code == "re-read-card");

        // The case view as the clerk's screen gets it shows the re-read card too.
        var view = await _h.CaseAsync(caseId);
        Assert.True(view.GetProperty("card").GetProperty("afterRenewal").GetBoolean());
        Assert.Equal(renewedUntil.ToString("yyyy-MM-dd"), view.GetProperty("card").GetProperty("userAuthenticationExpiry").GetString());

        // No PIN anywhere: not in any table or view, not in the events' JSON, not in the station's files.
        await _h.CaughtUpAsync();
        await PinSearch.AssertNoneStoredAsync(_h, Pins);
        // The search finds what is there: the card's new serial, and four digits standing alone as a PIN would (the new expiry's year).
        var control = await PinSearch.InDatabaseAsync(_h.Db, new Dictionary<string, string>
        {
            ["the new serial"] = "0A1B2C3D4F",
            ["the new year"] = renewedUntil.Year.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        Assert.Contains("the new serial in cases.mt_events", control);
        Assert.Contains("the new serial in the events' JSON", control);
        Assert.Contains("the new year in the events' JSON", control);
    }

    [Fact]
    public async Task A_card_another_station_reads_after_the_renewal_attaches_to_the_renewed_case_by_its_new_expiry()
    {
        var path = await _h.NoticeAsync("N-E2E-2");
        var caseId = Guid.Parse(path.Split('/')[^1]);
        using var card = HoldersCard().InsertAndWait(Reader);
        using var terminal = new PcscCardTerminal();
        var first = _h.Station(terminal);
        first.ReadCard(Reader);
        await first.AttachAsync(caseId);
        await _h.HolderVisitsAsync(caseId);
        await first.CheckPinAsync(PinKind.UserAuthentication, Typed(UserPin));
        await first.CheckPinAsync(PinKind.Signing, Typed(SigningPin));
        await _h.OkAsync(path + "/renewals", new { certificates = new[] { "UserAuthentication", "Signing" } });
        var renewedUntil = DateOnly.Parse((await _h.CaseAsync(caseId)).GetProperty("renewedUntil").GetString()!);
        card.RemoveAndWait(Reader);
        card.Renew(RealStation.EndOfDayInJapan(renewedUntil), RealStation.EndOfDayInJapan(renewedUntil));
        card.InsertAndWait(Reader);

        var second = _h.Station(terminal, "station-2");
        second.ReadCard(Reader);
        var attached = await second.CheckAndAttachAsync(caseId);

        Assert.Equal(renewedUntil, attached.RenewedUntil);
        Assert.Equal(caseId, second.CaseId);
        await PinSearch.AssertNoneStoredAsync(_h, Pins);
    }
}
