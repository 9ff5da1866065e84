using CaseSystem.Cases.Auth;
using CaseSystem.Web.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace CaseSystem.Web.Tests;

/// <summary>Issue 13: the dashboard's rates beside their numerators, the weekly series and the expiry wave forecast.</summary>
public sealed class DashboardForecastPageTests(WebFixture fixture) : IClassFixture<WebFixture>
{
    private WebServer Web => fixture.Web;

    [Fact]
    public async Task The_dashboard_shows_the_weekly_series_and_the_forecast_table_by_office_name()
    {
        Web.Server.Clock.Now = WebServer.Monday10; // 2026-03-16, 2026-W12
        await Web.OpenCaseAsync("森 二子", "モリ フタコ", userExpiry: "2026-04-08"); // 2026-W15, at 市民課
        await Web.CaughtUpAsync();

        var page = await fixture.SignedInAsync(StaffRole.Analyst, "analyst-13", "/dashboard");
        await Expect(page.Locator("#chart-weekly-outcomes svg")).ToBeVisibleAsync();
        await Expect(page.Locator("#chart-weekly-waits")).ToContainTextAsync("2026-W12");
        await Expect(page.Locator("#chart-forecast svg rect.bar").First).ToBeVisibleAsync();
        var table = page.Locator("#forecast-table");
        await Expect(table.Locator("thead")).ToContainTextAsync("佐久市役所 市民課");
        await Expect(table.Locator("thead")).Not.ToContainTextAsync("shimin-ka");
        // 26 weeks from this one; the case expiring in W15 counted at 市民課 (default rate and visits: no history).
        await Expect(table.Locator("tbody tr")).ToHaveCountAsync(26);
        await Expect(table.Locator("tbody tr").Nth(3)).ToContainTextAsync("2026-W15");
        await Expect(table.Locator("tbody tr").Nth(3).Locator("td").First).ToContainTextAsync("期限1件");
        await Expect(page.Locator("#forecast")).ToContainTextAsync("既定値");
        await Expect(page.Locator("body")).Not.ToContainTextAsync("森 二子");
        await Browser.ShotAsync(page, "16-dashboard-forecast");
        await page.Locator("#forecast").ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "16-dashboard-forecast-section.png") });
        await page.Context.CloseAsync();
    }
}
