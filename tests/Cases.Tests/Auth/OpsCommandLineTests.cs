using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Auth.Members;
using CaseSystem.Cases.Store.HashChain;

namespace CaseSystem.Cases.Tests.Auth;

/// <summary>
/// The operator's commands as System.CommandLine parses them: a usage error is our own line in
/// Japanese and English, then the usage, and exit 2, before any database or key is touched.
/// </summary>
public sealed class OpsCommandLineTests : IDisposable
{
    private readonly StringWriter _out = new();
    private readonly StringWriter _err = new();

    public void Dispose()
    {
        _out.Dispose();
        _err.Dispose();
    }

    [Fact]
    public void A_missing_value_is_said_in_Japanese_and_English_then_the_usage()
    {
        Assert.Equal(2, TokenCommand.Run(["--staff", "c-1", "--role", "clerk", "--municipality", "saku", "--office"], _out, _err));

        var lines = _err.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("token: --office に値がありません / --office needs a value.", lines[0]);
        Assert.StartsWith("usage: token", lines[^1]);
        Assert.Equal("", _out.ToString());
    }

    [Fact]
    public void An_unknown_option_and_a_missing_required_one_are_each_named()
    {
        Assert.Equal(2, TokenCommand.Run(["--staff", "c-1", "--role", "clerk", "--municipality", "saku", "--pin", "1234"], _out, _err));

        var error = _err.ToString();
        Assert.Contains("token: --pin というオプションはありません / unknown option --pin.", error);
        Assert.Contains("token: --office を指定してください / --office is required.", error);
    }

    [Fact]
    public async Task A_misspelt_or_missing_verb_exits_2_naming_the_verbs_without_a_database()
    {
        Assert.Equal(2, await StaffCommand.RunAsync(["lst", "--municipality", "saku"], connectionString: null, _out, _err));
        Assert.Contains("staff: コマンド 'lst' はありません (list, add, reset, disable, enable, revoke-token) / unknown command 'lst'", _err.ToString());

        _err.GetStringBuilder().Clear();
        Assert.Equal(2, await AnchorsCommand.RunAsync([], _ => null, _out, _err));
        Assert.StartsWith("anchors: コマンドを指定してください (anchor, verify, public-key) / a command is needed", _err.ToString());
        Assert.Equal("", _out.ToString());
    }

    [Fact]
    public async Task A_staff_command_checks_its_words_before_it_needs_CASES_DB()
    {
        Assert.Equal(2, await StaffCommand.RunAsync(["add", "--municipality", "saku", "--staff", "s-1", "--name", "佐藤", "--role", "station", "--office", "shimin-ka"],
            connectionString: null, _out, _err));
        Assert.Contains("--role is one of clerk, supervisor, analyst, admin.", _err.ToString());

        _err.GetStringBuilder().Clear();
        Assert.Equal(2, await StaffCommand.RunAsync(["list", "--municipality", "saku"], connectionString: null, _out, _err));
        Assert.Contains("CASES_DB is not set", _err.ToString());
    }

    [Fact]
    public async Task A_value_beginning_with_at_is_taken_as_written_not_as_a_response_file()
    {
        Assert.Equal(2, await StaffCommand.RunAsync(["revoke-token", "@no-such-file"], connectionString: null, _out, _err));
        Assert.Contains("CASES_DB is not set", _err.ToString());
    }

    [Theory]
    [InlineData("-h")]
    [InlineData("--help")]
    public async Task Help_prints_the_usage_on_stdout_and_exits_0(string help)
    {
        Assert.Equal(0, await AnchorsCommand.RunAsync(["verify", help], _ => null, _out, _err));
        Assert.StartsWith("usage: anchors", _out.ToString());
        Assert.Equal("", _err.ToString());
    }
}
