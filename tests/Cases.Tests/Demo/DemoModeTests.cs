using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Demo;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Tests.Support;
using CaseSystem.Cases.Timers;
using Microsoft.Extensions.Configuration;

namespace CaseSystem.Cases.Tests.Demo;

/// <summary>
/// Issue 13's demo (ops/run --demo): sample cases of all five municipalities and a clock the demo
/// may move forward, shown to the pages; a normal start refuses a shifted clock.
/// </summary>
public sealed class DemoModeTests : IAsyncLifetime
{
    private readonly TestDatabase _db = new();

    public Task InitializeAsync() => _db.InitializeAsync();

    public Task DisposeAsync() => _db.DisposeAsync();

    private static IConfiguration Config(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void A_normal_start_refuses_a_shifted_clock_and_the_demo_takes_it()
    {
        var error = Assert.Throws<InvalidOperationException>(() => DemoMode.Clock(Config((ShiftedClock.Setting, "3600")), DateTimeOffset.UtcNow));
        Assert.Contains(DemoMode.Setting, error.Message);
        Assert.Null(DemoMode.Clock(Config(), DateTimeOffset.UtcNow));
        Assert.Equal(TimeSpan.FromHours(1), DemoMode.Clock(Config((ShiftedClock.Setting, "3600"), (DemoMode.Setting, "1")), DateTimeOffset.UtcNow)!.Offset);
    }

    [Theory]
    // Wednesday 2026-12-02 03:00 Japan time → 10:00 the same day; 18:00 → 10:00 Thursday; Saturday → Monday.
    [InlineData("2026-12-02T03:00:00+09:00", "2026-12-02T10:00:00+09:00")]
    [InlineData("2026-12-02T18:00:00+09:00", "2026-12-03T10:00:00+09:00")]
    [InlineData("2026-12-05T11:00:00+09:00", "2026-12-07T10:00:00+09:00")]
    [InlineData("2026-12-02T11:00:00+09:00", "2026-12-02T11:00:00+09:00")]
    public void Outside_reception_hours_the_demo_starts_at_ten_on_the_next_weekday(string real, string demo)
    {
        var now = DateTimeOffset.Parse(real, System.Globalization.CultureInfo.InvariantCulture);
        var clock = DemoMode.Clock(Config((DemoMode.Setting, "1")), now)!;
        Assert.Equal(DateTimeOffset.Parse(demo, System.Globalization.CultureInfo.InvariantCulture), now + clock.Offset);
    }

    [Fact]
    public void The_demo_clock_moves_forward_only()
    {
        var clock = new ShiftedClock(TimeSpan.Zero);
        var later = clock.GetUtcNow().AddDays(3);
        clock.MoveForwardTo(later);
        Assert.InRange(clock.GetUtcNow() - later, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.MoveForwardTo(later.AddDays(-1)));
    }

    [Fact]
    public async Task A_demo_server_seeds_every_municipality_and_its_pages_see_and_move_the_clock()
    {
        // An explicit offset, so that the tokens this test mints are valid at the server's time.
        var offset = TimeSpan.FromDays(10);
        await using var servers = new ServerProcesses(_db.ConnectionString, offset);
        var server = await servers.StartAsync(new Dictionary<string, string> { [DemoMode.SeedSetting] = "1" });

        foreach (var municipality in new[] { "takatsuki", "saku", "fujiidera", "hirosaki", "kawasaki" })
        {
            var caseId = CaseIds.ForNotice(municipality, $"DEMO-{municipality.ToUpperInvariant()}-0001");
            await Eventually(async () => (await server.Http.GetAsync($"/api/{municipality}/cases/{caseId}")).StatusCode == HttpStatusCode.OK, $"{municipality}'s sample case");
        }

        // Signed in as the pages are: the session says the demo's time, and the demo moves it on.
        using var browser = await PageClient.SignInAsync(server.Url, ClerkToken(servers, offset));
        var now = (await browser.SessionAsync()).GetProperty("demo").GetProperty("now").GetDateTimeOffset();
        Assert.InRange(now - (DateTimeOffset.UtcNow + offset), TimeSpan.FromMinutes(-2), TimeSpan.FromMinutes(2));

        var later = now.AddDays(7);
        var moved = await browser.MoveClockAsync(later);
        Assert.True(moved.IsSuccessStatusCode, await moved.Content.ReadAsStringAsync());
        var after = (await browser.SessionAsync()).GetProperty("demo").GetProperty("now").GetDateTimeOffset();
        Assert.InRange(after - later, TimeSpan.Zero, TimeSpan.FromMinutes(2));

        Assert.Equal(HttpStatusCode.BadRequest, (await browser.MoveClockAsync(now)).StatusCode);
    }

    [Fact]
    public async Task A_lapse_the_demo_clock_is_moved_past_fires_at_once_not_when_the_real_clock_gets_there()
    {
        var offset = TimeSpan.FromDays(10);
        await using var servers = new ServerProcesses(_db.ConnectionString, offset);
        var server = await servers.StartAsync();
        var today = JapanTime.DateOf(DateTimeOffset.UtcNow + offset);

        // Both certificates expire today (the demo's today): the lapse is due at midnight, Japan time.
        var opened = await server.Http.PostAsJsonAsync("/api/saku/cases", new
        {
            holder = new { nameKanji = "試験 花子", nameKana = "シケン ハナコ", birthDate = "1980-06-15", registeredAddress = "長野県佐久市中込3056" },
            expiry = new { userAuthenticationExpiry = today.ToString("yyyy-MM-dd"), signingExpiry = today.ToString("yyyy-MM-dd") },
            office = "shimin-ka",
        });
        Assert.True(opened.IsSuccessStatusCode, await opened.Content.ReadAsStringAsync());
        var caseId = JsonDocument.Parse(await opened.Content.ReadAsStringAsync()).RootElement.GetProperty("caseId").GetGuid();
        // A token that outlasts the move (the processes' own lasts 8 hours of their clock).
        var token = ClerkToken(servers, offset);
        async Task<long> VersionAsync()
        {
            using var get = new HttpRequestMessage(HttpMethod.Get, $"/api/saku/cases/{caseId}");
            get.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            var response = await server.Http.SendAsync(get);
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}");
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("version").GetInt64();
        }
        var before = await VersionAsync();

        // Signed in as the pages are, the demo moves two days on: the lapse fires now, with no command to the case.
        using var browser = await PageClient.SignInAsync(server.Url, token);
        var moved = await browser.MoveClockAsync(new DateTimeOffset(today.AddDays(2).ToDateTime(new TimeOnly(10, 0)), JapanTime.Offset));
        Assert.True(moved.IsSuccessStatusCode, await moved.Content.ReadAsStringAsync());

        await Eventually(async () => await VersionAsync() > before, "the lapse fired after the demo clock passed it");
    }

    /// <summary>A clerk's token valid for 30 days of the demo's clock, so that it outlasts the clock's moves.</summary>
    private static string ClerkToken(ServerProcesses servers, TimeSpan offset) =>
        servers.Signer.Issue(new StaffIdentity("clerk-9", StaffRole.Clerk, "saku", "shimin-ka", DateTimeOffset.UtcNow + offset + TimeSpan.FromDays(30)));

    /// <summary>A client signed in as the pages are (the session cookie), sending the session's anti-forgery header.</summary>
    private sealed class PageClient : IDisposable
    {
        private readonly HttpClient _http;

        private PageClient(Uri server) => _http = new HttpClient(new HttpClientHandler { UseCookies = true }) { BaseAddress = server };

        public static async Task<PageClient> SignInAsync(Uri server, string token)
        {
            var client = new PageClient(server);
            var signIn = await client._http.PostAsync("/signin", new FormUrlEncodedContent([new("token", token)]));
            Assert.True(signIn.IsSuccessStatusCode || signIn.StatusCode == HttpStatusCode.Redirect, $"{(int)signIn.StatusCode}");
            return client;
        }

        public async Task<JsonElement> SessionAsync() => JsonDocument.Parse(await _http.GetStringAsync("/session")).RootElement;

        public async Task<HttpResponseMessage> MoveClockAsync(DateTimeOffset at)
        {
            using var move = new HttpRequestMessage(HttpMethod.Post, "/demo/clock") { Content = JsonContent.Create(new { at }) };
            move.Headers.Add(StaffSession.CsrfHeader, (await SessionAsync()).GetProperty("csrf").GetString());
            return await _http.SendAsync(move);
        }

        public void Dispose() => _http.Dispose();
    }

    private static async Task Eventually(Func<Task<bool>> done, string what)
    {
        var until = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(2);
        while (!await done())
        {
            if (DateTimeOffset.UtcNow > until) throw new TimeoutException($"not within 2 minutes: {what}");
            await Task.Delay(200);
        }
    }
}
