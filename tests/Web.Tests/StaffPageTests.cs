using System.Text.RegularExpressions;
using CaseSystem.Cases.Auth;
using CaseSystem.Web.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CaseSystem.Web.Tests;

/// <summary>The staff directory's page and the password sign-in, in Chromium (issue 14).</summary>
public sealed class StaffPageTests(WebFixture fixture) : IClassFixture<WebFixture>
{
    [Fact]
    public async Task The_admin_adds_a_clerk_who_signs_in_with_the_temporary_password_and_changes_it_and_disabling_signs_them_out()
    {
        var admin = await fixture.SignedInAsync(StaffRole.Admin, "admin-1", "/staff");
        await admin.GetByLabel("職員ID").FillAsync("tanaka-1");
        await admin.GetByLabel("氏名").FillAsync("田中 花子");
        await admin.GetByLabel("役割").SelectOptionAsync("clerk");
        await admin.GetByLabel("所属窓口").SelectOptionAsync("usuda");
        await admin.GetByRole(AriaRole.Button, new() { Name = "追加して仮パスワードを発行" }).ClickAsync();
        await Expect(admin.Locator("#temporary")).ToContainTextAsync("tanaka-1 の仮パスワード");
        var password = (await admin.Locator("#temporary code.password").TextContentAsync())!;
        await Expect(admin.Locator("#member-table tr[data-staff='tanaka-1']")).ToContainTextAsync("有効");
        await Browser.ShotAsync(admin, "30-staff-directory");

        var clerk = await fixture.Browser.NewPageAsync(fixture.Web.BaseAddress);
        await clerk.GotoAsync("/desk");
        await Expect(clerk).ToHaveURLAsync(new Regex("/signin\\?next="));
        await clerk.GetByLabel("自治体").SelectOptionAsync("saku");
        await clerk.GetByLabel("職員ID").FillAsync("tanaka-1");
        await clerk.GetByLabel("パスワード").FillAsync(password);
        await Browser.ShotAsync(clerk, "31-password-sign-in");
        await clerk.GetByLabel("パスワード").PressAsync("Enter");
        await Expect(clerk).ToHaveURLAsync(new Regex("/desk$"));
        await Expect(clerk.Locator(".who")).ToContainTextAsync("臼田支所");

        // From their name in the menu bar, they change the temporary password.
        await clerk.Locator("a.who").ClickAsync();
        await Expect(clerk).ToHaveURLAsync(new Regex("/account$"));
        await clerk.GetByLabel("現在のパスワード").FillAsync(password);
        await clerk.GetByLabel("新しいパスワード").FillAsync("my-own-long-passphrase");
        await clerk.GetByRole(AriaRole.Button, new() { Name = "変更" }).ClickAsync();
        await Expect(clerk.Locator("#live")).ToContainTextAsync("パスワードを変更しました");

        // Disabled by the admin: the clerk's next request finds the session over.
        await admin.GetByRole(AriaRole.Button, new() { Name = "tanaka-1 を無効にする" }).ClickAsync();
        // The row's standing, not the row: its button said 無効にする before the change was made.
        await Expect(admin.Locator("#member-table tr[data-staff='tanaka-1'] .tag")).ToHaveTextAsync("無効");
        await clerk.GotoAsync("/desk");
        await Expect(clerk).ToHaveURLAsync(new Regex("/signin\\?next="));
        await clerk.Context.CloseAsync();
        await admin.Context.CloseAsync();
    }

    [Fact]
    public async Task A_wrong_password_sends_back_to_the_sign_in_with_a_message_that_gives_nothing_away()
    {
        var page = await fixture.Browser.NewPageAsync(fixture.Web.BaseAddress);
        await page.GotoAsync("/signin?next=%2Fdesk");
        await page.GetByLabel("職員ID").FillAsync("nobody-1");
        await page.GetByLabel("パスワード").FillAsync("not-a-password");
        await page.GetByLabel("パスワード").PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new Regex("/signin\\?error=invalid&next=%2Fdesk$"));
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("職員ID・パスワードが違うか");
        await page.Context.CloseAsync();
    }
}
