using System.Text.RegularExpressions;
using CaseSystem.Cases.Auth;
using CaseSystem.Web.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CaseSystem.Web.Tests;

/// <summary>
/// Issue 13 in Chromium: the clerk calls the next ticket from the desk, the wall display flashes,
/// chimes, ticks and lists the last calls, and a display token's kiosk shows the board and nothing
/// else. The tests wait on what the pages show, never on time.
/// </summary>
public sealed class QueuePageTests(WebFixture fixture) : IClassFixture<WebFixture>
{
    private WebServer Web => fixture.Web;

    private string Base => Web.BaseAddress.ToString().TrimEnd('/');

    [Fact]
    public async Task A_clerk_calls_the_longest_waiting_from_the_desk_and_the_display_flashes_chimes_and_lists_the_last_calls()
    {
        const string office = "mochizuki";
        Web.Server.Clock.Now = WebServer.Monday10.AddMinutes(-20);
        var first = await Web.OpenCaseAsync("望月 一郎", "モチヅキ イチロウ", office: office);
        var second = await Web.OpenCaseAsync("望月 二郎", "モチヅキ ジロウ", office: office);
        await Web.OkAsync($"/api/saku/cases/{first}/arrivals", new { office, ticketNumber = "M-1" });
        Web.Server.Clock.Now = WebServer.Monday10.AddMinutes(-5);
        await Web.OkAsync($"/api/saku/cases/{second}/arrivals", new { office, ticketNumber = "M-2" });
        Web.Server.Clock.Now = WebServer.Monday10;

        var wall = await fixture.SignedInAsync(StaffRole.Display, "display-mochizuki", $"/kiosk/{office}", office: office);
        await Expect(wall.Locator("#connection")).ToHaveAttributeAsync("data-state", "live");
        await Expect(wall.Locator("#waiting-list li")).ToHaveTextAsync(["M-1", "M-2"]);
        await Expect(wall.Locator("#recent")).ToContainTextAsync("本日の呼出しはまだありません");
        // The clock ticks (Japan time, by the server's clock): its text changes by itself.
        await Expect(wall.Locator("#clock")).ToHaveTextAsync(new Regex(@"^\d\d:\d\d:\d\d$"));
        var shown = await wall.Locator("#clock").TextContentAsync();
        await Expect(wall.Locator("#clock")).Not.ToHaveTextAsync(shown!);
        await Browser.ShotAsync(wall, "30-kiosk-waiting");

        var desk = await fixture.SignedInAsync(StaffRole.Clerk, "clerk-m", "/desk", office: office);
        await Expect(desk.Locator("#call-next-counter option")).ToHaveTextAsync(["1番窓口", "2番窓口", "3番窓口"]);
        await desk.Locator("#call-next-counter").SelectOptionAsync("2番窓口");
        await Browser.ShotAsync(desk, "31-desk-call-next");
        await desk.GetByRole(AriaRole.Button, new() { Name = "次の方を呼ぶ" }).ClickAsync();
        await Expect(desk).ToHaveURLAsync($"{Base}/desk/cases/{first}");
        await Expect(desk.Locator("#open-ticket")).ToContainTextAsync("M-1");

        // The display: the call, flashed and chimed (WebAudio; whether the browser let it sound is in data-chime), and the last calls.
        var called = wall.Locator("#serving-list tr[data-ticket='M-1']");
        await Expect(called).ToContainTextAsync("2番窓口");
        await Expect(called).ToHaveClassAsync(new Regex(@"\bflash\b"));
        await Expect(wall.Locator("body")).ToHaveAttributeAsync("data-chimes", "1");
        await Expect(wall.Locator("body")).ToHaveAttributeAsync("data-announced", "M-1");
        await Expect(wall.Locator("body")).ToHaveAttributeAsync("data-chime", new Regex("^(running|suspended)$"));
        await Expect(wall.Locator("#recent-list li")).ToHaveTextAsync(["M-1 → 2番窓口"]);
        await Expect(wall.Locator("#waiting-list li")).ToHaveTextAsync(["M-2"]);
        await Browser.ShotAsync(wall, "32-kiosk-called");

        // Recall from the desk: the same ticket chimes again.
        Web.Server.Clock.Now = WebServer.Monday10.AddMinutes(1);
        await desk.GotoAsync("/desk");
        await Expect(desk.Locator("#call-next-counter")).ToHaveValueAsync("2番窓口");
        await desk.GetByRole(AriaRole.Button, new() { Name = "再呼出し" }).ClickAsync();
        await Expect(desk).ToHaveURLAsync($"{Base}/desk/cases/{first}");
        await Expect(wall.Locator("body")).ToHaveAttributeAsync("data-chimes", "2");

        // No answer: a no-show (the case's ticket drop); the number leaves the display.
        await desk.Locator("#drop-kind").SelectOptionAsync("NoShow");
        await desk.Locator("#form-drop button[type=submit]").ClickAsync();
        await Expect(wall.Locator("#serving-list tr[data-ticket='M-1']")).ToHaveCountAsync(0);

        Web.Server.Clock.Now = WebServer.Monday10.AddMinutes(2);
        await desk.GotoAsync("/desk");
        await desk.GetByRole(AriaRole.Button, new() { Name = "次の方を呼ぶ" }).ClickAsync();
        await Expect(desk).ToHaveURLAsync($"{Base}/desk/cases/{second}");
        await Expect(wall.Locator("#serving-list tr[data-ticket='M-2']")).ToHaveClassAsync(new Regex(@"\bflash\b"));
        await Expect(wall.Locator("body")).ToHaveAttributeAsync("data-chimes", "3");
        await Expect(wall.Locator("#recent-list li")).ToHaveTextAsync(["M-2 → 2番窓口", "M-1 → 2番窓口"]);
        await Expect(wall.Locator("#waiting")).ToContainTextAsync("お待ちの方はいません");

        // No one waits: the problem, plainly.
        await desk.GotoAsync("/desk");
        await desk.GetByRole(AriaRole.Button, new() { Name = "次の方を呼ぶ" }).ClickAsync();
        var problem = desk.Locator("#call-next-result .problem");
        await Expect(problem).ToHaveAttributeAsync("data-problem", "urn:casesystem:problem:no-one-waiting");
        await Expect(problem).ToContainTextAsync("お待ちの方はいません");
        await Expect(desk).ToHaveURLAsync($"{Base}/desk");
        await Browser.ShotAsync(desk, "33-desk-no-one-waiting");
        await Browser.ShotAsync(wall, "34-kiosk-recent-calls");
        await wall.Context.CloseAsync();
        await desk.Context.CloseAsync();
    }

    [Fact]
    public async Task In_Kawasaki_the_desk_calls_a_reservation_due_now_before_an_earlier_arrival_reserved_for_later()
    {
        const string office = "nakahara-ku";
        const string address = "神奈川県川崎市中原区小杉町3丁目245";
        Web.Server.Clock.Now = WebServer.Monday10.AddMinutes(-40);
        var later = await Web.OpenCaseAsync("中原 後子", "ナカハラ ノチコ", municipality: "kawasaki", office: office, registeredAddress: address);
        var now = await Web.OpenCaseAsync("中原 今子", "ナカハラ イマコ", municipality: "kawasaki", office: office, registeredAddress: address);
        await Web.OkAsync($"/api/kawasaki/cases/{later}/reservations", new { office, slotStart = WebServer.Monday10.AddHours(3) });
        await Web.OkAsync($"/api/kawasaki/cases/{now}/reservations", new { office, slotStart = WebServer.Monday10 });
        await Web.OkAsync($"/api/kawasaki/cases/{later}/arrivals", new { office, ticketNumber = "N-1" });
        Web.Server.Clock.Now = WebServer.Monday10.AddMinutes(-10);
        await Web.OkAsync($"/api/kawasaki/cases/{now}/arrivals", new { office, ticketNumber = "N-2" });
        Web.Server.Clock.Now = WebServer.Monday10;
        await Web.CaughtUpAsync();

        var desk = await fixture.SignedInAsync(StaffRole.Clerk, "clerk-k", "/desk", office: office, municipality: "kawasaki");
        await desk.GetByRole(AriaRole.Button, new() { Name = "次の方を呼ぶ" }).ClickAsync();
        await Expect(desk).ToHaveURLAsync($"{Base}/desk/cases/{now}");
        await Expect(desk.Locator("#open-ticket")).ToContainTextAsync("N-2");
        await Browser.ShotAsync(desk, "37-desk-kawasaki-reservation-called-first");
        await desk.Context.CloseAsync();
    }

    [Fact]
    public async Task A_display_token_sees_its_board_without_staff_id_or_sign_out_reads_no_case_and_an_unknown_office_is_an_error_page()
    {
        const string office = "asashina";
        Web.Server.Clock.Now = WebServer.Monday10;
        var caseId = await Web.OpenCaseAsync("浅科 花子", "アサシナ ハナコ", office: office);
        await Web.OkAsync($"/api/saku/cases/{caseId}/arrivals", new { office, ticketNumber = "S-3" });

        var wall = await fixture.SignedInAsync(StaffRole.Display, "display-asashina", $"/kiosk/{office}", office: office);
        await Expect(wall.Locator("#office-name")).ToContainTextAsync("浅科支所");
        await Expect(wall.Locator("#waiting-list li[data-ticket='S-3']")).ToBeVisibleAsync();
        await Expect(wall.Locator("#connection")).ToHaveAttributeAsync("data-state", "live");
        await Expect(wall.Locator("#signout")).ToHaveCountAsync(0);
        await Expect(wall.Locator("nav")).ToHaveCountAsync(0);
        await Expect(wall.Locator("body")).Not.ToContainTextAsync("display-asashina");
        await Browser.ShotAsync(wall, "35-kiosk-display-token");

        // Nothing but the board: a case is 403, another office's board too, and the desk is the 403 page.
        Assert.Equal(403, await wall.EvaluateAsync<int>($"fetch('/api/saku/cases/{caseId}').then(r => r.status)"));
        Assert.Equal(403, await wall.EvaluateAsync<int>("fetch('/api/saku/offices/usuda/board').then(r => r.status)"));
        Assert.Equal(403, await wall.EvaluateAsync<int>("fetch('/api/saku/cases?name=浅科').then(r => r.status)"));
        Assert.Equal(200, await wall.EvaluateAsync<int>($"fetch('/api/saku/offices/{office}/board').then(r => r.status)"));
        var desk = await wall.GotoAsync("/desk");
        Assert.Equal(403, desk!.Status);

        // An office the municipality does not have: a Japanese error page, not an empty board that looks live.
        var unknown = await wall.GotoAsync("/kiosk/nowhere");
        Assert.Equal(404, unknown!.Status);
        await Expect(wall.Locator("#error-title")).ToContainTextAsync("この窓口はありません");
        await Expect(wall.Locator("#error-message")).ToContainTextAsync("「nowhere」という窓口は佐久市にありません");
        await Expect(wall.Locator("#connection")).ToHaveCountAsync(0);
        await Browser.ShotAsync(wall, "36-kiosk-unknown-office");
        // Another office of the municipality: this display's is not it.
        var other = await wall.GotoAsync("/kiosk/usuda");
        Assert.Equal(403, other!.Status);
        await Expect(wall.Locator("#error-message")).ToContainTextAsync("浅科支所");
        await wall.Context.CloseAsync();
    }
}
