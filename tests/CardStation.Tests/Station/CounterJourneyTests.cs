using CaseSystem.CardStation.Card;
using CaseSystem.CardStation.Server;
using CaseSystem.CardStation.Station;

namespace CaseSystem.CardStation.Tests.Station;

/// <summary>The station at the counter against the real server and database, with a card in memory.</summary>
public sealed class CounterJourneyTests : IAsyncLifetime
{
    private static readonly DateOnly Expiry = new(2026, 6, 15);
    private readonly StationHarness _h = new();

    public Task InitializeAsync() => _h.InitializeAsync();

    public Task DisposeAsync() => _h.DisposeAsync();

    private static PinBuffer Pin(string typed)
    {
        var pin = new PinBuffer();
        foreach (var c in typed) pin.TryAdd(c);
        return pin;
    }

    [Theory]
    [InlineData("notice")]
    [InlineData("name")]
    [InlineData("birth")]
    public async Task The_case_found_by_notice_number_name_or_birth_date_is_attached_when_it_shows_the_cards_expiry_and_the_read_is_recorded(string by)
    {
        var path = await _h.NoticeAsync("N-1001");
        await _h.NoticeAsync("N-1002", "鈴木 花子", "スズキ ハナコ", "1975-01-02", "2027-01-02");
        await _h.CaughtUpAsync();
        var station = _h.Station(new FakeTerminal(new FakeCard("0A1B2C3D", Expiry) { UserTries = 2 }));
        station.ReadCard();

        var query = by switch
        {
            "notice" => new CaseQuery(NoticeNumber: "N-1001"),
            "name" => new CaseQuery(Name: "さとう"),
            _ => new CaseQuery(BirthDate: new DateOnly(1980, 6, 15)),
        };
        var recorded = await station.AttachFoundAsync(query);

        Assert.Equal(path, "/api/saku/cases/" + recorded.CaseId);
        Assert.True(recorded.Outbox.ServerReachable);
        Assert.Equal((1, 0), (recorded.Outbox.Sent, recorded.Outbox.Pending));
        var read = Assert.Single(await _h.EventsAsync(recorded.CaseId), e => e.Type == "CardRead");
        Assert.Equal("0A1B2C3D", read.Data.GetProperty("userAuthenticationSerial").GetString());
        Assert.Equal("2026-06-15", read.Data.GetProperty("userAuthenticationExpiry").GetString());
        Assert.Equal(2, read.Data.GetProperty("userAuthenticationPinTriesLeft").GetInt32());
        Assert.Equal(5, read.Data.GetProperty("signingPinTriesLeft").GetInt32());
        Assert.Equal("station-1", read.Data.GetProperty("stationId").GetString());
        Assert.Equal("station-1", read.Actor);
        Assert.Equal(2, recorded.Case!.Pins!["UserAuthentication"].TriesLeft);
    }

    [Fact]
    public async Task A_case_whose_expiry_is_not_the_cards_is_refused_in_Japanese_and_nothing_is_recorded()
    {
        await _h.NoticeAsync("N-2001");
        await _h.CaughtUpAsync();
        var station = _h.Station(new FakeTerminal(new FakeCard("0A1B", new DateOnly(2027, 1, 2))));
        station.ReadCard();

        var refused = await Assert.ThrowsAsync<StationException>(() => station.AttachFoundAsync(new CaseQuery(NoticeNumber: "N-2001")));

        Assert.Equal("ExpiryMismatch", refused.Kind);
        Assert.Contains("カードの有効期限(2027年1月2日)が案件の有効期限(2026年6月15日)と一致しません", refused.MessageJa);
        Assert.Null(station.CaseId);
        Assert.Empty(station.Outbox.Pending);
        Assert.DoesNotContain(await _h.EventsAsync(Cases.Renewal.CaseIds.ForNotice("saku", "N-2001")), e => e.Type == "CardRead");
    }

    [Fact]
    public async Task The_station_opens_a_case_for_a_card_no_case_finds_with_the_id_the_server_gives_it()
    {
        var station = _h.Station(new FakeTerminal(new FakeCard("0A1B", Expiry)));
        station.ReadCard();
        await _h.CaughtUpAsync();
        Assert.Empty(await station.FindAsync(new CaseQuery(Name: "高橋")));

        var opened = await station.OpenCaseAsync(new NewHolder("高橋 次郎", "タカハシ ジロウ", new DateOnly(1980, 6, 15), "長野県佐久市中込3056", Expiry));

        Assert.Equal((2, 0), (opened.Outbox.Sent, opened.Outbox.Pending));
        // Opened in its renewal window: the window is open from the case's dates, with no event of its own.
        Assert.Equal(["CaseOpenedAtCounter", "CardRead"], (await _h.EventsAsync(opened.CaseId)).Select(e => e.Type));
        Assert.Equal("高橋 次郎", opened.Case!.Holder.NameKanji);
        Assert.Equal(Expiry, opened.Case.Expiry.UserAuthenticationExpiry);
        await _h.CaughtUpAsync();
        Assert.Equal(opened.CaseId, Assert.Single(await station.FindAsync(new CaseQuery(Name: "たかはし"))).CaseId);
    }

    [Fact]
    [Trait("seed", Cases.Renewal.Rule.Seeds.Hirosaki)]
    public async Task Each_PIN_check_is_recorded_mismatched_with_the_tries_left_then_matched_and_a_lock()
    {
        var path = await _h.NoticeAsync("N-3001");
        var card = new FakeCard("0A1B", Expiry, userPin: "1234", signingPin: "ABCD1234") { SigningTries = 1 };
        var station = _h.Station(new FakeTerminal(card));
        station.ReadCard();
        var caseId = (await station.AttachAsync(Guid.Parse(path.Split('/')[^1]))).CaseId;
        await _h.HolderVisitsAsync(caseId);

        var wrong = await station.CheckPinAsync(PinKind.UserAuthentication, Pin("9999"));
        var right = await station.CheckPinAsync(PinKind.UserAuthentication, Pin("1234"));
        var locked = await station.CheckPinAsync(PinKind.Signing, Pin("WRONG1"));

        Assert.Equal(new PinCheckResult.Mismatched(2), wrong.Result);
        Assert.Equal(new PinCheckResult.Matched(), right.Result);
        Assert.Equal(new PinCheckResult.Locked(), locked.Result);
        var events = (await _h.EventsAsync(caseId)).SkipWhile(e => e.Type != "IdentityAccepted").Skip(1).ToList();
        Assert.Equal(["PinMismatchRecorded", "PinMatched", "PinLocked"], events.Select(e => e.Type));
        Assert.Equal(2, events[0].Data.GetProperty("triesLeft").GetInt32());
        Assert.Equal("Signing", events[2].Data.GetProperty("certificate").GetString());
        Assert.True(locked.Recorded.Case!.Pins!["Signing"].Locked);
        Assert.Contains(locked.Recorded.Case.Checklist, i => i.Code == "pin-locked");
    }

    [Fact]
    public async Task After_the_renewal_on_the_JLIS_terminal_the_card_read_again_is_recorded_and_the_case_shows_the_new_expiry()
    {
        var path = await _h.NoticeAsync("N-4001");
        var card = new FakeCard("0A1B", Expiry);
        var station = _h.Station(new FakeTerminal(card));
        station.ReadCard();
        var caseId = (await station.AttachAsync(Guid.Parse(path.Split('/')[^1]))).CaseId;
        await _h.HolderVisitsAsync(caseId);
        await station.CheckPinAsync(PinKind.UserAuthentication, Pin("1234"));
        await station.CheckPinAsync(PinKind.Signing, Pin("SIGN1234"));
        await _h.OkAsync(path + "/renewals", new { certificates = new[] { "UserAuthentication", "Signing" } });

        (card.Serial, card.Expiry) = ("0C2D", new DateOnly(2030, 6, 15));
        var reread = await station.ReReadAfterRenewalAsync();

        Assert.Equal((1, 0), (reread.Outbox.Sent, reread.Outbox.Pending));
        var last = (await _h.EventsAsync(caseId))[^1];
        Assert.Equal("CardRead", last.Type);
        Assert.Equal("2030-06-15", last.Data.GetProperty("userAuthenticationExpiry").GetString());
        Assert.Equal(new DateOnly(2030, 6, 15), reread.Case!.RenewedUntil);
        Assert.Equal(new CardShownView("0C2D", new DateOnly(2030, 6, 15), reread.Case.Card!.ReadAt, AfterRenewal: true), reread.Case.Card);
        Assert.Contains(reread.Case.Checklist, i => i.Code == "renewal-on-card");

        // Another station attaching the renewed case later: the card's new expiry is the case's.
        var later = _h.Station(new FakeTerminal(card), "station-2");
        later.ReadCard();
        await later.CheckAndAttachAsync(caseId);
    }

    [Fact]
    public void The_case_id_of_an_opening_is_the_one_the_server_derives()
    {
        Assert.Equal(Cases.Renewal.CaseIds.ForCreation("saku", "station-abc"), StationCaseIds.ForCreation("saku", "station-abc"));
    }
}
