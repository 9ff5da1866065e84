using CaseSystem.Cases.Auth;
using CaseSystem.Web.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CaseSystem.Web.Tests;

/// <summary>
/// The desk supplies the dates a document's rule needs (issue 12): the 交付日 of a 運転経歴証明書,
/// which counts only if issued on or after 2012-04-01 (seeds 000, 001, 004), and the 有効期限 of a
/// document that carries one, which counts only within it, but for the holder's own My Number Card,
/// which counts up to 6 months after (seed 004 「マイナンバーカード(申請者の本人確認書類)に限り」,
/// seed 001 「有効期限が切れてから6か月以内のもの」). Saku (seed 001) states both rules, as 000 and 004 do.
/// </summary>
public sealed class DocumentDatePageTests(WebFixture fixture) : IClassFixture<WebFixture>
{
    private WebServer Web => fixture.Web;

    private static ILocator Submit(IPage page, string form) => page.Locator($"#form-{form} button[type=submit]");

    [Fact]
    public async Task Seed_000_004_a_driving_history_certificate_issued_before_2012_04_01_is_refused_with_the_rule_and_one_issued_after_is_accepted()
    {
        Web.Server.Clock.Now = WebServer.Monday10;
        var caseId = await Web.OpenCaseAsync("石田 一夫", "イシダ カズオ");
        var page = await fixture.SignedInAsync(StaffRole.Clerk, "clerk-21", $"/desk/cases/{caseId}");

        // The date is asked only once the document is ticked, and it is required then.
        var issued = page.Locator("#doc-rep-driving-history-certificate-issued-on");
        await Expect(issued).ToBeAttachedAsync();
        await Expect(issued).ToBeHiddenAsync();
        await Expect(page.Locator("#doc-rep-driving-licence-valid-until")).ToBeHiddenAsync();
        await page.Locator("#who-AppointedProxy").CheckAsync();
        await page.Locator("#reply-form").SelectOptionAsync("Sealed");
        await page.Locator("#doc-rep-driving-history-certificate").CheckAsync();
        await Expect(issued).ToBeVisibleAsync();
        await Expect(page.Locator("label[for=doc-rep-driving-history-certificate-issued-on]")).ToContainTextAsync("交付日(交付年月日)");
        await Expect(issued).ToHaveAttributeAsync("required", "");
        await Expect(page.Locator("#doc-rep-driving-history-certificate-issued-on-hint")).ToContainTextAsync("2012年4月1日(平成24年)以降の交付に限ります");
        // A 運転経歴証明書 carries no expiry: no such field beside it.
        await Expect(page.Locator("#doc-rep-driving-history-certificate-valid-until")).ToHaveCountAsync(0);

        // Issued on 31 March 2012: it does not count, the proxy is not identified, and the page says why.
        await issued.FillAsync("2012-03-31");
        await page.Locator("#holder-present").UncheckAsync();
        await Submit(page, "visit").ClickAsync();
        await Expect(page.Locator("#current-visit")).ToContainTextAsync("確認できず");
        var refusal = page.Locator("#actions .problem");
        await Expect(refusal).ToContainTextAsync("本人確認ができませんでした。");
        await Expect(refusal).ToContainTextAsync("代理人の本人確認書類");
        await Expect(refusal).ToContainTextAsync("運転経歴証明書(平成24年4月1日以降に交付されたもの): 2012年4月1日より前の交付です。");
        await Expect(refusal.Locator(".meta")).ToContainTextAsync("規則 proxy-identity");
        await Browser.ShotAsync(page, "20-driving-history-before-2012-refused");

        // The clerk misread the date: the documents are amended with the date on the certificate, 2015-06-01.
        await page.Locator("#corrections summary").ClickAsync();
        var amended = page.Locator("#amend-rep-driving-history-certificate-issued-on");
        await Expect(amended).ToBeAttachedAsync();
        await Expect(amended).ToBeHiddenAsync();
        await page.Locator("#amend-rep-driving-history-certificate").CheckAsync();
        await amended.FillAsync("2015-06-01");
        await page.Locator("#documents-reason").FillAsync("交付年月日を読み違えたため");
        await Submit(page, "documents").ClickAsync();
        await Expect(page.Locator("#current-visit")).ToContainTextAsync("確認済み");
        await Expect(page.Locator("#visit-list tbody tr").First).ToContainTextAsync("運転経歴証明書(平成24年4月1日以降に交付されたもの)(交付 2015年6月1日(平成27年))");

        // What the server recorded: the date, as an ISO date.
        var events = await Web.GetJsonAsync($"/api/saku/cases/{caseId}/events");
        var amendment = events.EnumerateArray().Single(e => e.GetProperty("type").GetString() == "VisitDocumentsAmended");
        var document = amendment.GetProperty("data").GetProperty("documents").EnumerateArray().Single();
        Assert.Equal("driving-history-certificate", document.GetProperty("kind").GetString());
        Assert.Equal("2015-06-01", document.GetProperty("issuedOn").GetString());
        await Browser.ShotAsync(page, "21-driving-history-after-2012-accepted");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Seed_000_a_driving_history_certificate_issued_after_2012_04_01_identifies_a_proxy_at_the_first_try()
    {
        Web.Server.Clock.Now = WebServer.Monday10;
        var caseId = await Web.OpenCaseAsync("石田 二郎", "イシダ ジロウ");
        var page = await fixture.SignedInAsync(StaffRole.Clerk, "clerk-22", $"/desk/cases/{caseId}");
        await page.Locator("#who-AppointedProxy").CheckAsync();
        await page.Locator("#reply-form").SelectOptionAsync("Sealed");
        await page.Locator("#doc-rep-driving-history-certificate").CheckAsync();
        await page.Locator("#doc-rep-driving-history-certificate-issued-on").FillAsync("2012-04-01");
        await page.Locator("#holder-present").UncheckAsync();
        await Submit(page, "visit").ClickAsync();
        await Expect(page.Locator("#current-visit")).ToContainTextAsync("1回目の来庁を対応中: 任意代理人");
        await Expect(page.Locator("#current-visit")).ToContainTextAsync("確認済み");
        await Expect(page.Locator("#actions .problem")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Seed_004_an_expired_document_is_refused_with_the_rule_but_not_one_within_its_validity()
    {
        Web.Server.Clock.Now = WebServer.Monday10;
        var caseId = await Web.OpenCaseAsync("石田 三郎", "イシダ サブロウ");
        var page = await fixture.SignedInAsync(StaffRole.Clerk, "clerk-23", $"/desk/cases/{caseId}");

        // A proxy's driving licence that expired on 15 March 2026, the day before the visit.
        await page.Locator("#who-AppointedProxy").CheckAsync();
        await page.Locator("#reply-form").SelectOptionAsync("Sealed");
        await page.Locator("#doc-rep-driving-licence").CheckAsync();
        var until = page.Locator("#doc-rep-driving-licence-valid-until");
        await Expect(until).ToBeVisibleAsync();
        await Expect(page.Locator("label[for=doc-rep-driving-licence-valid-until]")).ToContainTextAsync("有効期限");
        await until.FillAsync("2026-03-15");
        await page.Locator("#holder-present").UncheckAsync();
        await Submit(page, "visit").ClickAsync();
        await Expect(page.Locator("#current-visit")).ToContainTextAsync("確認できず");
        var refusal = page.Locator("#actions .problem");
        await Expect(refusal).ToContainTextAsync("運転免許証: 有効期限(2026年3月15日)が過ぎています。");
        await Expect(refusal.Locator(".meta")).ToContainTextAsync("規則 proxy-identity");
        await Browser.ShotAsync(page, "22-expired-document-refused");

        // Amended: the licence is valid until the day of the visit, which it still counts on.
        await page.Locator("#corrections summary").ClickAsync();
        await page.Locator("#amend-rep-driving-licence").CheckAsync();
        await page.Locator("#amend-rep-driving-licence-valid-until").FillAsync("2026-03-16");
        await page.Locator("#documents-reason").FillAsync("有効期限を読み違えたため");
        await Submit(page, "documents").ClickAsync();
        await Expect(page.Locator("#current-visit")).ToContainTextAsync("確認済み");
        await Expect(page.Locator("#visit-list tbody tr").First).ToContainTextAsync("運転免許証(有効期限 2026年3月16日(令和8年))");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Seed_004_001_the_holders_own_my_number_card_counts_for_a_pin_reset_up_to_6_months_after_its_expiry_and_not_beyond()
    {
        Web.Server.Clock.Now = WebServer.Monday10;
        // A card issued to a 16-year-old expires with its certificates at the 5th birthday (001): 10 January 2026.
        var within = await Web.OpenCaseAsync("石田 四郎", "イシダ シロウ", birthDate: "2005-01-10", userExpiry: "2026-01-10", signingExpiry: "2026-01-10");
        var page = await fixture.SignedInAsync(StaffRole.Clerk, "clerk-24", $"/desk/cases/{within}");

        // The holder forgot the PINs and shows the card, expired 2 months ago: it still counts as their ID.
        await page.Locator("#who-Holder").CheckAsync();
        await page.Locator("#doc-holder-my-number-card").CheckAsync();
        await Expect(page.Locator("#doc-holder-my-number-card-valid-until-hint")).ToContainTextAsync("本人のものは有効期限後6か月以内まで使えます");
        await page.Locator("#doc-holder-my-number-card-valid-until").FillAsync("2026-01-10");
        await Submit(page, "visit").ClickAsync();
        await Expect(page.Locator("#current-visit")).ToContainTextAsync("確認済み");
        await Submit(page, "reset").ClickAsync();
        await Expect(page.Locator("#live")).ToContainTextAsync("記録しました: 暗証番号の初期化");
        await Browser.ShotAsync(page, "23-own-card-within-6-months-accepted");

        // The same card 7 months after its expiry counts no more: the PIN reset is refused, with the rule.
        var beyond = await Web.OpenCaseAsync("石田 五郎", "イシダ ゴロウ", birthDate: "2004-08-10", userExpiry: "2025-08-10", signingExpiry: "2025-08-10");
        await page.GotoAsync($"/desk/cases/{beyond}");
        await page.Locator("#who-Holder").CheckAsync();
        await page.Locator("#doc-holder-my-number-card").CheckAsync();
        await page.Locator("#doc-holder-my-number-card-valid-until").FillAsync("2025-08-10");
        await Submit(page, "visit").ClickAsync();
        await Expect(page.Locator("#current-visit")).ToContainTextAsync("本人");
        await Submit(page, "reset").ClickAsync();
        var refusal = page.Locator(".form-problem .problem");
        await Expect(refusal).ToHaveAttributeAsync("data-problem", "urn:casesystem:rule:holder-id-when-pin-unknown");
        await Expect(refusal).ToContainTextAsync("暗証番号の初期化には本人確認書類(A1点またはB1点)が必要です。");
        await Browser.ShotAsync(page, "24-own-card-beyond-6-months-refused");

        // No other document has the grace: the holder's passport expired 2 months ago does not count either.
        var passport = await Web.OpenCaseAsync("石田 六郎", "イシダ ロクロウ");
        await page.GotoAsync($"/desk/cases/{passport}");
        await page.Locator("#who-Holder").CheckAsync();
        await page.Locator("#doc-holder-passport").CheckAsync();
        await Expect(page.Locator("#doc-holder-passport-valid-until-hint")).Not.ToContainTextAsync("6か月");
        await page.Locator("#doc-holder-passport-valid-until").FillAsync("2026-01-10");
        await Submit(page, "visit").ClickAsync();
        await Expect(page.Locator("#current-visit")).ToContainTextAsync("本人");
        await Submit(page, "reset").ClickAsync();
        await Expect(page.Locator(".form-problem .problem")).ToHaveAttributeAsync("data-problem", "urn:casesystem:rule:holder-id-when-pin-unknown");
        await page.Context.CloseAsync();
    }
}
