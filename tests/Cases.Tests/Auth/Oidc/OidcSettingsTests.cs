using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Auth.Oidc;
using Microsoft.Extensions.Configuration;

namespace CaseSystem.Cases.Tests.Auth.Oidc;

/// <summary>Reading <c>Cases:Oidc</c>: its defaults, its two spellings of lists and maps, and the settings that stop the start.</summary>
public sealed class OidcSettingsTests
{
    private static readonly string[] Served = ["saku", "takatsuki", "kawasaki"];

    /// <summary>The settings as configuration; a key given again overrides the earlier value.</summary>
    private static IReadOnlyList<OidcIssuer> Read(params (string Key, string? Value)[] settings)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in settings) values[key] = value;
        return OidcSettings.Read(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), Served);
    }

    private static (string, string?)[] Saku(params (string Key, string? Value)[] more) =>
    [
        ("Cases:Oidc:Issuers:saku:Issuer", "https://idp.saku.example/realms/staff/"),
        ("Cases:Oidc:Issuers:saku:Audience", "casesystem"),
        ("Cases:Oidc:Issuers:saku:Municipalities", "saku"),
        .. more.Select(m => ("Cases:Oidc:Issuers:saku:" + m.Key, m.Value)),
    ];

    private static string Refusal(params (string, string?)[] settings) =>
        Assert.Throws<InvalidOperationException>(() => Read(settings)).Message;

    [Fact]
    public void Nothing_configured_is_no_issuer()
    {
        Assert.Empty(Read());
    }

    [Fact]
    public void The_defaults_are_the_usual_claims_our_role_names_RS256_and_ES256_and_https_metadata_under_the_issuer()
    {
        var saku = Assert.Single(Read(Saku()));

        Assert.Equal("saku", saku.Name);
        Assert.Equal("https://idp.saku.example/realms/staff/", saku.Issuer);
        Assert.Equal(new Uri("https://idp.saku.example/realms/staff/.well-known/openid-configuration"), saku.MetadataAddress);
        Assert.Equal(new OidcClaimNames("sub", "role", "municipality", "office"), saku.Claims);
        Assert.Equal(Enum.GetValues<StaffRole>().ToDictionary(r => r.Name()), saku.Roles);
        Assert.Equal(["RS256", "ES256"], saku.Algorithms);
        Assert.True(saku.RequireHttpsMetadata);
        Assert.Equal(["saku"], saku.Municipalities);
    }

    [Fact]
    public void Claims_roles_and_municipalities_are_configurable_as_strings_or_as_sections()
    {
        var inline = Assert.Single(Read(Saku(
            ("StaffIdClaim", "preferred_username"), ("RoleClaim", "groups"), ("MunicipalityClaim", "lg"), ("OfficeClaim", "department"),
            ("Roles", "casesystem-clerk=clerk, urn:saku:roles:supervisor=supervisor"), ("Municipalities", "saku, takatsuki"))));
        Assert.Equal(new OidcClaimNames("preferred_username", "groups", "lg", "department"), inline.Claims);
        Assert.Equal(new Dictionary<string, StaffRole> { ["casesystem-clerk"] = StaffRole.Clerk, ["urn:saku:roles:supervisor"] = StaffRole.Supervisor }, inline.Roles);
        Assert.Equal(["saku", "takatsuki"], inline.Municipalities.Order());

        var sections = Assert.Single(Read(Saku(
            ("Roles:casesystem-clerk", "clerk"), ("Roles:casesystem-admin", "admin"),
            ("Municipalities", null), ("Municipalities:0", "kawasaki"), ("Municipalities:1", "saku"))));
        Assert.Equal(new Dictionary<string, StaffRole> { ["casesystem-clerk"] = StaffRole.Clerk, ["casesystem-admin"] = StaffRole.Admin }, sections.Roles);
        Assert.Equal(["kawasaki", "saku"], sections.Municipalities.Order());
    }

    [Fact]
    public void Environment_variables_name_the_same_settings()
    {
        // A prefix of this test's own: the process's environment is shared with the other tests.
        var prefix = "T" + Guid.NewGuid().ToString("N")[..8] + "_";
        var variables = new Dictionary<string, string>
        {
            ["Cases__Oidc__Issuers__saku__Issuer"] = "https://idp.saku.example",
            ["Cases__Oidc__Issuers__saku__Audience"] = "casesystem",
            ["Cases__Oidc__Issuers__saku__Municipalities"] = "saku",
            ["Cases__Oidc__Issuers__saku__Roles"] = "casesystem-clerk=clerk",
        };
        foreach (var (name, value) in variables) Environment.SetEnvironmentVariable(prefix + name, value);
        try
        {
            var saku = Assert.Single(OidcSettings.Read(new ConfigurationBuilder().AddEnvironmentVariables(prefix).Build(), Served));
            Assert.Equal(("https://idp.saku.example", "casesystem", StaffRole.Clerk), (saku.Issuer, saku.Audience, saku.Roles["casesystem-clerk"]));
        }
        finally
        {
            foreach (var name in variables.Keys) Environment.SetEnvironmentVariable(prefix + name, null);
        }
    }

    [Fact]
    public void Several_issuers_each_with_its_municipalities()
    {
        var issuers = Read([.. Saku(), ("Cases:Oidc:Issuers:kawasaki:Issuer", "https://login.kawasaki.example"),
            ("Cases:Oidc:Issuers:kawasaki:Audience", "api://casesystem"), ("Cases:Oidc:Issuers:kawasaki:Municipalities", "kawasaki")]);
        Assert.Equal([("kawasaki", "kawasaki"), ("saku", "saku")], issuers.Select(i => (i.Name, i.Municipalities.Single())).Order());
    }

    [Fact]
    public void A_wrong_setting_stops_the_start_naming_it()
    {
        Assert.Contains("Audience is required", Refusal(Saku(("Audience", " "))));
        Assert.Contains("Municipalities is required", Refusal(Saku(("Municipalities", ""))));
        Assert.Contains("hirosaki-shi is not a municipality this server serves", Refusal(Saku(("Municipalities", "saku,hirosaki-shi"))));
        Assert.Contains("must be https", Refusal(Saku(("Issuer", "http://idp.saku.example"))));
        Assert.Contains("true or false", Refusal(Saku(("RequireHttpsMetadata", "no"))));
        Assert.Contains("HS256 is not allowed", Refusal(Saku(("Algorithms", "RS256,HS256"))));
        Assert.Contains("none is not allowed", Refusal(Saku(("Algorithms", "none"))));
        Assert.Contains("\"chief\" (for \"casesystem-chief\") is not a role", Refusal(Saku(("Roles", "casesystem-chief=chief"))));
        Assert.Contains("is not provider-value=role", Refusal(Saku(("Roles", "clerk"))));
        Assert.Contains("unknown setting Audiance", Refusal(Saku(("Audiance", "casesystem"))));
        Assert.Contains("name the same Issuer", Refusal([.. Saku(), ("Cases:Oidc:Issuers:other:Issuer", "https://idp.saku.example/realms/staff/"),
            ("Cases:Oidc:Issuers:other:Audience", "x"), ("Cases:Oidc:Issuers:other:Municipalities", "takatsuki")]));
    }

    [Fact]
    public void Http_metadata_is_allowed_only_when_asked_for()
    {
        var local = Assert.Single(Read(Saku(("Issuer", "http://127.0.0.1:8080"), ("RequireHttpsMetadata", "false"))));
        Assert.Equal(new Uri("http://127.0.0.1:8080/.well-known/openid-configuration"), local.MetadataAddress);
    }
}
