using CaseSystem.Cases.Auth;
using CaseSystem.Web.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CaseSystem.Web.Tests;

/// <summary>
/// Fujiidera's notice (seed 002): 「利用者証明用電子証明書の有効期限までが5日以内になると健康保険証の
/// 利用申し込みができなくなるため、先に電子証明書の更新が必要です」 shows on the activation timeline, on
/// the case page and on the printable page, before any procedure; a municipality whose page does
/// not say so (Saku, seed 001) shows nothing of it.
/// </summary>
public sealed class InsuranceNoticePageTests(WebFixture fixture) : IClassFixture<WebFixture>
{
    private const string Notice = "利用者証明用電子証明書の有効期限までが5日以内になると健康保険証の利用申し込みができなくなるため、先に電子証明書の更新が必要です。";

    private WebServer Web => fixture.Web;

    [Fact]
    public async Task Seed_002_fujiidera_shows_that_the_insurance_use_registration_is_closed_within_5_days_of_the_expiry_on_the_case_and_printable_timeline()
    {
        Web.Server.Clock.Now = WebServer.Monday10;
        // Monday 16 March 2026; the user-authentication certificate expires on Thursday 19 March: 3 days.
        var caseId = await Web.OpenCaseAsync("岡田 一子", "オカダ カズコ", userExpiry: "2026-03-19", signingExpiry: "2026-03-19",
            municipality: "fujiidera", office: "mynumber-counter", registeredAddress: "大阪府藤井寺市岡1丁目1-1");
        var page = await fixture.SignedInAsync(StaffRole.Clerk, "clerk-31", $"/desk/cases/{caseId}", office: "mynumber-counter", municipality: "fujiidera");

        // The case page: no procedure yet, and still the timeline section says it.
        var notice = page.Locator("#timeline #insurance-registration");
        await Expect(notice).ToBeVisibleAsync();
        await Expect(notice).ToContainTextAsync("健康保険証の利用申込みができません");
        await Expect(notice).ToContainTextAsync(Notice);
        await Expect(notice).ToContainTextAsync("利用者証明用電子証明書の有効期限: 2026年3月19日(令和8年) ・ 申込みができなくなった日: 2026年3月14日(令和8年)");
        await Expect(notice).ToContainTextAsync(Cases.Renewal.Rule.Seeds.Fujiidera);
        await Expect(page.Locator("#timeline")).ToContainTextAsync("まだ窓口での手続き(更新・発行・暗証番号の初期化)はありません。");
        await Browser.ShotAsync(page, "25-fujiidera-insurance-registration-closed-case");

        // The printable page for the holder says the same.
        await page.Locator("#print-timeline").ClickAsync();
        await Expect(page.Locator("#for-holder")).ToContainTextAsync("岡田 一子 様");
        await Expect(page.Locator("#for-holder #insurance-registration")).ToContainTextAsync(Notice);
        await Expect(page.Locator("#for-holder")).ToContainTextAsync("まだ窓口での手続き");
        await Browser.ShotAsync(page, "26-fujiidera-insurance-registration-closed-print");

        // Once renewed, the registration is open again: the notice is gone, the procedure's timeline is there.
        var path = $"/api/fujiidera/cases/{caseId}";
        await Web.OkAsync(path + "/visits", new { office = "mynumber-counter", whoCame = "Holder", documents = Array.Empty<object>() });
        await Web.OkAsync(path + "/pin-checks", new { certificate = "UserAuthentication", result = "Matched", triesLeft = 3 });
        await Web.OkAsync(path + "/pin-checks", new { certificate = "Signing", result = "Matched", triesLeft = 5 });
        await Web.OkAsync(path + "/renewals", new { certificates = new[] { "UserAuthentication", "Signing" } });
        await page.ReloadAsync();
        await Expect(page.Locator("#for-holder tr[data-service=health-insurance-registration]")).ToBeVisibleAsync();
        await Expect(page.Locator("#insurance-registration")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Seed_002_fujiidera_shows_no_notice_while_the_expiry_is_more_than_5_days_away()
    {
        Web.Server.Clock.Now = WebServer.Monday10;
        // Expiry on 22 March: 6 days away, the registration is still open.
        var caseId = await Web.OpenCaseAsync("岡田 二子", "オカダ フタコ", userExpiry: "2026-03-22", signingExpiry: "2026-03-22",
            municipality: "fujiidera", office: "mynumber-counter", registeredAddress: "大阪府藤井寺市岡1丁目1-1");
        var page = await fixture.SignedInAsync(StaffRole.Clerk, "clerk-32", $"/desk/cases/{caseId}/timeline", office: "mynumber-counter", municipality: "fujiidera");
        await Expect(page.Locator("#for-holder")).ToContainTextAsync("まだ窓口での手続き");
        await Expect(page.Locator("#insurance-registration")).ToHaveCountAsync(0);
        await page.GotoAsync($"/desk/cases/{caseId}");
        await Expect(page.Locator("#holder-name")).ToHaveTextAsync("岡田 二子");
        // Once the timeline was read (data-loaded), the section stays hidden: it has nothing to say.
        await Expect(page.Locator("#timeline[data-loaded=true]")).ToBeAttachedAsync();
        await Expect(page.Locator("#timeline")).ToBeHiddenAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Seed_001_saku_whose_page_has_no_5_day_rule_shows_no_insurance_notice_on_the_timeline()
    {
        Web.Server.Clock.Now = WebServer.Monday10;
        var caseId = await Web.OpenCaseAsync("岡田 三子", "オカダ ミツコ", userExpiry: "2026-03-19", signingExpiry: "2026-03-19");
        var page = await fixture.SignedInAsync(StaffRole.Clerk, "clerk-33", $"/desk/cases/{caseId}/timeline");
        await Expect(page.Locator("#for-holder")).ToContainTextAsync("岡田 三子 様");
        await Expect(page.Locator("#for-holder")).ToContainTextAsync("まだ窓口での手続き");
        await Expect(page.Locator("#insurance-registration")).ToHaveCountAsync(0);
        await Expect(page.Locator("body")).Not.ToContainTextAsync("健康保険証の利用申し込みができなくなる");
        await page.GotoAsync($"/desk/cases/{caseId}");
        await Expect(page.Locator("#holder-name")).ToHaveTextAsync("岡田 三子");
        // Once the timeline was read (data-loaded), the section stays hidden: it has nothing to say.
        await Expect(page.Locator("#timeline[data-loaded=true]")).ToBeAttachedAsync();
        await Expect(page.Locator("#timeline")).ToBeHiddenAsync();
        await Browser.ShotAsync(page, "27-saku-no-insurance-notice");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Seed_004_a_lapsed_certificates_card_works_as_an_insurance_card_until_the_end_of_the_third_month_after_and_the_timeline_says_so()
    {
        Web.Server.Clock.Now = WebServer.Monday10;
        // Expired on 10 January 2026: a health-insurance card until 30 April (「満了月から3か月後の月末まで」).
        var caseId = await Web.OpenCaseAsync("岡田 四子", "オカダ ヨツコ", birthDate: "2005-01-10", userExpiry: "2026-01-10", signingExpiry: "2026-01-10");
        var page = await fixture.SignedInAsync(StaffRole.Clerk, "clerk-34", $"/desk/cases/{caseId}");
        var grace = page.Locator("#timeline #insurance-card-grace");
        await Expect(grace).ToHaveAttributeAsync("data-status", "in-grace");
        await Expect(grace).ToContainTextAsync("マイナ保険証として利用できる期間");
        await Expect(grace).ToContainTextAsync("電子証明書の有効期限(2026年1月10日)が切れても、有効期限の満了月から3か月後の月末(2026年4月30日)までは、マイナ保険証として医療機関で利用できます。");
        await Expect(page.Locator("#insurance-registration")).ToHaveCountAsync(0);
        await page.Locator("#print-timeline").ClickAsync();
        await Expect(page.Locator("#for-holder #insurance-card-grace")).ToContainTextAsync("2026年4月30日");
        await Browser.ShotAsync(page, "28-insurance-card-grace-print");
        await page.Context.CloseAsync();
    }
}
