using CaseSystem.Cases.Auth;
using CaseSystem.Web.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace CaseSystem.Web.Tests;

/// <summary>
/// Issue 13: countdowns where a clerk needs them, on the case page: days to the expiry (or since
/// it), days until the inquiry's reply is due or how long overdue; and dates with their 和暦.
/// </summary>
public sealed class CountdownPageTests(WebFixture fixture) : IClassFixture<WebFixture>
{
    private WebServer Web => fixture.Web;

    [Fact]
    public async Task The_case_page_counts_the_days_to_the_expiry_and_to_the_inquiry_replys_due_date_then_past_it()
    {
        Web.Server.Clock.Now = WebServer.Monday10; // 2026-03-16
        var caseId = await Web.OpenCaseAsync("森 一子", "モリ カズコ", birthDate: "1989-01-07", userExpiry: "2026-06-15");
        var page = await fixture.SignedInAsync(StaffRole.Clerk, "clerk-61", $"/desk/cases/{caseId}");
        await Expect(page.Locator("#expiry-countdown")).ToHaveTextAsync("有効期限まであと91日");
        await Expect(page.Locator("#holder-birth")).ToContainTextAsync("1989年1月7日(昭和64年)");

        // A proxy without the sealed form: an inquiry is mailed, its reply due in 30 days (Saku, domain.md).
        var path = $"/api/saku/cases/{caseId}";
        await Web.OkAsync(path + "/visits", new
        {
            office = "shimin-ka", whoCame = "AppointedProxy", replyForm = "Missing", holderPresent = false,
            documents = new[] { new { kind = "driving-licence", owner = "Representative" } },
        });
        await Web.OkAsync(path + "/inquiries", new { reason = "reply-form-missing" });
        await Web.OkAsync(path + "/visits/current/end", new { outcome = "MustReturn" });
        await page.ReloadAsync();
        await Expect(page.Locator("#reply-countdown")).ToHaveTextAsync("(回答期限まであと30日)");
        await Browser.ShotAsync(page, "60-case-countdowns");

        // Forty days on: the reply is ten days overdue, and the expiry 51 days away.
        Web.Server.Clock.Now = WebServer.Monday10.AddDays(40);
        await fixture.SignedInAsync(StaffRole.Clerk, "clerk-61", $"/desk/cases/{caseId}", page: page);
        await Expect(page.Locator("#reply-countdown")).ToHaveTextAsync("(回答期限を10日超過)");
        await Expect(page.Locator("#expiry-countdown")).ToHaveTextAsync("有効期限まであと51日");
    }

    [Fact]
    public async Task A_lapsed_case_says_how_many_days_ago_and_one_not_yet_open_when_renewal_opens()
    {
        Web.Server.Clock.Now = WebServer.Monday10; // 2026-03-16
        var lapsed = await Web.OpenCaseAsync("川上 二郎", "カワカミ ジロウ", userExpiry: "2026-03-10", signingExpiry: "2026-03-10");
        var page = await fixture.SignedInAsync(StaffRole.Clerk, "clerk-62", $"/desk/cases/{lapsed}");
        await Expect(page.Locator("#expiry-countdown")).ToHaveTextAsync("有効期限から6日経過(失効)");

        var early = await Web.OpenCaseAsync("川上 三郎", "カワカミ サブロウ", userExpiry: "2026-07-31", signingExpiry: "2026-07-31");
        await page.GotoAsync($"/desk/cases/{early}");
        // Renewal opens on 1 May (three months before, the day after: 000, 004).
        await Expect(page.Locator("#expiry-countdown")).ToHaveTextAsync("更新の受付開始まであと46日(有効期限まであと137日)");
    }
}
