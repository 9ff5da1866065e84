using System.Buffers.Text;
using System.Text.Json;
using CaseSystem.Cases.Auth;
using Microsoft.Extensions.Time.Testing;

namespace CaseSystem.Cases.Tests.Auth;

public sealed class StaffTokenSignerTests
{
    private static readonly StaffIdentity Clerk =
        new("clerk-1", StaffRole.Clerk, "saku", "shimin-ka", Tokens.Noon.AddHours(12)) { TokenId = "token-1" };

    private readonly byte[] _key = Tokens.NewKey();

    [Fact]
    public void A_token_round_trips_to_the_same_identity()
    {
        var signer = new StaffTokenSigner(_key);

        var token = signer.Issue(Clerk);

        Assert.StartsWith("cs1.", token);
        Assert.Equal(3, token.Split('.').Length);
        Assert.Equal(Clerk, signer.Validate(token, Tokens.Noon));
    }

    [Theory]
    [InlineData(StaffRole.Clerk)]
    [InlineData(StaffRole.Supervisor)]
    [InlineData(StaffRole.Analyst)]
    [InlineData(StaffRole.Station)]
    [InlineData(StaffRole.Admin)]
    public void Every_role_round_trips(StaffRole role)
    {
        var signer = new StaffTokenSigner(_key);
        var who = Clerk with { Role = role };
        Assert.Equal(who, signer.Validate(signer.Issue(who), Tokens.Noon));
    }

    [Fact]
    public void The_payload_is_the_identity_and_nothing_else()
    {
        var token = new StaffTokenSigner(_key).Issue(Clerk);

        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[1]));

        Assert.Equal(["staff", "role", "municipality", "office", "exp", "jti"], payload.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("clerk", payload.RootElement.GetProperty("role").GetString());
        Assert.Equal(Clerk.ExpiresAt.ToUnixTimeSeconds(), payload.RootElement.GetProperty("exp").GetInt64());
    }

    [Fact]
    public void Expiry_is_kept_to_the_second()
    {
        var signer = new StaffTokenSigner(_key);
        var who = Clerk with { ExpiresAt = Tokens.Noon.AddHours(1).AddMilliseconds(999) };

        Assert.Equal(Tokens.Noon.AddHours(1), signer.Validate(signer.Issue(who), Tokens.Noon)!.ExpiresAt);
    }

    [Fact]
    public void A_token_with_any_one_character_changed_is_refused()
    {
        var signer = new StaffTokenSigner(_key);
        var token = signer.Issue(Clerk);

        for (var i = 0; i < token.Length; i++)
        {
            foreach (var replacement in (char[])['A', 'B', '_', '.', '=', '?', 'é', ' '])
            {
                if (token[i] == replacement)
                {
                    continue;
                }
                var changed = token[..i] + replacement + token[(i + 1)..];
                Assert.True(signer.Validate(changed, Tokens.Noon) is null, $"accepted with position {i} changed to '{replacement}': {changed}");
            }
        }
    }

    [Fact]
    public void An_expired_token_is_refused_from_the_second_it_expires()
    {
        var signer = new StaffTokenSigner(_key);
        var time = new FakeTimeProvider(Tokens.Noon);
        var token = signer.Issue(Clerk with { ExpiresAt = Tokens.Noon.AddHours(1) });

        Assert.NotNull(signer.Validate(token, time.GetUtcNow()));
        time.Advance(TimeSpan.FromHours(1) - TimeSpan.FromSeconds(1));
        Assert.NotNull(signer.Validate(token, time.GetUtcNow()));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(signer.Validate(token, time.GetUtcNow()));
        time.Advance(TimeSpan.FromDays(30));
        Assert.Null(signer.Validate(token, time.GetUtcNow()));
    }

    [Fact]
    public void A_token_signed_with_another_key_is_refused()
    {
        var token = new StaffTokenSigner(Tokens.NewKey()).Issue(Clerk);

        Assert.Null(new StaffTokenSigner(_key).Validate(token, Tokens.Noon));
    }

    [Theory]
    [InlineData("")]
    [InlineData("cs1.")]
    [InlineData("cs1..")]
    [InlineData("Bearer cs1.a.b")]
    [InlineData("cs2.eyJ9.abc")]
    [InlineData("not a token at all")]
    [InlineData("cs1.onlyonepart")]
    public void Garbage_is_refused(string token) =>
        Assert.Null(new StaffTokenSigner(_key).Validate(token, Tokens.Noon));

    [Fact]
    public void A_null_or_overlong_token_is_refused()
    {
        var signer = new StaffTokenSigner(_key);
        Assert.Null(signer.Validate(null, Tokens.Noon));
        Assert.Null(signer.Validate(signer.Issue(Clerk) + new string('A', 5000), Tokens.Noon));
    }

    [Fact]
    public void The_version_prefix_and_the_parts_are_exact()
    {
        var signer = new StaffTokenSigner(_key);
        var token = signer.Issue(Clerk);
        var parts = token.Split('.');

        Assert.Null(signer.Validate("CS1." + parts[1] + "." + parts[2], Tokens.Noon));
        Assert.Null(signer.Validate(token + ".", Tokens.Noon));
        Assert.Null(signer.Validate(token + "=", Tokens.Noon));
        Assert.Null(signer.Validate(" " + token, Tokens.Noon));
        Assert.Null(signer.Validate(parts[0] + "." + parts[1] + "." + parts[2] + "." + parts[2], Tokens.Noon));
    }

    [Theory]
    [InlineData("""{"staff":"c1","role":"janitor","municipality":"saku","office":"shimin-ka","exp":4102444800,"jti":"j1"}""")]
    [InlineData("""{"staff":"c1","role":"Clerk","municipality":"saku","office":"shimin-ka","exp":4102444800,"jti":"j1"}""")]
    [InlineData("""{"staff":"c1","role":"0","municipality":"saku","office":"shimin-ka","exp":4102444800,"jti":"j1"}""")]
    [InlineData("""{"staff":"c1","role":0,"municipality":"saku","office":"shimin-ka","exp":4102444800,"jti":"j1"}""")]
    [InlineData("""{"role":"clerk","municipality":"saku","office":"shimin-ka","exp":4102444800,"jti":"j1"}""")]
    [InlineData("""{"staff":"","role":"clerk","municipality":"saku","office":"shimin-ka","exp":4102444800,"jti":"j1"}""")]
    [InlineData("""{"staff":"c1","role":"clerk","office":"shimin-ka","exp":4102444800,"jti":"j1"}""")]
    [InlineData("""{"staff":"c1","role":"clerk","municipality":" ","office":"shimin-ka","exp":4102444800,"jti":"j1"}""")]
    [InlineData("""{"staff":"c1","role":"clerk","municipality":"saku","exp":4102444800,"jti":"j1"}""")]
    [InlineData("""{"staff":"c1","role":"clerk","municipality":"saku","office":"shimin-ka","jti":"j1"}""")]
    [InlineData("""{"staff":"c1","role":"clerk","municipality":"saku","office":"shimin-ka","exp":"4102444800","jti":"j1"}""")]
    [InlineData("""{"staff":"c1","role":"clerk","municipality":"saku","office":"shimin-ka","exp":4102444800.5,"jti":"j1"}""")]
    [InlineData("""{"staff":"c1","role":"clerk","municipality":"saku","office":"shimin-ka","exp":99999999999999999,"jti":"j1"}""")]
    [InlineData("""["c1","clerk","saku","shimin-ka",4102444800]""")]
    [InlineData("""{"staff":"c1",""")]
    [InlineData("""null""")]
    [InlineData("""{"staff":"c1","role":"clerk","municipality":"saku","office":"shimin-ka","exp":4102444800}""")] // no id: not revocable
    public void A_correctly_signed_payload_with_an_unknown_role_or_missing_fields_is_refused(string json) =>
        Assert.Null(new StaffTokenSigner(_key).Validate(Tokens.Forge(_key, json), Tokens.Noon));

    [Fact]
    public void A_correctly_signed_complete_payload_is_accepted()
    {
        // The counterpart of the test above: the forging helper itself makes valid tokens.
        var token = Tokens.Forge(_key, """{"staff":"c1","role":"station","municipality":"saku","office":"shimin-ka","exp":4102444800,"jti":"j1"}""");

        Assert.Equal(new StaffIdentity("c1", StaffRole.Station, "saku", "shimin-ka", DateTimeOffset.FromUnixTimeSeconds(4102444800)) { TokenId = "j1" },
            new StaffTokenSigner(_key).Validate(token, Tokens.Noon));
    }

    [Theory]
    [InlineData("eyJ+")]
    [InlineData("e30=")]
    [InlineData("e3 0")]
    [InlineData("!!!!")]
    public void A_payload_that_is_not_base64url_is_refused_even_when_signed(string payload) =>
        Assert.Null(new StaffTokenSigner(_key).Validate(Tokens.SignRaw(_key, payload), Tokens.Noon));

    [Fact]
    public void Issuing_needs_every_field_and_a_real_role()
    {
        var signer = new StaffTokenSigner(_key);
        Assert.Throws<ArgumentException>(() => signer.Issue(Clerk with { StaffId = "" }));
        Assert.Throws<ArgumentException>(() => signer.Issue(Clerk with { Municipality = " " }));
        Assert.Throws<ArgumentException>(() => signer.Issue(Clerk with { Office = "" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => signer.Issue(Clerk with { Role = (StaffRole)42 }));
    }

    [Fact]
    public void A_short_key_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new StaffTokenSigner(new byte[16]));
    }
}
