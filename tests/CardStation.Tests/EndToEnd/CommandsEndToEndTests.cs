using System.Text.Json;
using CaseSystem.CardStation.Tests.Station;
using CaseSystem.CardStation.Tests.VirtualCard;
using CaseSystem.Cases.Renewal;

namespace CaseSystem.CardStation.Tests.EndToEnd;

/// <summary>
/// The JSON commands for scripts, in-process with the station's real terminal factory
/// (<see cref="Card.CardTerminals.Create"/>): pcscd, vpcd and the virtual card, the real server
/// and database.
/// </summary>
[Collection(PcscdCollection.Name)]
public sealed class CommandsEndToEndTests : IAsyncLifetime
{
    private const string UserPin = "5173";
    private const string WrongUserPin = "5170";
    private const string SigningPin = "QZ4W8P";

    private static readonly Dictionary<string, string> Pins = new()
    {
        ["the user-authentication PIN"] = UserPin,
        ["the wrong user-authentication PIN"] = WrongUserPin,
        ["the signing PIN"] = SigningPin,
    };

    private readonly StationHarness _h = new();

    public Task InitializeAsync() => _h.InitializeAsync();

    public Task DisposeAsync() => _h.DisposeAsync();

    private static VirtualJpkiCard HoldersCard(DateOnly? signingExpiry = null) => VirtualJpkiCard.MyNumberCard(
        userPin: UserPin, signingPin: SigningPin, userSerialHex: "5E6F7A",
        userNotAfter: RealStation.EndOfDayInJapan(RealStation.NoticeExpiry),
        signingNotAfter: RealStation.EndOfDayInJapan(signingExpiry ?? RealStation.NoticeExpiry));

    private static IEnumerable<string> PinsIn(RealStation.Run run) =>
        PinSearch.InText("the output", run.Out, Pins).Concat(PinSearch.InText("the error output", run.Error, Pins));

    [Fact]
    public async Task Read_attach_PINs_signing_expiry_and_reread_as_scripts_record_the_journey_and_write_no_PIN()
    {
        var path = await _h.NoticeAsync("N-E2E-3");
        await _h.CaughtUpAsync();
        // The signing certificate ends on another day than the user-authentication one: what the station shows is the signing one's.
        using var card = HoldersCard(signingExpiry: new DateOnly(2026, 6, 10)).InsertAndWait();
        var runs = new List<RealStation.Run>();

        var read = await RealStation.CommandAsync(_h, ["read"]);
        runs.Add(read);
        Assert.Equal(0, read.Exit);
        var reading = Assert.Single(read.Lines);
        Assert.Equal(VirtualJpkiCard.Reader0, reading.GetProperty("reader").GetString());
        Assert.Equal("5E6F7A", reading.GetProperty("userAuthenticationSerial").GetString());
        Assert.Equal("2026-06-15", reading.GetProperty("userAuthenticationExpiry").GetString());
        Assert.Equal((3, 5), (reading.GetProperty("userAuthenticationPinTriesLeft").GetInt32(), reading.GetProperty("signingPinTriesLeft").GetInt32()));
        Assert.False(reading.GetProperty("userAuthenticationPinLocked").GetBoolean());
        Assert.Equal(JsonValueKind.Null, reading.GetProperty("message").ValueKind);

        var attach = await RealStation.CommandAsync(_h, ["attach", "--notice", "N-E2E-3"]);
        runs.Add(attach);
        Assert.Equal(0, attach.Exit);
        var caseId = Guid.Parse(Assert.Single(attach.Lines).GetProperty("caseId").GetString()!);
        Assert.Equal(path, "/api/saku/cases/" + caseId);
        Assert.Equal(0, attach.Lines[0].GetProperty("outbox").GetProperty("pending").GetInt32());
        await _h.HolderVisitsAsync(caseId);

        var wrong = await RealStation.CommandAsync(_h, ["pin", "--case", caseId.ToString(), "--kind", "user"], WrongUserPin + "\r");
        var right = await RealStation.CommandAsync(_h, ["pin", "--case", caseId.ToString(), "--kind", "user"], UserPin + "\r");
        // Typed in lower case: the station takes the signing PIN's letters as upper case.
        var signing = await RealStation.CommandAsync(_h, ["pin", "--case", caseId.ToString(), "--kind", "signing"], SigningPin.ToLowerInvariant() + "\r");
        runs.AddRange([wrong, right, signing]);

        Assert.Equal((0, "mismatched", 2), (wrong.Exit, wrong.Lines[0].GetProperty("result").GetString(), wrong.Lines[0].GetProperty("triesLeft").GetInt32()));
        Assert.Equal((0, "matched", 3), (right.Exit, right.Lines[0].GetProperty("result").GetString(), right.Lines[0].GetProperty("triesLeft").GetInt32()));
        Assert.Equal(JsonValueKind.Null, right.Lines[0].GetProperty("signingExpiry").ValueKind);
        Assert.Equal((0, "matched"), (signing.Exit, signing.Lines[0].GetProperty("result").GetString()));
        Assert.Equal("2026-06-10", signing.Lines[0].GetProperty("signingExpiry").GetString());
        Assert.Contains("****", wrong.Error);
        Assert.Contains("******", signing.Error);
        Assert.Equal((3, 5), (card.UserPinTries, card.SigningPinTries));

        await _h.OkAsync(path + "/renewals", new { certificates = new[] { "UserAuthentication", "Signing" } });
        var renewedUntil = DateOnly.Parse((await _h.CaseAsync(caseId)).GetProperty("renewedUntil").GetString()!);
        card.RemoveAndWait();
        card.Renew(RealStation.EndOfDayInJapan(renewedUntil), RealStation.EndOfDayInJapan(renewedUntil));
        card.InsertAndWait();

        var reread = await RealStation.CommandAsync(_h, ["reread", "--case", caseId.ToString()]);
        runs.Add(reread);

        Assert.Equal(0, reread.Exit);
        var line = Assert.Single(reread.Lines);
        Assert.Equal(renewedUntil.ToString("yyyy-MM-dd"), line.GetProperty("card").GetProperty("userAuthenticationExpiry").GetString());
        var shown = line.GetProperty("case").GetProperty("card");
        Assert.True(shown.GetProperty("afterRenewal").GetBoolean());
        Assert.Equal("5E6F7B", shown.GetProperty("serial").GetString());
        Assert.Equal(renewedUntil.ToString("yyyy-MM-dd"), shown.GetProperty("userAuthenticationExpiry").GetString());
        Assert.Contains(line.GetProperty("case").GetProperty("checklist").EnumerateArray(), i => i.GetProperty("code").GetString() == "renewal-on-card");
        Assert.Equal(["CardRead", "PinMismatchRecorded", "PinMatched", "PinMatched", "CertificatesRenewed", "CardRead"],
            (await _h.EventsAsync(caseId)).Select(e => e.Type).Where(t => t is "CardRead" or "CertificatesRenewed" || t.StartsWith("Pin", StringComparison.Ordinal)));

        Assert.Empty(runs.SelectMany(PinsIn));
        await _h.CaughtUpAsync();
        await PinSearch.AssertNoneStoredAsync(_h, Pins);
    }

    [Fact]
    public async Task Watch_prints_a_line_as_the_card_is_put_on_and_taken_off_the_reader()
    {
        PcscdFixture.WaitForCard(VirtualJpkiCard.Reader1, present: false);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = new LiveOutput();
        var keyboard = new TestKeyboard();
        var io = new Commands.StationIo(output, new LiveOutput(), keyboard.ReadKey, keyboard.KeyAvailable, keyboard.ReadLine, _h.Environment(), stop.Token);
        var watching = Commands.StationCommands.RunAsync(["watch"], io, Card.CardTerminals.Create);

        await output.WaitForAsync($"\"readerAdded\",\"reader\":\"{VirtualJpkiCard.Reader1}\"");
        using var card = HoldersCard();
        card.Insert(VirtualJpkiCard.Reader1);
        await output.WaitForAsync("\"cardInserted\"");
        card.Remove();
        await output.WaitForAsync("\"cardRemoved\"");
        await stop.CancelAsync();
        var exit = await watching.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, exit);
        var events = output.Lines.Select(l => RealStation.Event(JsonDocument.Parse(l).RootElement)).ToList();
        Assert.Contains(new RealStation.ReaderEventLine("readerAdded", VirtualJpkiCard.Reader0, null), events);
        var onReader1 = events.Where(e => e.Reader == VirtualJpkiCard.Reader1).ToList();
        Assert.Equal(
            [new("readerAdded", VirtualJpkiCard.Reader1, null), new("cardInserted", VirtualJpkiCard.Reader1, "3BE000FF8131FE4514"), new("cardRemoved", VirtualJpkiCard.Reader1, null)],
            onReader1);
    }

    [Fact]
    public async Task A_locked_card_is_read_plainly_as_locked_and_a_PIN_check_on_it_is_recorded_as_locked_without_the_PIN_reaching_the_card()
    {
        var path = await _h.NoticeAsync("N-E2E-4");
        var caseId = Guid.Parse(path.Split('/')[^1]);
        using var card = HoldersCard();
        card.SetTries(userTries: 0, signingTries: 0);
        card.InsertAndWait();

        var read = await RealStation.CommandAsync(_h, ["read"]);

        Assert.Equal(0, read.Exit);
        var reading = Assert.Single(read.Lines);
        Assert.Equal((0, 0), (reading.GetProperty("userAuthenticationPinTriesLeft").GetInt32(), reading.GetProperty("signingPinTriesLeft").GetInt32()));
        Assert.True(reading.GetProperty("userAuthenticationPinLocked").GetBoolean());
        Assert.True(reading.GetProperty("signingPinLocked").GetBoolean());
        Assert.Equal("利用者証明用電子証明書・署名用電子証明書の暗証番号がロックされています。窓口で初期化が必要です。 / user-authentication and signing PIN locked: reset at the counter",
            reading.GetProperty("message").GetString());

        Assert.Equal(0, (await RealStation.CommandAsync(_h, ["attach", "--case", caseId.ToString()])).Exit);
        await _h.HolderVisitsAsync(caseId);
        var pin = await RealStation.CommandAsync(_h, ["pin", "--case", caseId.ToString(), "--kind", "user"], UserPin + "\r");

        Assert.Equal((0, "locked", 0), (pin.Exit, pin.Lines[0].GetProperty("result").GetString(), pin.Lines[0].GetProperty("triesLeft").GetInt32()));
        Assert.False(card.Apdus.Any(a => a.Length > 5 && a[1] == 0x20), "a VERIFY with a PIN reached the card");
        var events = await _h.EventsAsync(caseId);
        Assert.Equal(0, Assert.Single(events, e => e.Type == "CardRead").Data.GetProperty("userAuthenticationPinTriesLeft").GetInt32());
        Assert.Equal("UserAuthentication", Assert.Single(events, e => e.Type == "PinLocked").Data.GetProperty("certificate").GetString());
        await PinSearch.AssertNoneStoredAsync(_h, Pins);
    }

    [Fact]
    public async Task A_card_pulled_in_the_middle_of_a_read_is_one_JSON_error_line_and_exit_code_1()
    {
        using var card = HoldersCard().InsertAndWait();
        // Opening reads the token info, the read reads it again, then the certificate's header, then its chunks: pulled in the chunks.
        card.PullOnReadBinary = 4;

        var started = DateTime.UtcNow;
        var read = await RealStation.CommandAsync(_h, ["read"]);

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), "the read hung");
        Assert.Equal(1, read.Exit);
        var error = Assert.Single(read.Lines);
        Assert.Equal("CardRemoved", error.GetProperty("error").GetString());
        var message = error.GetProperty("message").GetString()!;
        Assert.Contains("カードがカードリーダー「Virtual PCD 00 00」から外れました", message);
        Assert.Equal(message, read.Error.Trim());
        Assert.DoesNotContain("   at ", read.Out + read.Error);
        Assert.False(card.IsInserted);
        PcscdFixture.WaitForCard(VirtualJpkiCard.Reader0, present: false);

        // Put back, it reads whole.
        card.PullOnReadBinary = null;
        card.InsertAndWait();
        var again = await RealStation.CommandAsync(_h, ["read"]);
        Assert.Equal((0, "5E6F7A"), (again.Exit, again.Lines[0].GetProperty("userAuthenticationSerial").GetString()));
    }

    [Fact]
    public async Task Readers_lists_both_virtual_readers_and_an_empty_reader_is_no_card()
    {
        PcscdFixture.WaitForCard(VirtualJpkiCard.Reader1, present: false);

        var readers = await RealStation.CommandAsync(_h, ["readers"]);
        var empty = await RealStation.CommandAsync(_h, ["read", "--reader", VirtualJpkiCard.Reader1]);

        Assert.Equal(0, readers.Exit);
        var names = readers.Lines[0].GetProperty("readers").EnumerateArray().Select(r => r.GetString()).ToList();
        Assert.Contains(VirtualJpkiCard.Reader0, names);
        Assert.Contains(VirtualJpkiCard.Reader1, names);
        Assert.Equal((1, "NoCard"), (empty.Exit, empty.Lines[0].GetProperty("error").GetString()));
    }
}
