using CaseSystem.Cases;
using CaseSystem.Cases.Auth;
using CaseSystem.Web.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CaseSystem.Web.Tests;

/// <summary>
/// Issue 13, supervisors: find a case by name, 通知書番号 or birth date (not only by its id),
/// read its history with the events' data in Japanese and Japan times, search a range of days,
/// and print the history with its chain check as a record.
/// </summary>
public sealed class AuditFindPageTests(WebFixture fixture) : IClassFixture<WebFixture>
{
    private WebServer Web => fixture.Web;

    [Fact]
    public async Task A_supervisor_finds_a_case_by_name_or_birth_date_and_prints_its_history_as_a_record()
    {
        Web.Server.Clock.Now = WebServer.Monday10;
        var caseId = await Web.OpenCaseAsync("齋藤 七海", "サイトウ ナナミ", birthDate: "1995-07-07");
        await Web.OkAsync($"/api/saku/cases/{caseId}/arrivals", new { office = "shimin-ka", ticketNumber = "S-7" });
        await Web.CaughtUpAsync();

        var page = await fixture.SignedInAsync(StaffRole.Supervisor, "supervisor-2", "/audit");
        await Expect(page.Locator("body[data-ready=true]")).ToBeVisibleAsync();
        // The keyboard's 斎 finds the register's 齋; the birth date typed in 和暦.
        await page.Locator("#find-name").FillAsync("斎藤");
        await page.Locator("#find-birth").FillAsync("H7.7.7");
        await page.Locator("#find button[type=submit]").ClickAsync();
        var row = page.Locator("#found-cases tbody tr");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row.First).ToContainTextAsync("1995年7月7日(平成7年)");
        await Browser.ShotAsync(page, "80-audit-find-case");
        await row.First.GetByRole(AriaRole.Link, new() { Name = "履歴を見る" }).ClickAsync();

        await Expect(page.Locator("#title")).ToContainTextAsync("齋藤 七海 様の案件の履歴");
        await Expect(page.Locator("#chain-status")).ToHaveAttributeAsync("data-intact", "true");
        var arrival = page.Locator("#event-list li[data-type=ArrivedAtOffice]");
        // The event's data in Japanese: labels, the office by its field, the ticket.
        await Expect(arrival.Locator("dl.event-data dt[data-field=ticketNumber], dl.event-data dt[data-field=ticket]").First).ToBeVisibleAsync();
        await Expect(arrival.Locator("dl.event-data")).ToContainTextAsync("S-7");
        await Expect(arrival.Locator("dl.event-data")).ToContainTextAsync("佐久市役所 市民課");
        await Expect(page.Locator("#event-list li[data-type=CaseOpenedAtCounter] dl.event-data").First).ToContainTextAsync("1995年7月7日(平成7年)");

        await page.EmulateMediaAsync(new() { Media = Media.Print });
        await Expect(page.Locator("#print-record")).ToBeHiddenAsync();
        await Expect(page.Locator("#record-printed")).ToBeVisibleAsync();
        await Expect(page.Locator("#record-printed")).ToContainTextAsync("supervisor-2");
        await Expect(page.Locator("#chain-status")).ToBeVisibleAsync();
        await Browser.ShotAsync(page, "81-audit-history-record-print");
    }

    [Fact]
    public async Task A_supervisor_searches_a_range_of_days()
    {
        Web.Server.Clock.Now = WebServer.Monday10;
        var caseId = await Web.OpenCaseAsync("石井 八郎", "イシイ ハチロウ");
        var page = await fixture.SignedInAsync(StaffRole.Supervisor, "supervisor-3", "/audit");
        await Expect(page.Locator("body[data-ready=true]")).ToBeVisibleAsync();
        // Days of recording, by the database's clock.
        var today = JapanTime.DateOf(DateTimeOffset.UtcNow);
        await page.Locator("#day").FillAsync("");
        await page.Locator("#from").FillAsync(today.AddDays(-3).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await page.Locator("#to").FillAsync(today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await page.Locator("#type").SelectOptionAsync("CaseOpenedAtCounter");
        await page.Locator("#search button[type=submit]").ClickAsync();
        await Expect(page.Locator($"#audit-results a[href='/audit/cases/{caseId}']")).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("from="));
    }
}
