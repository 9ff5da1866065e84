using CaseSystem.Cases.Auth;
using Microsoft.Extensions.Time.Testing;

namespace CaseSystem.Cases.Tests.Auth;

public sealed class TokenCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly StringWriter _out = new();
    private readonly StringWriter _err = new();

    public void Dispose()
    {
        _folder.Dispose();
        _out.Dispose();
        _err.Dispose();
    }

    private string KeyFile => _folder.File("token.key");

    private int Run(params string[] args) => TokenCommand.Run([.. args, "--key-file", KeyFile], _out, _err);

    [Fact]
    public void Prints_only_a_token_that_validates_with_the_key_file()
    {
        var exit = Run("--staff", "clerk-1", "--role", "clerk", "--municipality", "saku", "--office", "shimin-ka");

        Assert.Equal(0, exit);
        Assert.Equal("", _err.ToString());
        var printed = _out.ToString();
        Assert.EndsWith("\n", printed);
        var token = printed.TrimEnd('\r', '\n');
        Assert.DoesNotContain('\n', token);
        var who = new StaffTokenSigner(StaffTokenKey.LoadOrCreate(KeyFile)).Validate(token, DateTimeOffset.UtcNow);
        Assert.NotNull(who);
        Assert.Equal(("clerk-1", StaffRole.Clerk, "saku", "shimin-ka"), (who.StaffId, who.Role, who.Municipality, who.Office));
    }

    [Fact]
    public void Issues_a_wall_displays_token_of_its_office_with_the_role_display()
    {
        // Issue 13: a kiosk signs in with a token of its own, which reads its office's queue board and nothing else.
        var exit = Run("--staff", "display-usuda", "--role", "display", "--municipality", "saku", "--office", "usuda", "--hours", "720");

        Assert.Equal(0, exit);
        var who = new StaffTokenSigner(StaffTokenKey.LoadOrCreate(KeyFile)).Validate(_out.ToString().Trim(), DateTimeOffset.UtcNow);
        Assert.Equal(("display-usuda", StaffRole.Display, "usuda"), (who!.StaffId, who.Role, who.Office));
        Assert.Equal("display", StaffRole.Display.Name());
        Assert.Equal(StaffRole.Display, StaffRoles.Parse("display"));
    }

    [Fact]
    public void The_token_lasts_12_hours_unless_told_otherwise()
    {
        var time = new FakeTimeProvider(Tokens.Noon);
        var signer = () => new StaffTokenSigner(StaffTokenKey.LoadOrCreate(KeyFile));

        Assert.Equal(0, TokenCommand.Run(["--staff", "s-1", "--role", "supervisor", "--municipality", "kawasaki", "--office", "kawasaki-ku", "--key-file", KeyFile], _out, _err, time));
        Assert.Equal(Tokens.Noon.AddHours(12), signer().Validate(_out.ToString().Trim(), Tokens.Noon)!.ExpiresAt);

        _out.GetStringBuilder().Clear();
        Assert.Equal(0, TokenCommand.Run(["--staff", "a-1", "--role", "analyst", "--municipality", "hirosaki", "--office", "bosaikan", "--hours=0.5", "--key-file", KeyFile], _out, _err, time));
        var who = signer().Validate(_out.ToString().Trim(), Tokens.Noon)!;
        Assert.Equal((StaffRole.Analyst, Tokens.Noon.AddMinutes(30)), (who.Role, who.ExpiresAt));
        Assert.Null(signer().Validate(_out.ToString().Trim(), Tokens.Noon.AddMinutes(30)));
    }

    [Fact]
    public void An_unknown_municipality_is_a_usage_error()
    {
        var exit = Run("--staff", "clerk-1", "--role", "clerk", "--municipality", "osaka", "--office", "shimin-ka");

        Assert.Equal(2, exit);
        Assert.Equal("", _out.ToString());
        Assert.Contains("unknown municipality 'osaka'", _err.ToString());
        Assert.Contains("saku", _err.ToString());
        Assert.Contains("usage: token", _err.ToString());
    }

    [Theory]
    [InlineData("janitor")]
    [InlineData("Clerk")]
    [InlineData("0")]
    [InlineData("")]
    public void An_unknown_role_is_a_usage_error(string role)
    {
        var exit = Run("--staff", "clerk-1", "--role", role, "--municipality", "saku", "--office", "shimin-ka");

        Assert.Equal(2, exit);
        Assert.Equal("", _out.ToString());
        Assert.Contains($"unknown role '{role}'", _err.ToString());
    }

    [Theory]
    [InlineData("--role", "clerk", "--municipality", "saku", "--office", "shimin-ka")]
    [InlineData("--staff", "c-1", "--municipality", "saku", "--office", "shimin-ka")]
    [InlineData("--staff", "c-1", "--role", "clerk", "--office", "shimin-ka")]
    [InlineData("--staff", "c-1", "--role", "clerk", "--municipality", "saku")]
    [InlineData("--staff", "c-1", "--role", "clerk", "--municipality", "saku", "--office", "shimin-ka", "--hours", "0")]
    [InlineData("--staff", "c-1", "--role", "clerk", "--municipality", "saku", "--office", "shimin-ka", "--hours", "-3")]
    [InlineData("--staff", "c-1", "--role", "clerk", "--municipality", "saku", "--office", "shimin-ka", "--hours", "twelve")]
    [InlineData("--staff", "c-1", "--role", "clerk", "--municipality", "saku", "--office", "shimin-ka", "--hours", "100000")]
    [InlineData("--staff", "c-1", "--role", "clerk", "--municipality", "saku", "--office", "shimin-ka", "--pin", "1234")]
    [InlineData("--staff", "c-1", "--staff", "c-2", "--role", "clerk", "--municipality", "saku", "--office", "shimin-ka")]
    [InlineData("--staff", "山田 太郎", "--role", "clerk", "--municipality", "saku", "--office", "shimin-ka")]
    [InlineData("--staff", "c-1", "--role", "clerk", "--municipality", "saku", "--office", "shimin ka")]
    [InlineData("c-1", "--role", "clerk", "--municipality", "saku", "--office", "shimin-ka")]
    public void Other_usage_errors_exit_2_and_print_no_token(params string[] args)
    {
        Assert.Equal(2, Run(args));
        Assert.Equal("", _out.ToString());
        Assert.StartsWith("token: ", _err.ToString());
        Assert.False(File.Exists(KeyFile), "no key is made for a command that was refused");
    }

    [Fact]
    public void An_option_without_its_value_is_a_usage_error()
    {
        Assert.Equal(2, TokenCommand.Run(["--staff", "c-1", "--role", "clerk", "--municipality", "saku", "--office"], _out, _err));
        Assert.Contains("--office needs a value", _err.ToString());
        Assert.Equal("", _out.ToString());
    }

    [Fact]
    public void A_broken_key_file_exits_1_with_the_reason()
    {
        File.WriteAllBytes(KeyFile, new byte[7]);

        Assert.Equal(1, Run("--staff", "c-1", "--role", "clerk", "--municipality", "saku", "--office", "shimin-ka"));
        Assert.Equal("", _out.ToString());
        Assert.Contains("has 7 bytes", _err.ToString());
    }

    [Fact]
    public void Help_prints_the_usage()
    {
        Assert.Equal(0, TokenCommand.Run(["--help"], _out, _err));
        Assert.StartsWith("usage: token", _out.ToString());
    }
}
