using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CaseSystem.Cases.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CaseSystem.Cases.Tests.Auth;

/// <summary>A minimal app of our own with staff authentication, on a real Kestrel port; a key file of its own.</summary>
public sealed class StaffAuthenticationHttpTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(Tokens.Noon);
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private StaffTokenSigner _signer = null!;
    private int _probeCalls;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["CASES_TOKEN_KEY_FILE"] = _folder.File("keys", "token.key");
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton<TimeProvider>(_time);
        builder.Services.AddProblemDetails();
        builder.Services.AddStaffAuthentication(builder.Configuration);
        _app = builder.Build();

        var clerks = _app.MapGroup("/api/{municipality}").RequireStaff(StaffRole.Clerk);
        clerks.MapGet("/probe", (string municipality, HttpContext http) =>
        {
            Interlocked.Increment(ref _probeCalls);
            var who = http.Staff();
            return Results.Ok(new { municipality, staff = who.StaffId, role = who.Role.Name(), office = who.Office, name = http.User.Identity?.Name });
        });
        var anyone = _app.MapGroup("/api/{municipality}/any").RequireStaff();
        anyone.MapGet("/probe", (HttpContext http) => Results.Ok(new { staff = http.Staff().StaffId }));
        _app.MapGet("/authorized", (HttpContext http) => Results.Ok(new { staff = http.Staff().StaffId })).RequireAuthorization();
        _app.MapGet("/open", (HttpContext http) => Results.Ok(new { authenticated = http.User.FindStaff() is not null }));

        await _app.StartAsync();
        _signer = _app.Services.GetRequiredService<StaffTokenSigner>();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _http = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _folder.Dispose();
    }

    private string TokenFor(StaffRole role = StaffRole.Clerk, string municipality = "saku", string staff = "clerk-1") =>
        _signer.Issue(new StaffIdentity(staff, role, municipality, "shimin-ka", Tokens.Noon.AddHours(12)));

    private Task<HttpResponseMessage> Get(string path, string? token = null, string scheme = "Bearer")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue(scheme, token);
        }
        return _http.SendAsync(request);
    }

    private static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(type, problem.GetProperty("type").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Matches("^[^A-Za-z]+。/ [A-Z][ -~]+$", problem.GetProperty("title").GetString());
        return problem;
    }

    [Fact]
    public async Task No_token_is_401_unauthenticated_with_a_bearer_challenge()
    {
        var response = await Get("/api/saku/probe");

        var problem = await Problem(response, HttpStatusCode.Unauthorized, "urn:casesystem:problem:unauthenticated");
        Assert.Contains("職員の認証が必要です", problem.GetProperty("title").GetString());
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.Equal(0, _probeCalls);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("cs1.eyJzdGFmZiI6ImMxIn0.AAAA")]
    public async Task A_garbage_token_is_401(string token)
    {
        var response = await Get("/api/saku/probe", token);

        await Problem(response, HttpStatusCode.Unauthorized, "urn:casesystem:problem:unauthenticated");
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal(("Bearer", "error=\"invalid_token\""), (challenge.Scheme, challenge.Parameter));
        Assert.Equal(0, _probeCalls);
    }

    [Fact]
    public async Task Another_authorization_scheme_is_401()
    {
        await Problem(await Get("/api/saku/probe", TokenFor(), scheme: "Basic"), HttpStatusCode.Unauthorized, "urn:casesystem:problem:unauthenticated");
    }

    [Fact]
    public async Task A_valid_token_reaches_the_endpoint_which_sees_the_staff_member()
    {
        var response = await Get("/api/saku/probe", TokenFor(staff: "clerk-7"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("clerk-7", body.GetProperty("staff").GetString());
        Assert.Equal("clerk-7", body.GetProperty("name").GetString());
        Assert.Equal("clerk", body.GetProperty("role").GetString());
        Assert.Equal("shimin-ka", body.GetProperty("office").GetString());
        Assert.Equal("saku", body.GetProperty("municipality").GetString());
        Assert.Equal(1, _probeCalls);
    }

    [Fact]
    public async Task A_token_expires_by_the_injected_clock()
    {
        var token = TokenFor();
        Assert.Equal(HttpStatusCode.OK, (await Get("/api/saku/probe", token)).StatusCode);

        _time.Advance(TimeSpan.FromHours(12));

        await Problem(await Get("/api/saku/probe", token), HttpStatusCode.Unauthorized, "urn:casesystem:problem:unauthenticated");
    }

    [Fact]
    public async Task A_token_of_another_municipality_is_403_and_reveals_nothing()
    {
        var response = await Get("/api/kawasaki/probe", TokenFor(municipality: "saku"));

        var problem = await Problem(response, HttpStatusCode.Forbidden, "urn:casesystem:problem:other-municipality");
        Assert.False(problem.TryGetProperty("detail", out _));
        Assert.Equal(0, _probeCalls);
    }

    [Fact]
    public async Task A_role_not_named_is_403_role_not_allowed()
    {
        var response = await Get("/api/saku/probe", TokenFor(role: StaffRole.Analyst));

        var problem = await Problem(response, HttpStatusCode.Forbidden, "urn:casesystem:problem:role-not-allowed");
        Assert.Contains("clerk", problem.GetProperty("detail").GetString());
        Assert.Equal(0, _probeCalls);
    }

    [Fact]
    public async Task The_municipality_is_checked_before_the_role()
    {
        var response = await Get("/api/kawasaki/probe", TokenFor(role: StaffRole.Analyst, municipality: "saku"));

        await Problem(response, HttpStatusCode.Forbidden, "urn:casesystem:problem:other-municipality");
    }

    [Fact]
    public async Task Without_roles_named_any_staff_member_of_the_municipality_may()
    {
        Assert.Equal(HttpStatusCode.OK, (await Get("/api/saku/any/probe", TokenFor(role: StaffRole.Analyst))).StatusCode);
        await Problem(await Get("/api/kawasaki/any/probe", TokenFor(role: StaffRole.Admin)), HttpStatusCode.Forbidden,
            "urn:casesystem:problem:other-municipality");
    }

    [Fact]
    public async Task RequireAuthorization_gives_the_same_401_problem()
    {
        var response = await Get("/authorized");
        await Problem(response, HttpStatusCode.Unauthorized, "urn:casesystem:problem:unauthenticated");
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);

        var ok = await Get("/authorized", TokenFor(staff: "sv-2", role: StaffRole.Supervisor));
        Assert.Equal("sv-2", (await ok.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("staff").GetString());
    }

    [Fact]
    public async Task Routes_without_RequireStaff_stay_open_and_a_bad_token_there_does_no_harm()
    {
        Assert.Equal(HttpStatusCode.OK, (await Get("/open")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Get("/open", "garbage")).StatusCode);
        var body = await (await Get("/open", TokenFor())).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("authenticated").GetBoolean());
    }

    [Fact]
    public void The_key_file_named_in_configuration_was_used()
    {
        var key = StaffTokenKey.LoadOrCreate(_folder.File("keys", "token.key"));
        Assert.NotNull(new StaffTokenSigner(key).Validate(TokenFor(), Tokens.Noon));
    }
}
