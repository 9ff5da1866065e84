using System.Text;
using CaseSystem.Cases.Auth;
using CaseSystem.Web.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CaseSystem.Web.Tests;

/// <summary>
/// Issue 13: a clerk opens a case for a walk-in without an imported notice from the desk, and
/// imports a notice file from a page (upload, per-line report, amending what differs).
/// </summary>
public sealed class WalkInAndImportPageTests(WebFixture fixture) : IClassFixture<WebFixture>
{
    private WebServer Web => fixture.Web;

    [Fact]
    public async Task A_clerk_opens_a_case_for_a_walk_in_with_dates_typed_in_wareki()
    {
        Web.Server.Clock.Now = WebServer.Monday10;
        var page = await fixture.SignedInAsync(StaffRole.Clerk, "clerk-51", "/desk");
        await page.Locator("#walk-in summary").ClickAsync();
        await page.GetByLabel("氏名(漢字)").FillAsync("小林 健");
        await page.GetByLabel("フリガナ").FillAsync("コバヤシ ケン");
        await page.Locator("#open-birthDate").FillAsync("昭和60年2月3日");
        await Expect(page.Locator("#open-birthDate-reading")).ToHaveTextAsync("→ 1985年2月3日(昭和60年)");
        await page.GetByLabel("住民票の住所").FillAsync("長野県佐久市中込3056");
        await page.Locator("#open-userExpiry").FillAsync("R8.6.15");
        await page.Locator("#open-signingExpiry").FillAsync("R8.6.15");
        await Browser.ShotAsync(page, "50-desk-walk-in-form");
        await page.Locator("#open-case button[type=submit]").ClickAsync();

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/desk/cases/[0-9a-f-]{36}$"));
        await Expect(page.Locator("#holder-name")).ToHaveTextAsync("小林 健");
        await Browser.ShotAsync(page, "51-walk-in-case-opened");
        await Web.CaughtUpAsync();
        var found = await Web.Server.Http.GetStringAsync("/api/saku/cases?name=" + Uri.EscapeDataString("小林"));
        Assert.Contains("\"birthDate\":\"1985-02-03\"", found);
        Assert.Contains("\"userAuthenticationExpiry\":\"2026-06-15\"", found);
    }

    [Fact]
    public async Task A_clerk_imports_a_notice_file_saved_by_excel_and_amends_what_differs_from_the_page()
    {
        Web.Server.Clock.Now = WebServer.Monday10;
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        const string Header = "notice_number,name_kanji,name_kana,birth_date,registered_address,user_authentication_expiry,signing_expiry\r\n";
        byte[] Csv(string secondName) => Encoding.GetEncoding(932).GetBytes(Header +
            "SK-P-0001,中村 一郎,ナカムラ イチロウ,1970/4/1,長野県佐久市中込1-1,2026/6/15,2026/6/15\r\n" +
            $"SK-P-0002,{secondName},ヤマダ ハナコ,1982/5/6,長野県佐久市中込1-2,2026/6/20,2026/6/20\r\n" +
            "SK-P-0003,木村 三郎,キムラ サブロウ,1975/13/1,長野県佐久市中込1-3,2026/6/21,2026/6/21\r\n");

        var page = await fixture.SignedInAsync(StaffRole.Clerk, "clerk-52", "/notices");
        await page.GetByLabel("通知バッチ名").FillAsync("JLIS-2026-06");
        await page.Locator("#file").SetInputFilesAsync(new FilePayload { Name = "notices.csv", MimeType = "text/csv", Buffer = Csv("山田 花子") });
        await page.Locator("#import button[type=submit]").ClickAsync();
        await Expect(page.Locator("#counts tr[data-count=imported] td")).ToHaveTextAsync("2件");
        await Expect(page.Locator("#counts tr[data-count=rejected] td")).ToHaveTextAsync("1件");
        var rejected = page.Locator("#rejected tbody tr");
        await Expect(rejected).ToHaveCountAsync(1);
        await Expect(rejected.First).ToHaveAttributeAsync("data-line", "4");
        await Expect(rejected.First).ToContainTextAsync("birth_date");
        await Expect(page.Locator("#report")).ToContainTextAsync("Shift_JIS");
        await Browser.ShotAsync(page, "52-notice-import-report");

        // The same file with the second holder's name written otherwise: a conflict, then amended from the page.
        await page.Locator("#file").SetInputFilesAsync(new FilePayload { Name = "notices.csv", MimeType = "text/csv", Buffer = Csv("山田 花") });
        await page.Locator("#import button[type=submit]").ClickAsync();
        await Expect(page.Locator("#counts tr[data-count=conflicting] td")).ToHaveTextAsync("1件");
        await Expect(page.Locator("#conflicts tbody tr").First).ToContainTextAsync("name_kanji");
        await Expect(page.Locator("#counts tr[data-count=already] td")).ToHaveTextAsync("1件");
        await Browser.ShotAsync(page, "53-notice-import-conflict");
        await page.Locator("#amend-again").ClickAsync();
        await Expect(page.Locator("#counts tr[data-count=amended] td")).ToHaveTextAsync("1件");
        await Expect(page.Locator("#amend-again")).ToHaveCountAsync(0);

        await Web.CaughtUpAsync();
        Assert.Contains("山田 花\"", await Web.Server.Http.GetStringAsync("/api/saku/cases?noticeNumber=SK-P-0002"));

        // The session ended while the page stayed open (signed out elsewhere): sending a file goes to the sign-in, which comes back here.
        await page.Context.ClearCookiesAsync();
        await page.Locator("#file").SetInputFilesAsync(new FilePayload { Name = "notices.csv", MimeType = "text/csv", Buffer = Csv("山田 花子") });
        await page.Locator("#import button[type=submit]").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin\\?next=%2Fnotices$"));
    }
}
