using System.Text.Json;
using CaseSystem.CardStation.Card;
using CaseSystem.CardStation.Commands;

namespace CaseSystem.CardStation.Tests.Station;

/// <summary>The commands for scripts, run in-process: one JSON object per line, plain errors with a non-zero exit.</summary>
public sealed class CommandTests : IAsyncLifetime
{
    private static readonly DateOnly Expiry = new(2026, 6, 15);
    private readonly StationHarness _h = new();

    public Task InitializeAsync() => _h.InitializeAsync();

    public Task DisposeAsync() => _h.DisposeAsync();

    private async Task<(int Exit, List<JsonElement> Lines, string Error)> RunAsync(ICardTerminal terminal, string[] args,
        Queue<ConsoleKeyInfo>? keys = null, CancellationToken cancel = default, string? server = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var io = new StationIo(output, error, () => keys!.Dequeue(), () => keys is { Count: > 0 }, () => null, _h.Environment(server), cancel, Clock: _h.Server.Clock);
        var exit = await StationCommands.RunAsync(args, io, () => terminal);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        return (exit, lines, error.ToString());
    }

    [Fact]
    public async Task Readers_and_read_print_one_JSON_object()
    {
        var terminal = new FakeTerminal(new FakeCard("0A1B2C3D", Expiry) { UserTries = 2 });

        var (exit, lines, _) = await RunAsync(terminal, ["readers"]);
        Assert.Equal(0, exit);
        Assert.Equal("Virtual PCD 00 00", Assert.Single(lines).GetProperty("readers")[0].GetString());

        (exit, lines, _) = await RunAsync(terminal, ["read", "--reader", "Virtual PCD 00 00"]);
        Assert.Equal(0, exit);
        var read = Assert.Single(lines);
        Assert.Equal("0A1B2C3D", read.GetProperty("userAuthenticationSerial").GetString());
        Assert.Equal("2026-06-15", read.GetProperty("userAuthenticationExpiry").GetString());
        Assert.Equal(2, read.GetProperty("userAuthenticationPinTriesLeft").GetInt32());
        Assert.Equal(5, read.GetProperty("signingPinTriesLeft").GetInt32());
        Assert.Equal("JPKIAPICCTOKEN2", read.GetProperty("tokenInfo").GetString());
    }

    [Fact]
    public async Task Watch_prints_one_line_per_event_until_stopped()
    {
        var terminal = new FakeTerminal(new FakeCard("0A1B", Expiry));
        terminal.Raise(new ReaderEvent.CardRemoved("Virtual PCD 00 00"));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1));

        var (exit, lines, _) = await RunAsync(terminal, ["watch"], cancel: stop.Token);

        Assert.Equal(0, exit);
        Assert.Equal(["readerAdded", "cardInserted", "cardRemoved"], lines.Select(l => l.GetProperty("event").GetString()));
        Assert.Equal("3BE000FF8131FE4514", lines[1].GetProperty("atr").GetString());
    }

    [Fact]
    public async Task Plain_errors_are_one_JSON_object_one_Japanese_and_English_line_and_a_non_zero_exit()
    {
        var (exit, lines, error) = await RunAsync(new FakeTerminal(null), ["read"]);
        Assert.Equal(1, exit);
        Assert.Equal("NoCard", Assert.Single(lines).GetProperty("error").GetString());
        Assert.Equal("カードが置かれていません / no card in the reader", lines[0].GetProperty("message").GetString());
        Assert.Equal("カードが置かれていません / no card in the reader", error.Trim());

        (exit, lines, _) = await RunAsync(new FakeTerminal(null) { NoReader = true }, ["read"]);
        Assert.Equal(("NoReader", 1), (lines[0].GetProperty("error").GetString(), exit));

        (exit, lines, _) = await RunAsync(new FakeTerminal(null), ["frobnicate"]);
        Assert.Equal(("Usage", 2), (lines[0].GetProperty("error").GetString(), exit));
    }

    [Fact]
    public async Task Find_attach_pin_and_send_as_scripts_with_the_station_token()
    {
        var path = await _h.NoticeAsync("N-7001");
        await _h.CaughtUpAsync();
        var terminal = new FakeTerminal(new FakeCard("0A1B", Expiry, userPin: "1234"));

        var (exit, lines, _) = await RunAsync(terminal, ["find", "--notice", "N-7001"]);
        Assert.Equal(0, exit);
        var hit = Assert.Single(lines).GetProperty("cases")[0];
        Assert.Equal("佐藤 一郎", hit.GetProperty("nameKanji").GetString());

        (exit, lines, _) = await RunAsync(terminal, ["attach", "--notice", "N-7001"]);
        Assert.Equal(0, exit);
        var attached = Assert.Single(lines);
        var caseId = attached.GetProperty("caseId").GetString()!;
        Assert.EndsWith(caseId, path);
        Assert.Equal(0, attached.GetProperty("outbox").GetProperty("pending").GetInt32());
        Assert.Equal("2026-06-15", attached.GetProperty("case").GetProperty("expiry").GetProperty("userAuthenticationExpiry").GetString());

        await _h.HolderVisitsAsync(Guid.Parse(caseId));
        var keys = new Queue<ConsoleKeyInfo>("1235".Select(c => new ConsoleKeyInfo(c, ConsoleKey.D0 + (c - '0'), false, false, false))
            .Append(new ConsoleKeyInfo('\r', ConsoleKey.Enter, false, false, false)));
        (exit, lines, var prompt) = await RunAsync(terminal, ["pin", "--case", caseId, "--kind", "user"], keys);
        Assert.Equal(0, exit);
        Assert.Equal(("mismatched", 2), (lines[0].GetProperty("result").GetString(), lines[0].GetProperty("triesLeft").GetInt32()));
        Assert.Contains("****", prompt);
        Assert.DoesNotContain("1235", prompt + lines[0].GetRawText());

        (exit, lines, _) = await RunAsync(new FakeTerminal(null), ["send"], server: $"http://127.0.0.1:{StationHarness.ClosedPort()}/");
        Assert.Equal((0, 0), (exit, lines[0].GetProperty("pending").GetInt32()));

        (exit, lines, _) = await RunAsync(new FakeTerminal(null), ["outbox"]);
        Assert.Equal(0, exit);
        Assert.Empty(lines[0].GetProperty("pending").EnumerateArray());
    }

    [Fact]
    public async Task An_expiry_mismatch_is_a_plain_error_of_the_attach_command()
    {
        await _h.NoticeAsync("N-7002");
        await _h.CaughtUpAsync();
        var (exit, lines, error) = await RunAsync(new FakeTerminal(new FakeCard("0A1B", new DateOnly(2027, 1, 1))), ["attach", "--notice", "N-7002"]);
        Assert.Equal(1, exit);
        Assert.Equal("ExpiryMismatch", lines[0].GetProperty("error").GetString());
        Assert.Contains("一致しません", error);
    }
}
