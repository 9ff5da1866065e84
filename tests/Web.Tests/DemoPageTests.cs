using CaseSystem.Cases;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Tests.Support;
using CaseSystem.Web.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CaseSystem.Web.Tests;

/// <summary>
/// Issue 13's demo in the browser: a server started as <c>ops/run --demo</c> starts it (its own
/// process, CASES_DEMO=1, a clock ten days on) shows on every page that it is a demo and the time
/// it lives at, and moves that time forward from the banner; the banner is not printed. A server
/// started normally shows no banner (PageTests).
/// </summary>
public sealed class DemoPageTests : IAsyncLifetime
{
    private static readonly TimeSpan Offset = TimeSpan.FromDays(10);

    private readonly TestDatabase _db = new();
    private readonly Browser _browser = new();
    private ServerProcesses _servers = null!;
    private ServerProcess _server = null!;

    public async Task InitializeAsync()
    {
        SetDefaultExpectTimeout(20_000);
        await _db.InitializeAsync();
        await _browser.InitializeAsync();
        _servers = new ServerProcesses(_db.ConnectionString, Offset);
        _server = await _servers.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _servers.DisposeAsync();
        await _browser.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Every_page_of_the_demo_says_so_with_its_clock_which_the_banner_moves_forward_and_no_print_shows_it()
    {
        var page = await _browser.NewPageAsync(_server.Url);
        await page.GotoAsync("/desk");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin\\?next="));
        var token = _servers.Signer.Issue(new StaffIdentity("clerk-91", StaffRole.Clerk, "saku", "shimin-ka", DateTimeOffset.UtcNow + Offset + TimeSpan.FromDays(30)));
        await page.GetByLabel("職員トークン").FillAsync(token);
        await page.GetByLabel("職員トークン").PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/desk$"));

        // The demo's day is ten days after today (Japan time); the banner says it is not the real time.
        var banner = page.Locator("#demo-banner");
        await Expect(banner).ToContainTextAsync("デモ環境");
        await Expect(banner).ToContainTextAsync("実際の時刻ではありません");
        var demoDay = JapanTime.DateOf(DateTimeOffset.UtcNow + Offset);
        await Expect(banner).ToContainTextAsync($"{demoDay.Year}年{demoDay.Month}月{demoDay.Day}日");
        await Browser.ShotAsync(page, "90-demo-banner");

        // Every page: the worklists too.
        await page.GotoAsync("/worklists");
        await Expect(page.Locator("#demo-banner")).ToContainTextAsync("デモ環境");

        // A week on, at 10:00, from the banner: the page reloads at the new time.
        var weekOn = demoDay.AddDays(7);
        await page.Locator("#demo-clock-at").FillAsync($"{weekOn:yyyy-MM-dd}T10:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "時計を進める" }).ClickAsync();
        await Expect(page.Locator("#demo-banner")).ToContainTextAsync($"{weekOn.Year}年{weekOn.Month}月{weekOn.Day}日 10:0");

        // Paper from the demo carries no banner.
        await page.EmulateMediaAsync(new() { Media = Media.Print });
        await Expect(page.Locator("#demo-banner")).ToBeHiddenAsync();
    }
}
