using CaseSystem.CardStation.Card;
using CaseSystem.CardStation.Commands;
using CaseSystem.CardStation.Tests.EndToEnd;
using CaseSystem.CardStation.Tui;
using Spectre.Console;

namespace CaseSystem.CardStation.Tests.Station;

/// <summary>The clerk's screen driven by keys: read, find and attach, a PIN, and the server going away.</summary>
public sealed class CounterScreenTests : IAsyncLifetime
{
    private readonly StationHarness _h = new();

    public Task InitializeAsync() => _h.InitializeAsync();

    public Task DisposeAsync() => _h.DisposeAsync();

    private static ConsoleKeyInfo Key(char c) => c switch
    {
        '\r' => new('\r', ConsoleKey.Enter, false, false, false),
        _ => new(c, ConsoleKey.D0 + (c - '0'), false, false, false),
    };

    [Fact]
    public async Task The_clerk_reads_the_card_attaches_the_case_checks_a_PIN_and_sees_the_server_state()
    {
        var path = await _h.NoticeAsync("N-8001");
        await _h.CaughtUpAsync();
        var terminal = new FakeTerminal(new FakeCard("0A1B", new DateOnly(2026, 6, 15), userPin: "1234"));
        var station = _h.Station(terminal);
        var keys = new Queue<ConsoleKeyInfo>("12".Select(Key));
        var lines = new Queue<string?>(["N-8001", "", "", "1"]);
        var screen = new StringWriter();
        var io = new StationIo(screen, new StringWriter(), () =>
        {
            var key = keys.Dequeue();
            if (keys.Count == 0 && key.KeyChar == '2')
            {
                // After attaching: the user PIN, then quit.
                foreach (var k in "4" + "1234\r" + "0") keys.Enqueue(Key(k));
            }
            return key;
        }, () => keys.Count > 0, () => lines.Dequeue(), _h.Environment(), default, Clock: _h.Server.Clock);
        await _h.HolderVisitsAsync(Guid.Parse(path.Split('/')[^1]));
        var exit = await new CounterScreen(station, io).RunAsync();

        var text = screen.ToString();
        Assert.Equal(0, exit);
        Assert.Contains("カードを読み取りました", text);
        Assert.Contains("佐藤 一郎", text);
        Assert.Contains("暗証番号が一致しました", text);
        Assert.Contains("****", text);
        Assert.DoesNotContain("1234", text);
        Assert.Contains("接続中 / connected — 未送信 0 件", text);
        Assert.Contains(await _h.EventsAsync(station.CaseId!.Value), e => e.Type == "PinMatched");
    }

    [Fact]
    public async Task The_screen_says_the_server_is_unreachable_with_the_count_waiting()
    {
        var path = await _h.NoticeAsync("N-8002");
        var terminal = new FakeTerminal(new FakeCard("0A1B", new DateOnly(2026, 6, 15)));
        var station = _h.Station(terminal);
        station.ReadCard();
        await station.AttachAsync(Guid.Parse(path.Split('/')[^1]));
        _h.ServerUp = false;
        await station.ReReadAfterRenewalAsync();

        var keys = new Queue<ConsoleKeyInfo>([Key('0')]);
        var screen = new StringWriter();
        await new CounterScreen(station, new StationIo(screen, new StringWriter(), keys.Dequeue, () => keys.Count > 0, () => null, _h.Environment(), default, Clock: _h.Server.Clock)).RunAsync();

        Assert.Contains("サーバーに接続できません / server unreachable — 未送信 1 件", screen.ToString());
    }

    /// <summary>Issue 12: a refusal cleared unread is an observation no one will record, so clearing the list asks first.</summary>
    [Fact]
    public async Task Clearing_the_set_aside_refusals_asks_first_and_no_keeps_them()
    {
        var path = await _h.NoticeAsync("N-8005");
        var card = new FakeCard("0A1B", new DateOnly(2026, 6, 15));
        var station = _h.Station(new FakeTerminal(card));
        station.ReadCard();
        await station.AttachAsync(Guid.Parse(path.Split('/')[^1]));
        card.UserTries = 7;
        await station.ReReadAfterRenewalAsync();
        Assert.Single(station.Outbox.SetAside);

        async Task<string> ShowAsync(string answer)
        {
            var keys = new Queue<ConsoleKeyInfo>("80".Select(Key));
            var lines = new Queue<string?>([answer]);
            var screen = new StringWriter();
            await new CounterScreen(station, new StationIo(screen, new StringWriter(), keys.Dequeue, () => keys.Count > 0, () => lines.Dequeue(), _h.Environment(), default,
                Clock: _h.Server.Clock)).RunAsync();
            return screen.ToString();
        }

        Assert.Contains("一覧に残しました / kept", await ShowAsync(""));
        Assert.Single(station.Outbox.SetAside);
        Assert.Contains("確認済みとして一覧から消しました / cleared as seen", await ShowAsync("y"));
        Assert.Empty(station.Outbox.SetAside);
    }

    [Fact]
    public async Task The_screen_claims_no_connection_before_the_server_answered_and_says_unreachable_when_a_search_cannot_reach_it()
    {
        _h.ServerUp = false;
        var station = _h.Station(new FakeTerminal(new FakeCard("0A1B", new DateOnly(2026, 6, 15))));
        var keys = new Queue<ConsoleKeyInfo>("120".Select(Key));
        var lines = new Queue<string?>(["N-8003", "", ""]);
        var screen = new StringWriter();
        var io = new StationIo(screen, new StringWriter(), keys.Dequeue, () => keys.Count > 0, () => lines.Dequeue(), _h.Environment(), default, Clock: _h.Server.Clock);

        await new CounterScreen(station, io).RunAsync();

        var text = screen.ToString();
        Assert.Contains("未確認 / not contacted yet — 未送信 0 件", text);
        Assert.DoesNotContain("接続中 / connected", text);
        Assert.Contains("サーバーに接続できません / server unreachable — 未送信 0 件", text);
    }

    [Fact]
    public async Task With_stdin_redirected_every_character_is_a_key_lines_answer_the_questions_and_the_end_of_the_input_ends_the_screen()
    {
        var path = await _h.NoticeAsync("N-8004");
        await _h.CaughtUpAsync();
        var card = new FakeCard("0A1B", new DateOnly(2026, 6, 15), userPin: "1234");
        var station = _h.Station(new FakeTerminal(card));
        var input = new RedirectedInput(new StringReader("12N-8004\r\n\n\n1\n4123"));
        var screen = new StringWriter();
        var io = new StationIo(screen, new StringWriter(), input.ReadKey, input.KeyAvailable, input.ReadLine, _h.Environment(), default, () => input.Ended, _h.Server.Clock);

        var exit = await new CounterScreen(station, io).RunAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, exit);
        Assert.True(input.Ended);
        var text = screen.ToString();
        Assert.Contains("記録: カード読取り", text);
        // The PIN entry the input ended in the middle of is cancelled: nothing sent to the card, nothing recorded.
        Assert.Contains("***", text);
        Assert.Contains("入力を取り消しました。 / Cancelled.", text);
        Assert.Empty(card.PinLengthsSeen);
        Assert.DoesNotContain(await _h.EventsAsync(Guid.Parse(path.Split('/')[^1])), e => e.Type.StartsWith("Pin", StringComparison.Ordinal));
    }

    /// <summary>
    /// On a terminal (issue 15): the status is Spectre.Console's live display, redrawn in place when
    /// the card is put in, and the search's questions and the masked PIN entry still work below it.
    /// </summary>
    [Fact]
    public async Task On_a_terminal_the_status_is_redrawn_in_place_and_the_questions_and_the_masked_PIN_entry_are_written_below_it()
    {
        var path = await _h.NoticeAsync("N-8006");
        await _h.CaughtUpAsync();
        var terminal = new FakeTerminal(null);
        var station = _h.Station(terminal);
        var screen = new LiveOutput();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.Standard,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(screen),
        });
        var keyboard = new TestKeyboard();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var io = new StationIo(screen, new LiveOutput(), keyboard.ReadKey, keyboard.KeyAvailable, keyboard.ReadLine, _h.Environment(), stop.Token,
            Clock: _h.Server.Clock, OutIsTerminal: true);
        var running = new CounterScreen(station, io, console).RunAsync(terminal);
        await screen.WaitForAsync("カードを置いてください");
        var beforeTheCard = screen.ToString().Length;

        terminal.Card = new FakeCard("0A1B", new DateOnly(2026, 6, 15), userPin: "1234");
        terminal.Raise(new ReaderEvent.CardInserted("Virtual PCD 00 00", [0x3B]));
        await screen.WaitForAsync("カードを読み取りました");
        // Redrawn in place: the cursor taken back up over the status (CSI n A), not the status printed below it.
        Assert.Matches("\u001b\\[\\d+A", screen.ToString()[beforeTheCard..]);

        keyboard.Answer("N-8006", "", "", "1");
        keyboard.Type("2");
        await screen.WaitForAsync("記録: カード読取り");
        Assert.Contains("通知書番号 / notice number", screen.ToString());
        await _h.HolderVisitsAsync(Guid.Parse(path.Split('/')[^1]));
        keyboard.Type("4" + "1234\r");
        await screen.WaitForAsync("暗証番号が一致しました");
        keyboard.Type("0");

        Assert.Equal(0, await running.WaitAsync(TimeSpan.FromSeconds(20)));
        var text = screen.ToString();
        Assert.Contains("****", text);
        Assert.DoesNotContain("1234", text);
        Assert.Contains(await _h.EventsAsync(station.CaseId!.Value), e => e.Type == "PinMatched");
    }
}
