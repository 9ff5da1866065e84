using System.Text.RegularExpressions;
using CaseSystem.Cases;
using CaseSystem.Cases.Auth;
using CaseSystem.Web.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace CaseSystem.Web.Tests;

/// <summary>
/// Issue 13: the worklists page, one tab per list with its count; each row links to the case (a
/// clerk's desk page, a supervisor's history) and shows its dates with their 和暦.
/// </summary>
public sealed class WorklistsPageTests(WebFixture fixture) : IClassFixture<WebFixture>
{
    private WebServer Web => fixture.Web;

    private async Task ProxyWithoutFormAsync(Guid caseId)
    {
        var path = $"/api/saku/cases/{caseId}";
        await Web.OkAsync(path + "/visits", new
        {
            office = "shimin-ka", whoCame = "AppointedProxy", replyForm = "Missing", holderPresent = false,
            documents = new[] { new { kind = "driving-licence", owner = "Representative" } },
        });
        await Web.OkAsync(path + "/inquiries", new { reason = "reply-form-missing" });
        await Web.OkAsync(path + "/visits/current/end", new { outcome = "MustReturn" });
    }

    [Fact]
    public async Task A_clerk_sees_each_list_with_its_count_dates_in_wareki_and_opens_a_case_from_it_and_a_supervisor_its_history()
    {
        // Forty days ago (2026-02-04) a proxy came without the form: the reply was due 2026-03-06, ten days ago.
        Web.Server.Clock.Now = WebServer.Monday10.AddDays(-40);
        var overdue = await Web.OpenCaseAsync("古川 一夫", "フルカワ カズオ", userExpiry: "2026-04-30", signingExpiry: "2026-04-30");
        await ProxyWithoutFormAsync(overdue);
        Web.Server.Clock.Now = WebServer.Monday10; // 2026-03-16
        var awaited = await Web.OpenCaseAsync("新井 花子", "アライ ハナコ");
        await ProxyWithoutFormAsync(awaited);
        var near = await Web.OpenCaseAsync("近藤 健", "コンドウ ケン", userExpiry: "2026-04-10", signingExpiry: "2026-04-10");
        await Web.CaughtUpAsync();

        var page = await fixture.SignedInAsync(StaffRole.Clerk, "clerk-1", "/worklists");
        await Expect(page.Locator("#count-replies-awaited")).ToHaveTextAsync("1件");
        await Expect(page.Locator("#count-inquiries-overdue")).ToHaveTextAsync("1件");
        await Expect(page.Locator("#count-expiring-no-visit")).ToHaveTextAsync("1件");
        await Expect(page.Locator("#count-reservations-today")).ToHaveTextAsync("0件");
        await Expect(page.Locator("#count-mine")).ToHaveTextAsync("3件");
        await Expect(page.Locator("#as-of")).ToContainTextAsync("2026年3月16日(令和8年)");
        await Expect(page.Locator("nav a[aria-current=page]")).ToContainTextAsync("業務リスト");

        // The first tab: replies awaited, the due date with its 和暦.
        await Expect(page.Locator("#tab-replies-awaited")).ToHaveAttributeAsync("aria-selected", "true");
        var awaitedRow = page.Locator($"#list-replies-awaited tr[data-case='{awaited}']");
        await Expect(awaitedRow).ToContainTextAsync("新井 花子");
        await Expect(awaitedRow).ToContainTextAsync("2026年4月15日(令和8年)");
        await Expect(page.Locator("#panel-inquiries-overdue")).ToBeHiddenAsync();
        await Browser.ShotAsync(page, "70-worklists-replies-awaited");

        await page.Locator("#tab-inquiries-overdue").ClickAsync();
        var overdueRow = page.Locator($"#list-inquiries-overdue tr[data-case='{overdue}']");
        await Expect(overdueRow).ToContainTextAsync("2026年3月6日(令和8年)");
        await Expect(overdueRow).ToContainTextAsync("10日超過");
        await Expect(page.Locator("#panel-replies-awaited")).ToBeHiddenAsync();

        // By the keyboard: the arrow key moves to the next tab.
        await page.Locator("#tab-inquiries-overdue").PressAsync("ArrowRight");
        await Expect(page.Locator("#tab-expiring-no-visit")).ToBeFocusedAsync();
        var nearRow = page.Locator($"#list-expiring-no-visit tr[data-case='{near}']");
        await Expect(nearRow).ToContainTextAsync("2026年4月10日(令和8年)");
        await Expect(nearRow).ToContainTextAsync("あと25日");
        await Browser.ShotAsync(page, "71-worklists-expiring-no-visit");

        // Within 20 days, none: the count and the list say so.
        await page.Locator("#days").FillAsync("20");
        await page.Locator("#filters button[type=submit]").ClickAsync();
        await Expect(page.Locator("#count-expiring-no-visit")).ToHaveTextAsync("0件");
        await Expect(page.Locator("#panel-expiring-no-visit .empty")).ToContainTextAsync("該当する案件はありません。");
        await page.Locator("#days").FillAsync("30");
        await page.Locator("#filters button[type=submit]").ClickAsync();
        await Expect(page.Locator("#count-expiring-no-visit")).ToHaveTextAsync("1件");

        // The row's name opens the case at the desk.
        await page.Locator($"#list-expiring-no-visit tr[data-case='{near}'] a").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/desk/cases/{near}$"));
        await Expect(page.Locator("#holder-name")).ToHaveTextAsync("近藤 健");
        await page.Context.CloseAsync();

        // A supervisor's rows open the case's history; their own open cases are none.
        var supervisor = await fixture.SignedInAsync(StaffRole.Supervisor, "super-7", "/worklists");
        await Expect(supervisor.Locator("#count-mine")).ToHaveTextAsync("0件");
        // A list's address names its tab: opened again with it, the page shows that one.
        await supervisor.GotoAsync("/worklists#inquiries-overdue");
        await supervisor.ReloadAsync();
        await Expect(supervisor.Locator("#tab-inquiries-overdue")).ToHaveAttributeAsync("aria-selected", "true");
        await Expect(supervisor.Locator($"#list-inquiries-overdue tr[data-case='{overdue}'] a"))
            .ToHaveAttributeAsync("href", $"/audit/cases/{overdue}");
        await Browser.ShotAsync(supervisor, "72-worklists-supervisor-overdue");
        await supervisor.Context.CloseAsync();
    }
}
