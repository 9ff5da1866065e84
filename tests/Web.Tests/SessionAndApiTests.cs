using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CaseSystem.Cases;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Tests.Support;
using CaseSystem.Web.Tests.Support;

namespace CaseSystem.Web.Tests;

/// <summary>The pages' session over plain HTTP (cookie, anti-forgery header, sign-in's origin check, role gates) and the APIs the pages added.</summary>
public sealed class SessionAndApiTests : IAsyncLifetime
{
    private readonly WebServer _web = new();

    public Task InitializeAsync() => _web.InitializeAsync();

    public Task DisposeAsync() => _web.DisposeAsync();

    private HttpClient Client() => new(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = _web.BaseAddress };

    private async Task<(string Cookie, string Csrf)> SignInAsync(HttpClient http, StaffRole role, string staffId = "clerk-1")
    {
        var response = await http.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = _web.Token(role, staffId) }));
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        var setCookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("expires", setCookie, StringComparison.OrdinalIgnoreCase);
        var cookie = setCookie.Split(';')[0];
        using var request = new HttpRequestMessage(HttpMethod.Get, "/session");
        request.Headers.Add("Cookie", cookie);
        var session = JsonDocument.Parse(await (await http.SendAsync(request)).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(role.Name(), session.GetProperty("role").GetString());
        return (cookie, session.GetProperty("csrf").GetString()!);
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string cookie, object? body = null, string? csrf = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Cookie", cookie);
        if (csrf is not null) request.Headers.Add(StaffSession.CsrfHeader, csrf);
        if (body is not null) request.Content = JsonContent.Create(body, options: TestServer.Json);
        return request;
    }

    private static object NewCase => new
    {
        holder = new { nameKanji = "小林 七子", nameKana = "コバヤシ ナナコ", birthDate = "1990-01-01", registeredAddress = "長野県佐久市" },
        expiry = new { userAuthenticationExpiry = "2026-06-15", signingExpiry = "2026-06-15" },
        office = "shimin-ka",
    };

    [Fact]
    public async Task A_cookie_session_reads_freely_but_changes_state_only_with_the_pages_anti_forgery_header()
    {
        using var http = Client();
        var (cookie, csrf) = await SignInAsync(http, StaffRole.Clerk);

        var forged = await http.SendAsync(Request(HttpMethod.Post, "/api/saku/cases", cookie, NewCase));
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        var problem = JsonDocument.Parse(await forged.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("urn:casesystem:problem:csrf-token", problem.GetProperty("type").GetString());

        var wrong = await http.SendAsync(Request(HttpMethod.Post, "/api/saku/cases", cookie, NewCase, csrf: csrf[..^2] + "xx"));
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);

        var created = await http.SendAsync(Request(HttpMethod.Post, "/api/saku/cases", cookie, NewCase, csrf));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var read = await http.SendAsync(Request(HttpMethod.Get, created.Headers.Location!.ToString(), cookie));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        // Another session's token is not this one's.
        var (_, otherCsrf) = await SignInAsync(http, StaffRole.Clerk, "clerk-2");
        Assert.NotEqual(csrf, otherCsrf);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(Request(HttpMethod.Post, "/api/saku/cases", cookie, NewCase, otherCsrf))).StatusCode);

        // The bearer header works as before, with no anti-forgery header.
        using var bearer = new HttpRequestMessage(HttpMethod.Post, "/api/saku/cases") { Content = JsonContent.Create(NewCase, options: TestServer.Json) };
        bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _web.Token(StaffRole.Clerk, "clerk-1"));
        Assert.Equal(HttpStatusCode.Created, (await http.SendAsync(bearer)).StatusCode);

        // Sign-out without the page's header is refused while the session lives (no one signs a clerk out behind their back).
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(Request(HttpMethod.Post, "/signout", cookie))).StatusCode);
        // Signed out: the cookie is deleted and the session ends on the server, so a copy of the cookie reads nothing
        // (issue 14); the token signed in with stays valid for its terminal until it expires or is revoked.
        var signOut = await http.SendAsync(Request(HttpMethod.Post, "/signout", cookie, csrf: csrf));
        Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        Assert.Contains(signOut.Headers.GetValues("Set-Cookie"), c => c.StartsWith(StaffSession.Cookie + "=;", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(Request(HttpMethod.Get, created.Headers.Location!.ToString(), cookie))).StatusCode);
    }

    [Fact]
    public async Task Sign_in_refuses_other_sites_and_bad_tokens_and_pages_send_strangers_to_sign_in_and_other_roles_to_a_japanese_403()
    {
        using var http = Client();
        using (var foreign = new HttpRequestMessage(HttpMethod.Post, "/signin")
               { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = _web.Token(StaffRole.Clerk, "clerk-1") }) })
        {
            foreign.Headers.Add("Origin", "https://evil.example");
            var refused = await http.SendAsync(foreign);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.False(refused.Headers.Contains("Set-Cookie"));
        }
        var bad = await http.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = "cs1.nope.nope", ["next"] = "/desk" }));
        Assert.Equal("/signin?error=invalid&next=%2Fdesk", bad.Headers.Location!.ToString());
        // Issue 14: no way off the site after the sign-in, however the address is written (a browser drops a
        // tab or a line break in a URL and reads a backslash as a slash); a path of the site is kept.
        foreach (var offsiteNext in new[] { "//evil.example/", "/\t/evil.example", "/\n/evil.example", "/\\evil.example", "\\/evil.example",
                     " //evil.example", "https://evil.example/", "/\u0000/evil.example", "evil.example" })
        {
            var offsite = await http.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = _web.Token(StaffRole.Analyst, "a-1"), ["next"] = offsiteNext }));
            // A NUL is no form value at all: the sign-in again.
            var expected = offsiteNext.Contains('\0') ? "/signin?error=invalid" : "/dashboard";
            Assert.True(expected == offsite.Headers.Location?.ToString(), $"next={offsiteNext.Replace("\0", "\\0").Replace("\n", "\\n").Replace("\t", "\\t")}: {(int)offsite.StatusCode} {offsite.Headers.Location}");
        }
        var kept = await http.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = _web.Token(StaffRole.Analyst, "a-1"), ["next"] = "/dashboard?weeks=8" }));
        Assert.Equal("/dashboard?weeks=8", kept.Headers.Location!.ToString());

        var stranger = await http.GetAsync("/audit?day=2026-03-16");
        Assert.Equal(HttpStatusCode.Found, stranger.StatusCode);
        Assert.Equal("/signin?next=%2Faudit%3Fday%3D2026-03-16", stranger.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/session")).StatusCode);

        var (cookie, _) = await SignInAsync(http, StaffRole.Analyst, "analyst-1");
        var forbidden = await http.SendAsync(Request(HttpMethod.Get, "/projections", cookie));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        var html = await forbidden.Content.ReadAsStringAsync();
        Assert.Contains("このページは表示できません", html);
        Assert.Contains("分析担当(analyst)", html);
        Assert.Contains("システム管理者", html);
        Assert.Contains("default-src 'self'", forbidden.Headers.GetValues("Content-Security-Policy").Single());
        var home = await http.SendAsync(Request(HttpMethod.Get, "/", cookie));
        Assert.Equal("/dashboard", home.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Request(HttpMethod.Get, "/dashboard", cookie))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/assets/app.js")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/assets/nothing.js")).StatusCode);
    }

    [Fact]
    public async Task The_supervisors_search_finds_events_across_cases_by_staff_office_day_and_kind()
    {
        var first = await _web.OpenCaseAsync("加藤 一", "カトウ ハジメ");
        var second = await _web.OpenCaseAsync("加藤 二", "カトウ ニ", office: "usuda");
        await _web.OkAsync($"/api/saku/cases/{first}/arrivals", new { office = "shimin-ka", ticketNumber = "A-1" });
        using var other = new HttpRequestMessage(HttpMethod.Post, $"/api/saku/cases/{second}/arrivals")
        { Content = JsonContent.Create(new { office = "usuda", ticketNumber = "B-1" }, options: TestServer.Json) };
        other.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _web.Token(StaffRole.Clerk, "clerk-9", office: "usuda"));
        Assert.True((await _web.Server.Http.SendAsync(other)).IsSuccessStatusCode);

        var today = JapanTime.DateOf(DateTimeOffset.UtcNow).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        _web.Server.Role = StaffRole.Supervisor;
        var all = await _web.GetJsonAsync($"/api/saku/audit/events?day={today}");
        // Each case: opened in its renewal window (held open by its dates, no event of its own), then an arrival.
        Assert.Equal(4, all.GetProperty("events").GetArrayLength());
        var byStaff = await _web.GetJsonAsync($"/api/saku/audit/events?day={today}&staff=clerk-9");
        var hit = Assert.Single(byStaff.GetProperty("events").EnumerateArray());
        Assert.Equal(second, hit.GetProperty("caseId").GetGuid());
        Assert.Equal("来庁(番号札発行)", hit.GetProperty("ja").GetString());
        Assert.Equal("usuda", hit.GetProperty("office").GetString());
        var byOfficeAndKind = await _web.GetJsonAsync($"/api/saku/audit/events?day={today}&office=shimin-ka&type=ArrivedAtOffice");
        Assert.Equal(first, Assert.Single(byOfficeAndKind.GetProperty("events").EnumerateArray()).GetProperty("caseId").GetGuid());
        Assert.Empty((await _web.GetJsonAsync("/api/saku/audit/events?day=2020-01-01")).GetProperty("events").EnumerateArray());
        // Another municipality's supervisor sees none of Saku's events.
        Assert.Equal(0, (await _web.GetJsonAsync($"/api/kawasaki/audit/events?day={today}")).GetProperty("events").GetArrayLength());
        Assert.Equal(2, (await _web.GetJsonAsync($"/api/saku/audit/events?day={today}&limit=2")).GetProperty("events").GetArrayLength());
        Assert.True((await _web.GetJsonAsync($"/api/saku/audit/events?day={today}&limit=2")).GetProperty("more").GetBoolean());
        var kinds = (await _web.GetJsonAsync("/api/saku/audit/event-kinds")).EnumerateArray().ToDictionary(k => k.GetProperty("type").GetString()!, k => k.GetProperty("ja").GetString());
        Assert.Contains("VisitStarted", kinds.Keys);
        // Searchable still, as its timer records it for a case opened before its window.
        Assert.Equal("更新受付期間の開始", kinds["RenewalWindowOpened"]);

        Assert.Equal(HttpStatusCode.BadRequest, (await _web.Server.Http.GetAsync("/api/saku/audit/events?from=2026-01-01&to=2026-03-01")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _web.Server.Http.GetAsync($"/api/saku/audit/events?day={today}&type=Nope")).StatusCode);
        _web.Server.Role = StaffRole.Clerk;
        Assert.Equal(HttpStatusCode.Forbidden, (await _web.Server.Http.GetAsync($"/api/saku/audit/events?day={today}")).StatusCode);
        _web.Server.Role = StaffRole.Supervisor;
        Assert.Equal(HttpStatusCode.Forbidden, (await _web.Server.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/kawasaki/audit/events?day={today}")
        { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", _web.Token(StaffRole.Supervisor, "s-1")) } })).StatusCode);
        _web.Server.Role = StaffRole.Clerk;
    }

    [Fact]
    public async Task The_admin_resumes_projections_over_http_the_operator_rebuilds_them_on_the_host_and_no_one_else_may()
    {
        await _web.CaughtUpAsync();
        _web.Server.Role = StaffRole.Admin;
        // The daemon's agents (re)start on their own schedule: wait for the case views' (the finder, the report, the worklists) to say running.
        JsonElement finder = default;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        do
        {
            var status = await _web.Server.Http.GetAsync("/api/saku/ops/projections");
            var statusText = await status.Content.ReadAsStringAsync();
            Assert.True(status.IsSuccessStatusCode, statusText);
            finder = JsonDocument.Parse(statusText).RootElement.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "case-views");
            if (finder.GetProperty("state").GetString() == "running") break;
            await Task.Delay(100);
        }
        while (waited.Elapsed < TimeSpan.FromSeconds(30));
        Assert.Equal("running", finder.GetProperty("state").GetString());
        Assert.Equal(0, finder.GetProperty("lagEvents").GetInt64());
        var notPaused = await _web.Server.PostAsync("/api/saku/ops/projections/queue-board/resume", new { });
        Assert.Equal(HttpStatusCode.Conflict, notPaused.StatusCode);
        Assert.Equal("urn:casesystem:problem:projection-not-paused", JsonDocument.Parse(await notPaused.Content.ReadAsStringAsync()).RootElement.GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await _web.Server.PostAsync("/api/saku/ops/projections/nope/rebuild", new { })).StatusCode);
        // A member's own name stands for its group.
        var noLetters = await _web.Server.PostAsync("/api/saku/ops/projections/case-finder/replay", new { });
        Assert.Equal(HttpStatusCode.Conflict, noLetters.StatusCode);

        // A rebuild remakes every municipality's rows: not a municipality's admin's to start (issue 14).
        var refused = await _web.Server.PostAsync("/api/saku/ops/projections/renewal-report/rebuild", new { });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("urn:casesystem:problem:projection-system-wide", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("type").GetString());
        // The system's operator asks from the host (ops/projections); the owner (this test's server) rebuilds it,
        // then runs it on: a case opened afterwards reaches it too.
        var output = new StringWriter();
        Assert.Equal(0, await CaseSystem.Projections.Daemon.ProjectionsCommand.RunAsync(["rebuild", "renewal-report"],
            _web.Database.ConnectionString, output, TextWriter.Null));
        Assert.Contains($":{Environment.ProcessId} ", output.ToString());
        await _web.CaughtUpAsync();
        _web.Server.Role = StaffRole.Clerk;
        await _web.OpenCaseAsync("再構築 後子", "サイコウチク アトコ");
        await _web.CaughtUpAsync();
        _web.Server.Role = StaffRole.Admin;
        foreach (var role in new[] { StaffRole.Clerk, StaffRole.Supervisor, StaffRole.Analyst, StaffRole.Station })
        {
            _web.Server.Role = role;
            Assert.Equal(HttpStatusCode.Forbidden, (await _web.Server.PostAsync("/api/saku/ops/projections/queue-board/rebuild", new { })).StatusCode);
        }
        _web.Server.Role = StaffRole.Clerk;
    }
}
