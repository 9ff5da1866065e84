using CaseSystem.Cases.Auth;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CaseSystem.Web.Tests.Support;

/// <summary>One server and one browser for the page tests of a class; each test opens its own browser context (its own session).</summary>
public sealed class WebFixture : IAsyncLifetime
{
    public WebServer Web { get; } = new();

    public Browser Browser { get; } = new();

    public async Task InitializeAsync()
    {
        SetDefaultExpectTimeout(20_000);
        await Web.InitializeAsync();
        await Browser.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        await Web.DisposeAsync();
    }

    /// <summary>Opens <paramref name="path"/>, is sent to the sign-in page, pastes a token of that staff member into the terminals' form and presses Enter.</summary>
    public async Task<IPage> SignedInAsync(StaffRole role, string staffId, string path, string office = "shimin-ka", string? screenshot = null,
        IPage? page = null, Uri? through = null, string municipality = "saku")
    {
        page ??= await Browser.NewPageAsync(through ?? Web.BaseAddress);
        await page.GotoAsync(path);
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin\\?next="));
        await Expect(page.GetByLabel("職員ID")).ToBeFocusedAsync();
        await page.GetByLabel("職員トークン").FillAsync(Web.Token(role, staffId, municipality, office));
        if (screenshot is not null) await Browser.ShotAsync(page, screenshot);
        await page.GetByLabel("職員トークン").PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(System.Text.RegularExpressions.Regex.Escape(path.Split('?')[0])));
        // The URL is the new page's as soon as its navigation commits, before its module script has run:
        // a test that filled and sent a form then sent it natively, without the script's handler, and the
        // page reloaded empty (WalkInAndImportPageTests in a clean-clone CI run, 2026-12-03). Module
        // scripts have run by DOMContentLoaded.
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
        return page;
    }
}
