using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace CaseSystem.Cases.Tests.Auth.Oidc;

/// <summary>
/// A minimal app with staff authentication that accepts the JWTs of two providers of the test's
/// own: saku's (its role names mapped: "casesystem-clerk" → clerk …) and takatsuki's (our role
/// names as they are). Real Kestrel ports on loopback; the app's clock is the test's.
/// </summary>
public sealed class OidcStaffTokenHttpTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(Tokens.Noon);
    private readonly LogCollector _logs = new();
    private TestIssuer _saku = null!;
    private TestIssuer _takatsuki = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _saku = await TestIssuer.StartAsync();
        _takatsuki = await TestIssuer.StartAsync();

        var builder = WebApplication.CreateBuilder();
        builder.Configuration["CASES_TOKEN_KEY_FILE"] = _folder.File("keys", "token.key");
        foreach (var (name, issuer, municipality) in new[] { ("saku", _saku, "saku"), ("takatsuki", _takatsuki, "takatsuki") })
        {
            builder.Configuration[$"Cases:Oidc:Issuers:{name}:Issuer"] = issuer.Issuer;
            builder.Configuration[$"Cases:Oidc:Issuers:{name}:Audience"] = TestIssuer.Audience;
            builder.Configuration[$"Cases:Oidc:Issuers:{name}:Municipalities"] = municipality;
            builder.Configuration[$"Cases:Oidc:Issuers:{name}:RequireHttpsMetadata"] = "false";
        }
        builder.Configuration["Cases:Oidc:Issuers:saku:Roles"] = "casesystem-clerk=clerk, casesystem-supervisor=supervisor";
        builder.Configuration["Cases:Oidc:Issuers:takatsuki:Algorithms"] = "RS256,RS384";
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.AddProvider(_logs);
        builder.Services.AddSingleton<TimeProvider>(_time);
        builder.Services.AddProblemDetails();
        builder.Services.AddStaffAuthentication(builder.Configuration);
        _app = builder.Build();

        _app.MapGroup("/api/{municipality}").RequireStaff(StaffRole.Clerk).MapGet("/probe", (HttpContext http) =>
        {
            var who = http.Staff();
            return Results.Ok(new { staff = who.StaffId, role = who.Role.Name(), municipality = who.Municipality, office = who.Office, expires = who.ExpiresAt });
        });
        _app.MapGet("/authorized", (HttpContext http) => Results.Ok(new { staff = http.Staff().StaffId })).RequireAuthorization();

        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _http = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _saku.DisposeAsync();
        await _takatsuki.DisposeAsync();
        _folder.Dispose();
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    private Task<HttpResponseMessage> Get(string path, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return _http.SendAsync(request);
    }

    private async Task<JsonElement> Ok(string path, string token)
    {
        var response = await Get(path, token);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    /// <summary>401 invalid_token as for any refused token, the token not echoed, and nothing of it in the log.</summary>
    private async Task Refused(string token, string path = "/api/saku/probe")
    {
        var response = await Get(path, token);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{(int)response.StatusCode} {text}");
        Assert.Equal("urn:casesystem:problem:unauthenticated", JsonDocument.Parse(text).RootElement.GetProperty("type").GetString());
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal(("Bearer", "error=\"invalid_token\""), (challenge.Scheme, challenge.Parameter));
        // Neither the payload nor the signature, in the answer or the log (parts long enough to tell).
        foreach (var part in token.Split('.').Skip(1).Where(p => p.Length >= 16))
        {
            Assert.DoesNotContain(part, text);
            Assert.All(_logs.Entries, e => Assert.DoesNotContain(part, e.Line));
        }
    }

    private static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        Assert.Equal(status, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(type, problem.GetProperty("type").GetString());
        return problem;
    }

    [Fact]
    public async Task A_providers_token_acts_as_the_mapped_staff_member_until_its_exp()
    {
        var token = _saku.Mint(Now, new Dictionary<string, object?> { ["sub"] = "sato-h", ["office"] = "usuda" }, lifetime: TimeSpan.FromMinutes(30));

        var seen = await Ok("/api/saku/probe", token);
        Assert.Equal(("sato-h", "clerk", "saku", "usuda"),
            (seen.GetProperty("staff").GetString(), seen.GetProperty("role").GetString(), seen.GetProperty("municipality").GetString(), seen.GetProperty("office").GetString()));
        Assert.Equal(Now.AddMinutes(30), seen.GetProperty("expires").GetDateTimeOffset());
        Assert.Equal("sato-h", (await Ok("/authorized", token)).GetProperty("staff").GetString());

        // Expiry is the server's clock's, with 30 s of skew.
        _time.Advance(TimeSpan.FromMinutes(30) + TimeSpan.FromSeconds(20));
        await Ok("/api/saku/probe", token);
        _time.Advance(TimeSpan.FromSeconds(20));
        await Refused(token);
    }

    [Fact]
    public async Task Our_own_tokens_are_still_accepted_beside_the_providers()
    {
        var signer = _app.Services.GetRequiredService<StaffTokenSigner>();
        var own = signer.Issue(new StaffIdentity("clerk-1", StaffRole.Clerk, "saku", "shimin-ka", Now.AddHours(1)));
        Assert.Equal("clerk-1", (await Ok("/api/saku/probe", own)).GetProperty("staff").GetString());
    }

    [Fact]
    public async Task The_role_mapping_is_the_providers_own_one_value_of_a_list_may_map()
    {
        // saku maps its own names; our name "clerk" is not one of them.
        await Refused(_saku.Mint(Now, new Dictionary<string, object?> { ["role"] = "clerk" }));
        // A list of groups of which exactly one is a role of ours.
        var groups = await Ok("/api/saku/probe", _saku.Mint(Now, new Dictionary<string, object?> { ["role"] = new[] { "all-staff", "casesystem-clerk" } }));
        Assert.Equal("clerk", groups.GetProperty("role").GetString());
        // Two roles at once is not a staff member this server can name.
        await Refused(_saku.Mint(Now, new Dictionary<string, object?> { ["role"] = new[] { "casesystem-clerk", "casesystem-supervisor" } }));
        // takatsuki has no mapping: our role names as they are.
        var takatsuki = _takatsuki.Mint(Now, new Dictionary<string, object?> { ["role"] = "clerk", ["municipality"] = "takatsuki" });
        Assert.Equal("clerk", (await Ok("/api/takatsuki/probe", takatsuki)).GetProperty("role").GetString());
    }

    [Fact]
    public async Task A_token_that_fails_a_check_is_401()
    {
        await Refused(_saku.Mint(Now, audience: "another-app"));
        await Refused(_saku.Mint(Now, issuer: "https://idp.example.org/not-configured"));
        await Refused(_saku.Mint(Now, lifetime: TimeSpan.FromMinutes(-2)));
        await Refused(_saku.Mint(Now.AddMinutes(5)));
        // Signed by a key the provider never published (a kid of its own, then the published one's kid).
        await Refused(_saku.Mint(Now, signing: TestIssuer.NewRsa("rsa-forged")));
        await Refused(_saku.Mint(Now, signing: TestIssuer.NewRsa("rsa-1")));
        // Signed by the other provider's key, naming saku's issuer.
        await Refused(_saku.Mint(Now, signing: _takatsuki.Signing));
        await Refused(_saku.MintUnsigned(Now));
        await Refused(_saku.MintWithPublicKeyAsSecret(Now));
        await Refused("not.a.jwt");
        Assert.Contains(_logs.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("SecurityTokenInvalidAudienceException"));
    }

    [Fact]
    public async Task An_algorithm_outside_the_providers_allow_list_is_401_even_with_its_published_key()
    {
        // Keys published before the server first reads them, so they are held. saku allows the
        // default RS256 and ES256; takatsuki is configured to allow RS384 too.
        var saku384 = _saku.Publish(TestIssuer.NewRsa("rsa-384", "RS384"));
        var takatsuki384 = _takatsuki.Publish(TestIssuer.NewRsa("rsa-384", "RS384"));
        await Refused(_saku.Mint(Now, signing: saku384));
        await Ok("/api/takatsuki/probe", _takatsuki.Mint(Now, new Dictionary<string, object?> { ["role"] = "clerk", ["municipality"] = "takatsuki" }, signing: takatsuki384));
    }

    [Fact]
    public async Task An_ES256_key_of_the_provider_is_accepted()
    {
        var ec = _saku.Publish(TestIssuer.NewEc("ec-1"));
        await Ok("/api/saku/probe", _saku.Mint(Now, signing: ec));
    }

    [Fact]
    public async Task A_token_the_mapping_cannot_place_is_401_and_logged_as_a_warning()
    {
        await Refused(_saku.Mint(Now, new Dictionary<string, object?> { ["role"] = "casesystem-cleaner" }));
        await Refused(_saku.Mint(Now, new Dictionary<string, object?> { ["role"] = null }));
        await Refused(_saku.Mint(Now, new Dictionary<string, object?> { ["office"] = null }));
        await Refused(_saku.Mint(Now, new Dictionary<string, object?> { ["office"] = " " }));
        await Refused(_saku.Mint(Now, new Dictionary<string, object?> { ["sub"] = null }));
        Assert.Contains(_logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("no value maps to a role"));
    }

    [Fact]
    public async Task A_provider_names_only_its_own_municipality()
    {
        // saku's provider naming takatsuki: refused outright, wherever it is sent.
        var overreach = _saku.Mint(Now, new Dictionary<string, object?> { ["municipality"] = "takatsuki" });
        await Refused(overreach, "/api/takatsuki/probe");
        await Refused(overreach);
        // A provider of one municipality need not name it.
        var unnamed = _saku.Mint(Now, new Dictionary<string, object?> { ["municipality"] = null });
        Assert.Equal("saku", (await Ok("/api/saku/probe", unnamed)).GetProperty("municipality").GetString());
        // A valid saku token on takatsuki's routes: 403 as for our own tokens.
        await Problem(await Get("/api/takatsuki/probe", _saku.Mint(Now)), HttpStatusCode.Forbidden, "urn:casesystem:problem:other-municipality");
        // A valid token of a role the route does not allow.
        var supervisor = _saku.Mint(Now, new Dictionary<string, object?> { ["role"] = "casesystem-supervisor" });
        await Problem(await Get("/api/saku/probe", supervisor), HttpStatusCode.Forbidden, "urn:casesystem:problem:role-not-allowed");
    }

    [Fact]
    public async Task A_key_the_provider_rotates_to_is_accepted_after_the_metadata_is_fetched_again()
    {
        await Ok("/api/saku/probe", _saku.Mint(Now));
        var fetched = _saku.MetadataRequests;

        _saku.Rotate("rsa-2");
        var rotated = _saku.Mint(Now);
        // The unknown kid makes the server ask for the metadata again (at most every 5 minutes);
        // the request that noticed may still be refused while that runs.
        await Eventually(async () => (await Get("/api/saku/probe", rotated)).StatusCode == HttpStatusCode.OK, "a token of the rotated key accepted");
        Assert.True(_saku.MetadataRequests > fetched);
    }

    [Fact]
    public async Task A_provider_that_cannot_be_reached_is_503_with_retry_after_then_accepted_when_it_is_back()
    {
        _saku.Available = false;
        var token = _saku.Mint(Now);

        var response = await Get("/api/saku/probe", token);
        var problem = await Problem(response, HttpStatusCode.ServiceUnavailable, "urn:casesystem:problem:identity-provider-unavailable");
        Assert.Contains("認証サーバー", problem.GetProperty("title").GetString());
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        // RequireAuthorization answers the same.
        await Problem(await Get("/authorized", token), HttpStatusCode.ServiceUnavailable, "urn:casesystem:problem:identity-provider-unavailable");
        Assert.Contains(_logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("cannot be fetched"));

        // Within Retry-After the provider is not asked again; after it, it is.
        _saku.Available = true;
        var asked = _saku.MetadataRequests;
        await Problem(await Get("/api/saku/probe", token), HttpStatusCode.ServiceUnavailable, "urn:casesystem:problem:identity-provider-unavailable");
        Assert.Equal(asked, _saku.MetadataRequests);
        _time.Advance(TimeSpan.FromSeconds(5));
        await Ok("/api/saku/probe", token);

        // Once its keys are held, a provider going down does not stop the counter.
        _saku.Available = false;
        await Ok("/api/saku/probe", _saku.Mint(Now));
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"not within 30 s: {what}");
            await Task.Delay(50);
        }
    }
}
