using System.Text.RegularExpressions;
using CaseSystem.Cases;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Tests.Support;
using CaseSystem.Web.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CaseSystem.Web.Tests;

/// <summary>
/// The pages in a real headless Chromium against a real server and PostgreSQL. The tests wait on
/// what the page shows, never on time; each leaves a screenshot of every page it visits in
/// test-output/screenshots/.
/// </summary>
public sealed class PageTests(WebFixture fixture) : IClassFixture<WebFixture>
{
    private WebServer Web => fixture.Web;

    private static ILocator Submit(IPage page, string form) => page.Locator($"#form-{form} button[type=submit]");

    [Fact]
    public async Task A_clerk_finishes_the_proxy_journey_across_two_visits_with_an_inquiry_in_between()
    {
        Web.Server.Clock.Now = WebServer.Monday10;
        var caseId = await Web.OpenCaseAsync("鈴木 花子", "スズキ ハナコ", birthDate: "1975-04-02");
        await Web.CaughtUpAsync();

        var page = await fixture.SignedInAsync(StaffRole.Clerk, "clerk-7", "/desk", screenshot: "01-signin");
        await Browser.ShotAsync(page, "02-desk");
        // Search in hiragana for a name stored in katakana; Enter submits.
        await page.GetByLabel("氏名(漢字・かな)").FillAsync("すずき");
        await page.GetByLabel("氏名(漢字・かな)").PressAsync("Enter");
        await Expect(page.Locator("#results table")).ToContainTextAsync("鈴木 花子");
        // A server started normally is no demo: no banner, no clock to move (DemoPageTests).
        await Expect(page.Locator("#demo-banner")).ToHaveCountAsync(0);
        await Browser.ShotAsync(page, "03-desk-search-results");
        await page.GetByRole(AriaRole.Link, new() { Name = "鈴木 花子", Exact = true }).ClickAsync();

        await Expect(page).ToHaveURLAsync($"{Web.BaseAddress.ToString().TrimEnd('/')}/desk/cases/{caseId}");
        await Expect(page.Locator("#holder-name")).ToHaveTextAsync("鈴木 花子");
        await Expect(page.Locator("#renewal-window")).ToContainTextAsync("2026年3月16日(令和8年) 〜 2026年6月15日(令和8年)");
        await Expect(page.Locator("#checklist-items li[data-code=who-comes]")).ToBeVisibleAsync();
        // A ticket is called to one of the office's counters (its profile's; Saku lists none: the default three).
        await Expect(page.Locator("#call-counter option")).ToHaveTextAsync(["1番窓口", "2番窓口", "3番窓口"]);
        // The counter's flow (issue 13): the case starts at reception.
        await Expect(page.Locator("#stepper li[data-state=current]")).ToHaveAttributeAsync("data-step", "reception");
        await Browser.ShotAsync(page, "04-case-opened");

        // Visit 1: a proxy without the sealed reply form, with a driving licence.
        await page.Locator("#who-AppointedProxy").CheckAsync();
        await page.Locator("#reply-form").SelectOptionAsync("Missing");
        await page.Locator("#doc-rep-driving-licence").CheckAsync();
        await page.Locator("#holder-present").UncheckAsync();
        await Submit(page, "visit").ClickAsync();
        await Expect(page.Locator("#current-visit")).ToContainTextAsync("1回目の来庁を対応中: 任意代理人");
        await Expect(page.Locator("#current-visit")).ToContainTextAsync("確認済み");
        await Expect(page.Locator("#stepper li[data-state=current]")).ToHaveAttributeAsync("data-step", "pin");
        await Expect(page.Locator("#stepper li[data-step=reception]")).ToHaveAttributeAsync("data-state", "done");
        await Expect(page.Locator("#checklist-items li[data-code=mail-inquiry]")).ToBeVisibleAsync();

        // Renewal is refused today: the rule, plainly.
        await Submit(page, "renewal").ClickAsync();
        var refusal = page.Locator(".form-problem .problem");
        await Expect(refusal).ToHaveAttributeAsync("data-problem", "urn:casesystem:rule:proxy-sealed-reply-form");
        await Expect(refusal).ToContainTextAsync("本人が記入し封入した照会書兼回答書が必要です");
        await Browser.ShotAsync(page, "05-case-visit-1-renewal-refused");

        await page.Locator("#inquiry-reason").SelectOptionAsync("reply-form-missing");
        await Submit(page, "inquiry").ClickAsync();
        await Expect(page.Locator("#checklist-items li[data-code=inquiry-reply-awaited]")).ToBeVisibleAsync();
        await Expect(page.Locator("#inquiry")).ToContainTextAsync("回答待ち");
        await Expect(page.Locator("#inquiry")).ToContainTextAsync("2026年3月16日(令和8年) 送付・回答期限 2026年4月15日(令和8年)");
        await page.Locator("#end-outcome").SelectOptionAsync("MustReturn");
        await Submit(page, "end").ClickAsync();
        await Expect(page.Locator("#form-visit")).ToBeVisibleAsync();
        await Expect(page.Locator("#checklist-items li[data-code=second-visit-documents]")).ToBeVisibleAsync();
        await Browser.ShotAsync(page, "06-case-waiting-for-the-reply");

        // A week later the proxy comes back with the reply and the documents of the second visit.
        // (The clock moved past the session's token: the clerk signs in again and comes back to the case.)
        Web.Server.Clock.Now = WebServer.Monday10.AddDays(7);
        await fixture.SignedInAsync(StaffRole.Clerk, "clerk-7", $"/desk/cases/{caseId}", page: page);
        await Expect(page.Locator("#inquiry")).ToContainTextAsync("回答待ち");
        await page.Locator("#who-AppointedProxy").CheckAsync();
        await page.Locator("#reply-form").SelectOptionAsync("Sealed");
        await page.Locator("#doc-rep-driving-licence").CheckAsync();
        await page.Locator("#doc-rep-health-insurance-card").CheckAsync();
        await page.Locator("#doc-holder-health-insurance-card").CheckAsync();
        await page.Locator("#doc-other-letter-of-attorney").CheckAsync();
        await page.Locator("#holder-present").UncheckAsync();
        await Submit(page, "visit").ClickAsync();
        await Expect(page.Locator("#current-visit")).ToContainTextAsync("2回目の来庁を対応中");
        await Expect(page.Locator("#current-visit")).ToContainTextAsync("確認済み");

        await Submit(page, "reply").ClickAsync();
        await Expect(page.Locator("#inquiry")).ToContainTextAsync("回答書 受理済み");
        foreach (var certificate in new[] { "UserAuthentication", "Signing" })
        {
            await page.Locator("#pin-certificate").SelectOptionAsync(certificate);
            await page.Locator("#pin-result").SelectOptionAsync("Matched");
            await Submit(page, "pin").ClickAsync();
            await Expect(page.Locator("#live")).ToContainTextAsync("記録しました: 暗証番号の照合結果");
        }
        await Expect(page.Locator("#current-visit")).ToContainTextAsync("利用者証明用電子証明書、署名用電子証明書");
        await Expect(page.Locator("#stepper li[data-state=current]")).ToHaveAttributeAsync("data-step", "renewal");
        await Submit(page, "renewal").ClickAsync();
        await Expect(page.Locator("#renewed")).ToContainTextAsync(new System.Text.RegularExpressions.Regex("新しい有効期限は \\d+年\\d+月\\d+日\\(令和\\d+年\\) です"));
        await Expect(page.Locator("#stepper li[data-state=current]")).ToHaveAttributeAsync("data-step", "finish");
        await page.Locator("#end-outcome").SelectOptionAsync("Done");
        await Submit(page, "end").ClickAsync();
        await Expect(page.Locator("#live")).ToContainTextAsync("記録しました: 窓口対応を終了");
        // The visit that renewed ended done: the case closed as renewed, and the desk offers no more commands.
        await Expect(page.GetByText("終了した案件には操作できません。")).ToBeVisibleAsync();
        await Expect(page.Locator("#form-closure")).ToHaveCountAsync(0);

        await Expect(page.Locator("#visit-list tbody tr")).ToHaveCountAsync(2);
        await Expect(page.Locator("#visit-list tbody tr").Nth(0)).ToContainTextAsync("再来庁が必要");
        await Expect(page.Locator("#visit-list tbody tr").Nth(1)).ToContainTextAsync("手続完了");
        await Expect(page.Locator("#timeline tr[data-service=convenience-store]")).ToBeVisibleAsync();
        await Browser.ShotAsync(page, "07-case-renewed-with-timeline");

        // The activation timeline to hand to the holder, on a page of its own, printable.
        await page.Locator("#print-timeline").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/desk/cases/{caseId}/timeline$"));
        await Expect(page.Locator("#for-holder")).ToContainTextAsync("鈴木 花子 様");
        await Expect(page.Locator("#for-holder tr[data-service=convenience-store]")).ToContainTextAsync("2026年3月24日 00:00");
        await Browser.ShotAsync(page, "08-activation-timeline");
        await page.EmulateMediaAsync(new() { Media = Media.Print });
        await Expect(page.Locator("#print")).ToBeHiddenAsync();
        // Paper for the resident (issue 13): Japanese only, no live status frozen on it, who handed it over and when.
        await Expect(page.Locator("#for-holder .en").First).ToBeHiddenAsync();
        await Expect(page.Locator("#for-holder tr[data-service=convenience-store] td.live-only")).ToBeHiddenAsync();
        await Expect(page.Locator("#handout-footer")).ToContainTextAsync("佐久市");
        await Expect(page.Locator("#printed-on")).ToHaveTextAsync("作成日: 2026年3月23日(令和8年)");
        await Browser.ShotAsync(page, "09-activation-timeline-print");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_refused_action_shows_the_rule_and_its_reason_in_plain_japanese()
    {
        Web.Server.Clock.Now = WebServer.Monday10;
        var caseId = await Web.OpenCaseAsync("高橋 次郎", "タカハシ ジロウ", userExpiry: "2026-12-15", signingExpiry: "2026-12-15");
        var page = await fixture.SignedInAsync(StaffRole.Clerk, "clerk-2", $"/desk/cases/{caseId}");
        await Expect(page.Locator("#checklist-items li[data-code=window-not-open]")).ToContainTextAsync("更新は2026年9月16日から可能です");

        // The holder came: start the visit with the keyboard only (Enter submits the form).
        await page.Locator("#who-Holder").FocusAsync();
        await page.Keyboard.PressAsync("Space");
        await Expect(page.Locator("#who-Holder")).ToBeCheckedAsync();
        await Submit(page, "visit").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#current-visit")).ToContainTextAsync("本人");
        foreach (var certificate in new[] { "UserAuthentication", "Signing" })
        {
            await page.Locator("#pin-certificate").SelectOptionAsync(certificate);
            await page.Locator("#pin-result").SelectOptionAsync("Matched");
            await Submit(page, "pin").ClickAsync();
            // Waits for this check's own effect: "記録しました" is already there after the first one.
            await Expect(page.Locator("#current-visit")).ToContainTextAsync(certificate == "Signing" ? "署名用電子証明書" : "利用者証明用電子証明書");
        }
        await Submit(page, "renewal").ClickAsync();

        var refusal = page.Locator(".form-problem .problem");
        await Expect(refusal).ToBeVisibleAsync();
        await Expect(refusal).ToHaveAttributeAsync("role", "alert");
        await Expect(refusal).ToContainTextAsync("この操作はできません");
        await Expect(refusal).ToContainTextAsync("更新手続きは有効期限の3か月前の翌日から可能です。");
        await Expect(refusal).ToContainTextAsync("理由: 利用者証明用電子証明書の有効期限は2026年12月15日です。更新は2026年9月16日から可能です。");
        await Expect(refusal.Locator(".meta")).ToContainTextAsync("規則 renewal-window");
        await Expect(refusal.Locator(".meta")).ToContainTextAsync(Cases.Renewal.Rule.Seeds.Takatsuki);
        await Expect(page.Locator("#renewed")).ToHaveCountAsync(0);
        await Browser.ShotAsync(page, "10-refused-action");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_queue_display_updates_live_when_a_visit_starts_and_recovers_after_a_network_drop()
    {
        Web.Server.Clock.Now = WebServer.Monday10;
        var caseId = await Web.OpenCaseAsync("伊藤 三郎", "イトウ サブロウ", office: "usuda");
        await using var network = new FlakyNetwork(Web.BaseAddress);
        var page = await fixture.SignedInAsync(StaffRole.Station, "station-usuda", "/board", office: "usuda", through: network.Address);
        await Expect(page.Locator("#office-name")).ToContainTextAsync("臼田支所");
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "live");
        await Expect(page.Locator("#waiting")).ToContainTextAsync("お待ちの方はいません");
        await Browser.ShotAsync(page, "11-queue-display-empty");

        var path = $"/api/saku/cases/{caseId}";
        await Web.OkAsync(path + "/arrivals", new { office = "usuda", ticketNumber = "U-7" });
        await Expect(page.Locator("#waiting-list li[data-ticket='U-7']")).ToBeVisibleAsync();
        await Browser.ShotAsync(page, "12-queue-display-waiting");

        await Web.OkAsync(path + "/calls", new { office = "usuda", counter = "2番窓口", clerkId = "clerk-1" });
        await Expect(page.Locator("#serving-list tr[data-ticket='U-7']")).ToContainTextAsync("2番窓口");
        await Expect(page.Locator("#waiting-list li[data-ticket='U-7']")).ToHaveCountAsync(0);
        await Browser.ShotAsync(page, "13-queue-display-serving");
        // The holder came to the counter: the visit started, the number is no longer being called (issue 12).
        await Web.OkAsync(path + "/visits", new { office = "usuda", whoCame = "Holder", documents = Array.Empty<object>() });
        await Expect(page.Locator("#serving-list tr[data-ticket='U-7']")).ToHaveCountAsync(0);
        await Expect(page.Locator("#serving")).ToContainTextAsync("呼出し中の番号はありません");

        // The network drops: the display says so, and comes back by itself when the network does.
        network.Drop();
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "down");
        await Expect(page.Locator("#connection")).ToContainTextAsync("再接続しています");
        await Browser.ShotAsync(page, "13b-queue-display-network-down");
        var other = await Web.OpenCaseAsync("伊藤 四郎", "イトウ シロウ", office: "usuda");
        await Web.OkAsync($"/api/saku/cases/{other}/arrivals", new { office = "usuda", ticketNumber = "U-8" });
        network.Restore();
        await Expect(page.Locator("#waiting-list li[data-ticket='U-8']")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "live");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_clerk_voids_an_arrival_on_the_wrong_case_and_amends_a_visits_documents_and_outcome_each_with_a_reason()
    {
        Web.Server.Clock.Now = WebServer.Monday10;
        var caseId = await Web.OpenCaseAsync("小林 七郎", "コバヤシ シチロウ");
        await Web.OkAsync($"/api/saku/cases/{caseId}/arrivals", new { office = "shimin-ka", ticketNumber = "A-5" });
        var page = await fixture.SignedInAsync(StaffRole.Clerk, "clerk-4", $"/desk/cases/{caseId}");
        await Expect(page.Locator("#open-ticket")).ToContainTextAsync("A-5");

        // The arrival belonged to someone else's case: void it, with the reason.
        await page.Locator("#corrections summary").ClickAsync();
        await Expect(page.Locator("#void-entry")).ToContainTextAsync("番号札 A-5");
        await page.Locator("#void-reason").FillAsync("別の方の番号札をこの案件に記録したため");
        await Submit(page, "void").ClickAsync();
        await Expect(page.Locator("#live")).ToContainTextAsync("記録しました: 記録を取り消す");
        await Expect(page.Locator("#form-drop")).ToHaveCountAsync(0);
        await Expect(page.Locator("#corrections")).ToHaveCountAsync(0);

        // A proxy shows a licence; the clerk ticks the insurance card by mistake: refused, then the documents amended.
        await page.Locator("#who-AppointedProxy").CheckAsync();
        await page.Locator("#reply-form").SelectOptionAsync("Sealed");
        await page.Locator("#doc-rep-health-insurance-card").CheckAsync();
        await page.Locator("#holder-present").UncheckAsync();
        await Submit(page, "visit").ClickAsync();
        await Expect(page.Locator("#current-visit")).ToContainTextAsync("確認できず");
        await page.Locator("#corrections summary").ClickAsync();
        await page.Locator("#amend-rep-driving-licence").CheckAsync();
        await page.Locator("#documents-reason").FillAsync("運転免許証を保険証と取り違えて選択");
        await Submit(page, "documents").ClickAsync();
        await Expect(page.Locator("#current-visit")).ToContainTextAsync("確認済み");
        await Expect(page.Locator("#visit-list tbody tr").First).ToContainTextAsync("書類を訂正");
        await Expect(page.Locator("#visit-list tbody tr").First).ToContainTextAsync("運転免許証");

        await page.Locator("#end-outcome").SelectOptionAsync("MustReturn");
        await Submit(page, "end").ClickAsync();
        await Expect(page.Locator("#live")).ToContainTextAsync("記録しました: 窓口対応を終了");
        await page.Locator("#corrections summary").ClickAsync();
        await page.Locator("#outcome-value").SelectOptionAsync("Left");
        await page.Locator("#outcome-reason").FillAsync("途中で帰られた");
        await Submit(page, "outcome").ClickAsync();
        await Expect(page.Locator("#visit-list tbody tr").First).ToContainTextAsync("途中で退出");
        await Expect(page.Locator("#visit-list tbody tr").First).ToContainTextAsync("結果を訂正(理由: 途中で帰られた)");
        await Browser.ShotAsync(page, "10b-case-corrected");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_analyst_sees_the_charts_and_downloads_the_csv_without_any_name()
    {
        Web.Server.Clock.Now = WebServer.Monday10;
        // Takatsuki's own cases: the other tests of this class open Saku's, and a small group of
        // theirs would suppress this one too (a group shown is suppressed when the suppressed ones
        // hold fewer than 5 cases together).
        const string Office = "市民課(市役所本館7階マイナンバーカード特設会場)";
        for (var i = 0; i < 6; i++)
        {
            var id = await Web.OpenCaseAsync("山田 太郎", "ヤマダ タロウ", birthDate: "1966-01-23", municipality: "takatsuki", registeredAddress: "大阪府高槻市桃園町2番1号");
            if (i == 5) continue;
            var path = $"/api/takatsuki/cases/{id}";
            await Web.OkAsync(path + "/arrivals", new { office = "shimin-ka", ticketNumber = $"R-{i}" });
            await Web.OkAsync(path + "/calls", new { office = "shimin-ka", counter = "1番窓口", clerkId = "clerk-1" });
            await Web.OkAsync(path + "/visits", new { office = "shimin-ka", whoCame = "Holder", documents = Array.Empty<object>() });
            await Web.OkAsync(path + "/pin-checks", new { certificate = "UserAuthentication", result = "Matched", triesLeft = 3 });
            await Web.OkAsync(path + "/pin-checks", new { certificate = "Signing", result = "Matched", triesLeft = 5 });
            await Web.OkAsync(path + "/renewals", new { certificates = new[] { "UserAuthentication", "Signing" } });
            await Web.OkAsync(path + "/visits/current/end", new { outcome = "Done" });
        }
        await Web.CaughtUpAsync();

        var page = await fixture.SignedInAsync(StaffRole.Analyst, "analyst-1", "/dashboard", municipality: "takatsuki");
        await Expect(page.Locator("#totals")).ToContainTextAsync("案件");
        await Expect(page.Locator("#chart-rate-month svg rect.bar").First).ToBeVisibleAsync();
        await Expect(page.Locator("#chart-rate-office")).ToContainTextAsync(Office);
        await Expect(page.Locator("#chart-waits svg")).ToBeVisibleAsync();
        await Expect(page.Locator("body")).Not.ToContainTextAsync("山田");
        await Browser.ShotAsync(page, "14-dashboard");

        await page.Locator("#office").SelectOptionAsync("shimin-ka");
        await page.Locator("#filters button[type=submit]").ClickAsync();
        await Expect(page.Locator("#csv")).ToHaveAttributeAsync("href", new Regex("office=shimin-ka"));
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#csv").ClickAsync());
        var file = await download.PathAsync();
        var csv = await File.ReadAllTextAsync(file);
        Assert.Contains("件数(cases)", csv);
        Assert.Contains("窓口(office)", csv);
        Assert.Contains(Office, csv); // offices by the profile's name, not the code
        Assert.DoesNotContain("shimin-ka", csv);
        foreach (var personal in new[] { "山田", "ヤマダ", "太郎", "1966-01-23", "大阪府" }) Assert.DoesNotContain(personal, csv);
        Directory.CreateDirectory(Browser.ScreenshotFolder);
        File.Copy(file, Path.Combine(Browser.ScreenshotFolder, "14-dashboard-download.csv"), overwrite: true);

        // Analysts read no case: the desk is not theirs.
        var desk = await page.GotoAsync("/desk");
        Assert.Equal(403, desk!.Status);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_clerk_cannot_open_the_audit_pages_and_sees_why_in_japanese()
    {
        Web.Server.Clock.Now = WebServer.Monday10;
        var caseId = await Web.OpenCaseAsync("渡辺 五郎", "ワタナベ ゴロウ");
        var page = await fixture.SignedInAsync(StaffRole.Clerk, "clerk-3", "/desk");
        await Expect(page.Locator("nav")).Not.ToContainTextAsync("監査");

        foreach (var path in new[] { "/audit", $"/audit/cases/{caseId}" })
        {
            var response = await page.GotoAsync(path);
            Assert.Equal(403, response!.Status);
            await Expect(page.Locator("h1")).ToContainTextAsync("このページは表示できません");
            await Expect(page.Locator(".problem")).ToContainTextAsync("窓口職員");
            await Expect(page.Locator(".problem")).ToContainTextAsync("監督者");
        }
        await Browser.ShotAsync(page, "15-clerk-forbidden-audit");
        // The API behind the page refuses the cookie session too.
        var status = await page.EvaluateAsync<int>($"async () => (await fetch('/api/saku/cases/{caseId}/audit')).status");
        Assert.Equal(403, status);

        await page.GetByRole(AriaRole.Link, new() { Name = "自分のページへ戻る" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/desk$"));
        await page.Locator("#signout").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/signin\\?out=1$"));
        await Expect(page.Locator("[role=status]")).ToContainTextAsync("サインアウトしました");
        await page.GotoAsync("/desk");
        await Expect(page).ToHaveURLAsync(new Regex("/signin\\?next="));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_supervisor_searches_across_cases_and_audits_a_case_history_with_its_chain_check_and_viewers()
    {
        Web.Server.Clock.Now = WebServer.Monday10;
        var caseId = await Web.OpenCaseAsync("中村 六郎", "ナカムラ ロクロウ");
        await Web.OkAsync($"/api/saku/cases/{caseId}/arrivals", new { office = "shimin-ka", ticketNumber = "S-1" });
        Assert.Equal(System.Net.HttpStatusCode.OK, (await Web.Server.Http.GetAsync($"/api/saku/cases/{caseId}")).StatusCode);

        var page = await fixture.SignedInAsync(StaffRole.Supervisor, "supervisor-1", "/audit");
        await Expect(page.Locator("body[data-ready=true]")).ToBeVisibleAsync();
        // Days are the days of recording, by the server's clock (the database's, not the test's).
        await page.Locator("#day").FillAsync(JapanTime.DateOf(DateTimeOffset.UtcNow).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await page.Locator("#staff").FillAsync("clerk-1");
        await page.Locator("#office").SelectOptionAsync("shimin-ka");
        await page.Locator("#type").SelectOptionAsync("ArrivedAtOffice");
        await page.Locator("#staff").PressAsync("Enter");
        var link = page.Locator($"#audit-results a[href='/audit/cases/{caseId}']");
        await Expect(link).ToBeVisibleAsync();
        await Expect(page.Locator("#audit-results tbody tr").First).ToContainTextAsync("来庁(番号札発行)");
        await Browser.ShotAsync(page, "16-audit-search");

        await link.ClickAsync();
        await Expect(page.Locator("#chain-status")).ToHaveAttributeAsync("data-intact", "true");
        // Opened in its renewal window (held open by its dates, no event of its own), then the arrival.
        await Expect(page.Locator("#event-list li")).ToHaveCountAsync(2);
        await Expect(page.Locator("#event-list li").Nth(1)).ToContainTextAsync("来庁(番号札発行)");
        await Expect(page.Locator("#event-list li").Nth(1)).ToContainTextAsync("職員 clerk-1");
        await Expect(page.Locator("#event-list li").Nth(1)).ToContainTextAsync("佐久市役所 市民課");
        await Expect(page.Locator("#event-list li").Nth(1)).ToContainTextAsync("2026年3月16日 10:00");
        await Expect(page.Locator("#viewers")).ToContainTextAsync("clerk-1");
        await Browser.ShotAsync(page, "17-audit-case-history");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_admin_sees_each_projections_position_and_lag_and_that_a_rebuild_is_the_operators()
    {
        await Web.CaughtUpAsync();
        var page = await fixture.SignedInAsync(StaffRole.Admin, "admin-1", "/projections");
        var row = page.Locator("#projection-table tr[data-name='case-views']").First;
        await Expect(row).ToContainTextAsync("稼働中");
        await Expect(row).ToContainTextAsync("casesystem ");
        await Expect(page.Locator("#projection-table tr[data-name='queue-board']").First).ToBeVisibleAsync();
        await Browser.ShotAsync(page, "18-projection-status");

        // A rebuild remakes every municipality's rows: no button for it here, the page says who does it.
        await Expect(row.GetByRole(AriaRole.Button, new() { Name = "case-views を再構築" })).ToHaveCountAsync(0);
        await Expect(page.Locator("#scope")).ToContainTextAsync("ops/projections rebuild");
        await Expect(row).Not.ToContainTextAsync("再開");
        await Browser.ShotAsync(page, "19-projection-scope");
        await page.Context.CloseAsync();
    }
}
