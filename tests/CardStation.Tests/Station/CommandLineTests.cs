using System.Text.Json;
using CaseSystem.CardStation.Card;
using CaseSystem.CardStation.Commands;
using CaseSystem.CardStation.Station;

namespace CaseSystem.CardStation.Tests.Station;

/// <summary>
/// The words of <c>cardstation</c> (System.CommandLine): a usage error is one JSON line, a Japanese
/// and English message, the usage text on stderr and exit code 2, before anything is asked of the
/// card or the server; help is the usage text with exit code 0.
/// </summary>
public sealed class CommandLineTests
{
    private static async Task<(int Exit, JsonElement? Line, string Out, string Error, bool TerminalOpened)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var opened = false;
        var io = new StationIo(output, error, () => throw new InvalidOperationException("no keys here"), () => false, () => null, _ => null, default);
        var exit = await StationCommands.RunAsync(args, io, () =>
        {
            opened = true;
            return new FakeTerminal(null);
        });
        var text = output.ToString();
        JsonElement? line = text.StartsWith('{') ? JsonDocument.Parse(text.Split('\n')[0]).RootElement : null;
        return (exit, line, text, error.ToString(), opened);
    }

    [Theory]
    [InlineData(new[] { "read", "--frobnicate", "x" }, "read では使えないオプションです: --frobnicate", "read takes no option --frobnicate")]
    [InlineData(new[] { "readers", "--reader", "Virtual PCD 00 00" }, "readers では使えないオプションです: --reader", "readers takes no option --reader")]
    [InlineData(new[] { "--token", "cs1.secret" }, "tui では使えないオプションです: --token", "tui takes no option --token")]
    [InlineData(new[] { "read", "--reader" }, "--reader に値がありません", "--reader needs a value")]
    [InlineData(new[] { "attach", "--reader", "--case", "0195f0c4-0000-7000-8000-000000000001" }, "--reader に値がありません", "--reader needs a value")]
    [InlineData(new[] { "find", "--notice", "N-1", "--notice", "N-2" }, "--notice は1回だけ指定してください", "--notice given more than once")]
    [InlineData(new[] { "find", "--birth-date", "H31.5.1" }, "令和元年5月1日", "--birth-date")]
    [InlineData(new[] { "read", "extra" }, "引数が正しくありません: extra", "unexpected argument: extra")]
    [InlineData(new[] { "frobnicate" }, "知らないコマンドです: frobnicate", "unknown command: frobnicate")]
    public async Task Words_the_station_does_not_take_are_a_usage_error_in_Japanese_and_English_with_exit_code_2(string[] args, string ja, string en)
    {
        var (exit, line, _, error, opened) = await RunAsync(args);

        Assert.Equal(2, exit);
        Assert.Equal("Usage", line!.Value.GetProperty("error").GetString());
        var message = line.Value.GetProperty("message").GetString()!;
        Assert.Contains(ja, message.Split(" / ")[0]);
        Assert.Contains(en, message.Split(" / ")[1]);
        Assert.StartsWith(message, error);
        Assert.Contains("使い方 / usage: cardstation", error);
        Assert.False(opened, "a usage error touched the card terminal");
        Assert.DoesNotContain("cs1.secret", line.Value.GetRawText() + error);
    }

    [Theory]
    [InlineData("help")]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("read", "--help")]
    public async Task Help_prints_the_Japanese_and_English_usage_and_exits_0(params string[] args)
    {
        var (exit, _, output, error, opened) = await RunAsync(args);

        Assert.Equal(0, exit);
        Assert.Equal(StationCommands.Usage, output.TrimEnd('\r', '\n'));
        Assert.Empty(error);
        Assert.False(opened);
    }

    [Fact]
    public void Settings_are_taken_by_every_verb_and_options_in_either_form()
    {
        var args = StationArgs.Parse(["pin", "--kind=signing", "--office", "usuda", "--case", "c", "--data=/tmp/x"]);
        Assert.Equal("pin", args.Verb);
        Assert.Equal(("signing", "usuda", "c", "/tmp/x"), (args.Value("kind"), args.Value("office"), args.Value("case"), args.Value("data")));
        Assert.Null(args.Value("reader"));

        Assert.Equal("tui", StationArgs.Parse(["--server", "http://127.0.0.1:5080/"]).Verb);
        Assert.Equal("http://127.0.0.1:5080/", StationArgs.Parse(["readers", "--server", "http://127.0.0.1:5080/"]).Value("server"));
        // A value beginning with @ is a value, not a response file to read.
        Assert.Equal("@home", StationArgs.Parse(["find", "--name", "@home"]).Value("name"));
        Assert.Equal("none", StationArgs.Parse(["open", "--signing-expiry", "none"]).Value("signing-expiry"));
    }
}
