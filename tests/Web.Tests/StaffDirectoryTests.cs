using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Auth.Members;
using CaseSystem.Cases.Tests.Support;
using CaseSystem.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace CaseSystem.Web.Tests;

/// <summary>
/// The embedded staff directory (issue 14) over HTTP: an admin adds and manages members, members sign
/// in with their password into a server-side session of one shift, and every way a session or a
/// token should stop working stops it at once.
/// </summary>
public sealed class StaffDirectoryTests : IAsyncLifetime
{
    private readonly WebServer _web = new();

    public Task InitializeAsync() => _web.InitializeAsync();

    public Task DisposeAsync() => _web.DisposeAsync();

    private HttpClient Client() => new(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = _web.BaseAddress };

    private async Task<JsonElement> AdminAsync(HttpMethod method, string path, object? body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _web.Token(StaffRole.Admin, "admin-1"));
        if (body is not null) request.Content = JsonContent.Create(body);
        var response = await _web.Server.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<string> AddAsync(string staffId, string role = "clerk", string office = "shimin-ka") =>
        (await AdminAsync(HttpMethod.Post, "/api/saku/staff", new { staffId, name = "佐藤 一郎", role, office }, HttpStatusCode.Created))
        .GetProperty("temporaryPassword").GetString()!;

    /// <summary>The form the sign-in page posts; the session cookie, or null when refused (sent back to the sign-in).</summary>
    private async Task<string?> SignInAsync(HttpClient http, string staffId, string password, string municipality = "saku")
    {
        var response = await http.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["municipality"] = municipality, ["staffId"] = staffId, ["password"] = password, ["next"] = "/desk",
        }));
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        if (response.Headers.Location!.ToString().StartsWith("/signin", StringComparison.Ordinal)) return null;
        Assert.Equal("/desk", response.Headers.Location.ToString());
        return response.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
    }

    private static async Task<HttpStatusCode> SessionAsync(HttpClient http, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/session");
        request.Headers.Add("Cookie", cookie);
        return (await http.SendAsync(request)).StatusCode;
    }

    [Fact]
    public async Task A_member_an_admin_adds_signs_in_with_the_temporary_password_into_a_session_of_one_shift()
    {
        using var http = Client();
        var password = await AddAsync("sato-1");
        // Shown once, kept as an Argon2id hash only.
        var listed = (await AdminAsync(HttpMethod.Get, "/api/saku/staff")).EnumerateArray().Single(m => m.GetProperty("staffId").GetString() == "sato-1");
        Assert.Equal("Clerk", listed.GetProperty("role").GetString());
        Assert.DoesNotContain(password, listed.ToString());
        Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", await _web.Database.ScalarAsync<string>("select password_hash from staff.members where staff_id = 'sato-1'"));

        var cookie = await SignInAsync(http, "sato-1", password);
        Assert.NotNull(cookie);
        Assert.DoesNotContain(password, cookie);
        Assert.Equal(HttpStatusCode.OK, await SessionAsync(http, cookie));
        // Not another municipality's member, not a wrong password.
        Assert.Null(await SignInAsync(http, "sato-1", password, municipality: "takatsuki"));
        Assert.Null(await SignInAsync(http, "sato-1", password + "x"));

        // One shift: 12 hours after the sign-in the session is over.
        await _web.Server.AdvanceClockAsync(_web.Server.Clock.Now.AddHours(12).AddMinutes(1));
        Assert.Equal(HttpStatusCode.Unauthorized, await SessionAsync(http, cookie));
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_member_for_15_minutes_even_against_the_right_one()
    {
        using var http = Client();
        var password = await AddAsync("sato-2");
        for (var i = 0; i < StaffDirectory.MaxFailures; i++) Assert.Null(await SignInAsync(http, "sato-2", "wrong-password-" + i));
        Assert.Null(await SignInAsync(http, "sato-2", password));
        var member = (await AdminAsync(HttpMethod.Get, "/api/saku/staff")).EnumerateArray().Single(m => m.GetProperty("staffId").GetString() == "sato-2");
        Assert.NotEqual(JsonValueKind.Null, member.GetProperty("lockedUntil").ValueKind);

        await _web.Server.AdvanceClockAsync(_web.Server.Clock.Now + StaffDirectory.LockFor + TimeSpan.FromSeconds(1));
        Assert.NotNull(await SignInAsync(http, "sato-2", password));
    }

    [Fact]
    public async Task Disabling_a_member_changing_their_role_or_resetting_their_password_ends_their_sessions_at_once()
    {
        using var http = Client();
        var password = await AddAsync("sato-3");
        var first = (await SignInAsync(http, "sato-3", password))!;
        await AdminAsync(HttpMethod.Patch, "/api/saku/staff/sato-3", new { role = "supervisor" });
        Assert.Equal(HttpStatusCode.Unauthorized, await SessionAsync(http, first));

        var second = (await SignInAsync(http, "sato-3", password))!;
        await AdminAsync(HttpMethod.Patch, "/api/saku/staff/sato-3", new { disabled = true });
        Assert.Equal(HttpStatusCode.Unauthorized, await SessionAsync(http, second));
        Assert.Null(await SignInAsync(http, "sato-3", password));

        await AdminAsync(HttpMethod.Patch, "/api/saku/staff/sato-3", new { disabled = false });
        var third = (await SignInAsync(http, "sato-3", password))!;
        var reset = (await AdminAsync(HttpMethod.Post, "/api/saku/staff/sato-3/password-reset", new { })).GetProperty("temporaryPassword").GetString()!;
        Assert.Equal(HttpStatusCode.Unauthorized, await SessionAsync(http, third));
        Assert.Null(await SignInAsync(http, "sato-3", password));
        Assert.NotNull(await SignInAsync(http, "sato-3", reset));

        // Who changed what, kept beside the directory.
        Assert.Equal(5L, await _web.Database.ScalarAsync<long>("select count(*) from staff.changes where staff_id = 'sato-3' and by_staff = 'admin-1'"));
    }

    [Fact]
    public async Task A_member_changes_their_own_password_and_the_old_one_stops_working()
    {
        using var http = Client();
        var password = await AddAsync("sato-4");
        var cookie = (await SignInAsync(http, "sato-4", password))!;
        using var session = new HttpRequestMessage(HttpMethod.Get, "/session");
        session.Headers.Add("Cookie", cookie);
        var csrf = JsonDocument.Parse(await (await http.SendAsync(session)).Content.ReadAsStringAsync()).RootElement.GetProperty("csrf").GetString()!;
        async Task<HttpStatusCode> ChangeAsync(string current, string next)
        {
            using var change = new HttpRequestMessage(HttpMethod.Post, "/api/saku/staff/me/password") { Content = JsonContent.Create(new { current, next }) };
            change.Headers.Add("Cookie", cookie);
            change.Headers.Add(StaffSession.CsrfHeader, csrf);
            return (await http.SendAsync(change)).StatusCode;
        }
        Assert.Equal(HttpStatusCode.BadRequest, await ChangeAsync(password, "short"));
        Assert.Equal(HttpStatusCode.Forbidden, await ChangeAsync("not-the-password", "a-new-long-password"));
        Assert.Equal(HttpStatusCode.NoContent, await ChangeAsync(password, "a-new-long-password"));
        Assert.Null(await SignInAsync(http, "sato-4", password));
        Assert.NotNull(await SignInAsync(http, "sato-4", "a-new-long-password"));
    }

    [Fact]
    public async Task A_revoked_token_and_the_token_of_a_disabled_member_are_refused_at_once()
    {
        // Valid at the test's clock and at the real time of the operator's command alike.
        var token = _web.Server.Services.GetRequiredService<StaffTokenSigner>().Issue(
            new StaffIdentity("sato-5", StaffRole.Clerk, "saku", "shimin-ka", DateTimeOffset.UtcNow.AddDays(1)));
        async Task<HttpStatusCode> ReadAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/saku/cases?name=佐藤");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return (await _web.Server.Http.SendAsync(request)).StatusCode;
        }
        Assert.Equal(HttpStatusCode.OK, await ReadAsync());
        await AddAsync("sato-5");
        await AdminAsync(HttpMethod.Patch, "/api/saku/staff/sato-5", new { disabled = true });
        Assert.Equal(HttpStatusCode.Unauthorized, await ReadAsync());
        await AdminAsync(HttpMethod.Patch, "/api/saku/staff/sato-5", new { disabled = false });
        Assert.Equal(HttpStatusCode.OK, await ReadAsync());

        // ops/token revoke, as the operator runs it on the host (the server's key file), at the real time.
        var output = new StringWriter();
        Assert.Equal(0, await StaffCommand.RunAsync(["revoke-token", token, "--key-file", _web.Server.KeyFile], _web.Database.ConnectionString,
            output, TextWriter.Null));
        Assert.Contains("revoked: token", output.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, await ReadAsync());
        using var http = Client();
        var signIn = await http.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }));
        Assert.StartsWith("/signin?error=invalid", signIn.Headers.Location!.ToString());
    }

    [Theory]
    [InlineData("""{"staffId":"Sato","name":"佐藤","role":"clerk","office":"shimin-ka"}""", "staffId")]
    [InlineData("""{"staffId":"sato-6","name":"","role":"clerk","office":"shimin-ka"}""", "name")]
    [InlineData("""{"staffId":"sato-6","name":"佐藤","role":"station","office":"shimin-ka"}""", "role")]
    [InlineData("""{"staffId":"sato-6","name":"佐藤","role":"clerk","office":"nowhere"}""", "office")]
    public async Task A_member_the_directory_cannot_hold_is_a_400_naming_the_field(string json, string field)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/saku/staff") { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _web.Token(StaffRole.Admin, "admin-1"));
        var response = await _web.Server.Http.SendAsync(request);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal([field], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
        Assert.Equal(0L, await _web.Database.ScalarAsync<long>("select count(*) from staff.members"));
    }

    [Fact]
    public async Task Only_the_municipalitys_admin_manages_its_directory_and_not_their_own_standing()
    {
        await AddAsync("sato-7");
        await AdminAsync(HttpMethod.Post, "/api/saku/staff", new { staffId = "sato-7", name = "佐藤", role = "clerk", office = "shimin-ka" }, HttpStatusCode.Conflict);
        await AdminAsync(HttpMethod.Patch, "/api/saku/staff/nobody", new { disabled = true }, HttpStatusCode.NotFound);
        await AdminAsync(HttpMethod.Patch, "/api/saku/staff/admin-1", new { disabled = true }, HttpStatusCode.Conflict);
        foreach (var (role, municipality) in new[] { (StaffRole.Supervisor, "saku"), (StaffRole.Clerk, "saku"), (StaffRole.Admin, "takatsuki") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/saku/staff");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _web.Server.Token(role, municipality, "x-1"));
            Assert.Equal(HttpStatusCode.Forbidden, (await _web.Server.Http.SendAsync(request)).StatusCode);
        }
    }

    [Fact]
    public async Task Sign_ins_beyond_the_minutes_limit_from_one_address_are_429_with_retry_after()
    {
        using var http = Client();
        HttpResponseMessage response;
        var attempts = 0;
        do
        {
            response = await http.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = "cs1.nope.nope" }));
            attempts++;
        }
        while (response.StatusCode == HttpStatusCode.Found && attempts <= Server.Pages.SignInLimiter.PerMinute);
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(Server.Pages.SignInLimiter.PerMinute + 1, attempts);
        Assert.Equal(TimeSpan.FromSeconds(60), response.Headers.RetryAfter?.Delta);
        Assert.Equal("urn:casesystem:problem:too-many-sign-ins", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("type").GetString());
    }
}
