using CaseSystem.Cases.Auth;
using CaseSystem.Web.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CaseSystem.Web.Tests;

/// <summary>
/// Issue 13's printing: a slip of what a proxy brings next time (after a document inquiry), in
/// Japanese, with the municipality's contact and the day it was made; the case page prints
/// without its forms.
/// </summary>
public sealed class PrintPageTests(WebFixture fixture) : IClassFixture<WebFixture>
{
    private WebServer Web => fixture.Web;

    [Fact]
    [Trait("seed", Cases.Renewal.Rule.Seeds.Fujiidera)]
    public async Task A_proxy_who_must_come_back_takes_home_what_to_bring_and_by_when_with_whom_to_ask()
    {
        Web.Server.Clock.Now = WebServer.Monday10;
        var caseId = await Web.OpenCaseAsync("西田 一郎", "ニシダ イチロウ", municipality: "fujiidera", office: "mynumber-counter",
            registeredAddress: "大阪府藤井寺市岡1丁目1-1");
        var path = $"/api/fujiidera/cases/{caseId}";
        await Web.OkAsync(path + "/visits", new
        {
            office = "mynumber-counter", whoCame = "AppointedProxy", replyForm = "Missing", holderPresent = false,
            documents = new[] { new { kind = "driving-licence", owner = "Representative" } },
        });
        var page = await fixture.SignedInAsync(StaffRole.Clerk, "clerk-71", $"/desk/cases/{caseId}", office: "mynumber-counter", municipality: "fujiidera");
        await page.Locator("#inquiry-reason").SelectOptionAsync("reply-form-missing");
        await page.Locator("#form-inquiry button[type=submit]").ClickAsync();
        await Expect(page.Locator("#checklist-items li[data-code=second-visit-documents]")).ToBeVisibleAsync();

        // The case page prints without its forms.
        await page.EmulateMediaAsync(new() { Media = Media.Print });
        await Expect(page.Locator("#actions")).ToBeHiddenAsync();
        await Expect(page.Locator("#holder-name")).ToBeVisibleAsync();
        await Browser.ShotAsync(page, "70-case-page-print");
        await page.EmulateMediaAsync(new() { Media = Media.Screen });

        await page.Locator("#print-next-visit").ClickAsync();
        var items = page.Locator("#bring li");
        await Expect(items.First).ToHaveTextAsync("本人のマイナンバーカード");
        await Expect(items.Nth(1)).ToHaveTextAsync("文書照会の回答書");
        await Expect(items.Last).ToContainTextAsync("代理人の本人確認書類");
        await Expect(page.Locator("#slip")).ToContainTextAsync("西田 一郎 様");
        await Expect(page.Locator("#reply-due")).ToContainTextAsync("回答書の期限: 2026年");
        // Fujiidera's page gives its number for questions (002).
        await Expect(page.Locator("#handout-contact")).ToContainTextAsync("072-939-1357");
        await Expect(page.Locator("#printed-on")).ToHaveTextAsync("作成日: 2026年3月16日(令和8年)");
        await page.EmulateMediaAsync(new() { Media = Media.Print });
        await Expect(page.Locator("#print")).ToBeHiddenAsync();
        await Expect(page.Locator("main > p.en")).ToBeHiddenAsync();
        await Browser.ShotAsync(page, "71-next-visit-slip-print");
    }
}
