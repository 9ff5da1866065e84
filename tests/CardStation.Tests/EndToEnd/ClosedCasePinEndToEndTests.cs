using CaseSystem.CardStation.Card;
using CaseSystem.CardStation.Jpki;
using CaseSystem.CardStation.Station;
using CaseSystem.CardStation.Tests.Station;
using CaseSystem.CardStation.Tests.VirtualCard;

namespace CaseSystem.CardStation.Tests.EndToEnd;

/// <summary>
/// Issue 12, card and case never disagree: a case closed other than as renewed takes no PIN check,
/// so the station refuses one before any APDU reaches the card (the virtual card through the real
/// pcscd); a closure the station could not see when it tried the PIN does not keep the card's fact
/// out of the case.
/// </summary>
[Collection(PcscdCollection.Name)]
public sealed class ClosedCasePinEndToEndTests : IAsyncLifetime
{
    private const string Reader = VirtualJpkiCard.Reader0;
    private const string UserPin = "5306";
    private const string WrongUserPin = "5307";

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
        userPin: UserPin, signingPin: "KX7Q2M", userSerialHex: "0A1B2C3D5E",
        userNotAfter: RealStation.EndOfDayInJapan(RealStation.NoticeExpiry),
        signingNotAfter: RealStation.EndOfDayInJapan(RealStation.NoticeExpiry));

    [Theory]
    [InlineData("Withdrawn", "取下げ")]
    [InlineData("Lapsed", "失効")]
    public async Task A_PIN_check_on_a_case_closed_unrenewed_is_refused_before_the_card_sees_it_and_nothing_is_recorded_or_set_aside(string closure, string closureJa)
    {
        var path = await _h.NoticeAsync("N-CL-" + closure);
        using var card = HoldersCard().InsertAndWait(Reader);
        using var terminal = new PcscCardTerminal();
        var station = _h.Station(terminal);
        station.ReadCard(Reader);
        var caseId = (await station.AttachFoundAsync(new Server.CaseQuery(NoticeNumber: "N-CL-" + closure))).CaseId;
        Assert.Equal(path, "/api/saku/cases/" + caseId);
        // The station's view allowed a PIN check; the clerk then closes the case at the desk.
        Assert.Contains("pin-checks", station.Case!.AllowedActions!);
        await _h.OkAsync(path + "/closure", new { closure });
        var events = (await _h.EventsAsync(caseId)).Count;
        var apdus = card.Apdus.Count;

        using var pin = Typed(WrongUserPin);
        var refused = await Assert.ThrowsAsync<StationException>(() => station.CheckPinAsync(PinKind.UserAuthentication, pin));

        Assert.Equal("PinCheckNotAllowed", refused.Kind);
        Assert.Contains($"この案件は「{closureJa}」で終了しています", refused.MessageJa);
        Assert.Contains("カードには何も送っていません", refused.MessageJa);
        Assert.Equal(0, pin.Length);
        Assert.Equal(apdus, card.Apdus.Count);
        Assert.Equal((3, 5), (card.UserPinTries, card.SigningPinTries));
        Assert.Empty(station.Outbox.Pending);
        Assert.Empty(station.Outbox.SetAside);
        Assert.Equal(events, (await _h.EventsAsync(caseId)).Count);
        // The card still answers: its tries read without a PIN are the case's.
        Assert.Equal(3, station.ReadCard(Reader).UserAuthenticationPinTriesLeft);
    }

    /// <summary>
    /// The server away: the station tries the PIN on the view it had (the existing design for the
    /// server away); the case was withdrawn at the desk meanwhile. When the server is back the
    /// card's fact is recorded in the closed case, not set aside: the tries are the card's.
    /// </summary>
    [Fact]
    public async Task A_PIN_tried_while_the_server_was_away_on_a_case_closed_meanwhile_is_recorded_not_set_aside()
    {
        await _h.NoticeAsync("N-CL-AWAY");
        using var card = HoldersCard().InsertAndWait(Reader);
        using var terminal = new PcscCardTerminal();
        var station = _h.Station(terminal);
        station.ReadCard(Reader);
        var caseId = (await station.AttachFoundAsync(new Server.CaseQuery(NoticeNumber: "N-CL-AWAY"))).CaseId;
        _h.ServerUp = false;
        await _h.OkAsync($"/api/saku/cases/{caseId}/closure", new { closure = "Withdrawn" });

        var tried = await station.CheckPinAsync(PinKind.UserAuthentication, Typed(WrongUserPin));
        Assert.Equal(new PinCheckResult.Mismatched(2), tried.Result);
        Assert.Equal(2, card.UserPinTries);
        Assert.Equal((0, 1, false), (tried.Recorded.Outbox.Sent, tried.Recorded.Outbox.Pending, tried.Recorded.Outbox.ServerReachable));

        _h.ServerUp = true;
        var report = await station.SendPendingAsync();
        Assert.Equal((1, 0, 0), (report.Sent, report.Pending, report.SetAside.Count));
        var events = await _h.EventsAsync(caseId);
        Assert.Equal(["CaseClosed", "PinMismatchRecorded"], events.SkipWhile(e => e.Type != "CaseClosed").Select(e => e.Type));
        var view = await _h.CaseAsync(caseId);
        Assert.Equal(2, view.GetProperty("pins").GetProperty("UserAuthentication").GetProperty("triesLeft").GetInt32());

        // Now the station sees the closure: the next try is refused before the card.
        await Assert.ThrowsAsync<StationException>(() => station.CheckPinAsync(PinKind.UserAuthentication, Typed(UserPin)));
        Assert.Equal(2, card.UserPinTries);
        Assert.Empty(station.Outbox.SetAside);
    }
}
