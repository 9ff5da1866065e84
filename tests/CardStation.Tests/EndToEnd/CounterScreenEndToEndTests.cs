using System.Diagnostics;
using System.Text;
using CaseSystem.CardStation.Card;
using CaseSystem.CardStation.Commands;
using CaseSystem.CardStation.Station;
using CaseSystem.CardStation.Tests.Station;
using CaseSystem.CardStation.Tests.VirtualCard;
using CaseSystem.Cases.Renewal;

namespace CaseSystem.CardStation.Tests.EndToEnd;

/// <summary>The clerk's screen on the real PC/SC terminal: in-process driven by keys, and the built <c>cardstation</c> with its stdin redirected.</summary>
[Collection(PcscdCollection.Name)]
public sealed class CounterScreenEndToEndTests : IAsyncLifetime
{
    private const string UserPin = "6394";
    private static readonly Dictionary<string, string> Pins = new() { ["the user-authentication PIN"] = UserPin };

    private readonly StationHarness _h = new();

    public Task InitializeAsync() => _h.InitializeAsync();

    public Task DisposeAsync() => _h.DisposeAsync();

    private static VirtualJpkiCard HoldersCard() => VirtualJpkiCard.MyNumberCard(
        userPin: UserPin, signingPin: "RT5Y6U", userSerialHex: "3C4D5E",
        userNotAfter: RealStation.EndOfDayInJapan(RealStation.NoticeExpiry), signingNotAfter: RealStation.EndOfDayInJapan(RealStation.NoticeExpiry));

    [Fact]
    public async Task The_screen_reads_the_card_put_on_the_reader_attaches_the_case_checks_the_PIN_and_forgets_the_card_taken_off()
    {
        await _h.NoticeAsync("N-E2E-5");
        await _h.CaughtUpAsync();
        var caseId = CaseIds.ForNotice("saku", "N-E2E-5");
        PcscdFixture.WaitForCard(VirtualJpkiCard.Reader0, present: false);
        var screen = new LiveOutput();
        var keyboard = new TestKeyboard();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var io = new StationIo(screen, new LiveOutput(), keyboard.ReadKey, keyboard.KeyAvailable, keyboard.ReadLine, _h.Environment(), stop.Token, Clock: _h.Server.Clock);
        var running = StationCommands.RunAsync(["tui"], io, CardTerminals.Create);
        await screen.WaitForAsync("カードを置いてください");

        // The card put on the reader is read at once, without a key.
        using var card = HoldersCard().InsertAndWait();
        await screen.WaitForAsync("カードを読み取りました");
        Assert.Contains("有効期限 2026年6月15日  残り回数 利用者証明用 3・署名用 5", screen.ToString());

        keyboard.Answer("N-E2E-5", "", "", "1");
        keyboard.Type("2");
        await screen.WaitForAsync("記録: カード読取り");
        Assert.Contains("佐藤 一郎", screen.ToString());
        await _h.HolderVisitsAsync(caseId);

        keyboard.Type("4" + UserPin + "\r");
        await screen.WaitForAsync("暗証番号が一致しました");

        card.RemoveAndWait();
        await screen.WaitForAsync("カードが取り出されました");
        keyboard.Type("0");
        var exit = await running.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(0, exit);
        var text = screen.ToString();
        Assert.Contains("****", text);
        Assert.Contains("接続中 / connected — 未送信 0 件", text);
        Assert.Equal(["CardRead", "PinMatched"], (await _h.EventsAsync(caseId)).Select(e => e.Type).Where(t => t is "CardRead" || t.StartsWith("Pin", StringComparison.Ordinal)));
        Assert.Empty(PinSearch.InText("the screen", text, Pins));
        await PinSearch.AssertNoneStoredAsync(_h, Pins);
    }

    [Fact]
    public async Task The_built_cardstation_with_its_stdin_redirected_runs_the_screen_on_the_real_reader_and_ends_with_the_input()
    {
        await _h.NoticeAsync("N-E2E-6");
        await _h.CaughtUpAsync();
        using var card = HoldersCard().InsertAndWait();
        var binary = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "cardstation.exe" : "cardstation");
        Assert.True(File.Exists(binary), $"{binary} was not built");
        var start = new ProcessStartInfo(binary, ["tui"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        var environment = _h.Environment();
        foreach (var name in (string[])[StationOptions.ServerVariable, StationOptions.TokenVariable, StationOptions.MunicipalityVariable,
                     StationOptions.StationIdVariable, StationOptions.OfficeVariable, StationOptions.DataVariable])
            start.Environment[name] = environment(name);

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        // Every character a key, as the clerk presses them; the search's questions answered by lines:
        // [1] read, [2] find by the notice number and pick the first, then the input ends (no [0]).
        await process.StandardInput.WriteAsync("12N-E2E-6\n\n\n1\n");
        process.StandardInput.Close();
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"cardstation did not end with its input:\n{await output}\n{await error}");
        }

        var screen = await output;
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}:\n{screen}\n{await error}");
        Assert.DoesNotContain("Unhandled exception", await error);
        Assert.True(screen.Contains("カードを読み取りました") && screen.Contains("記録: カード読取り"), screen);
        var read = Assert.Single(await _h.EventsAsync(CaseIds.ForNotice("saku", "N-E2E-6")), e => e.Type == "CardRead");
        Assert.Equal("3C4D5E", read.Data.GetProperty("userAuthenticationSerial").GetString());
    }
}
