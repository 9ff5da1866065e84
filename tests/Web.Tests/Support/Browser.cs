using Microsoft.Playwright;

namespace CaseSystem.Web.Tests.Support;

/// <summary>
/// Debian's Chromium (/usr/bin/chromium, installed by ops/setup), driven headless by Playwright;
/// Playwright's own browser download is never used. Screenshots of every page go to
/// test-output/screenshots/ at the repository's root, for a person to look at.
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private IPlaywright _playwright = null!;

    public IBrowser Instance { get; private set; } = null!;

    public static string ScreenshotFolder { get; } = FindScreenshotFolder();

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium))
        {
            throw new InvalidOperationException($"{Chromium} is missing: ops/setup installs Debian's chromium package (ops/test runs it).");
        }
        _playwright = await Playwright.CreateAsync();
        Instance = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--disable-gpu", "--disable-dev-shm-usage", "--lang=ja-JP"],
        });
    }

    public async Task DisposeAsync()
    {
        await Instance.DisposeAsync();
        _playwright.Dispose();
    }

    /// <summary>A fresh browser context (its own cookies) on the server, in Japanese and Japan time, with long waits for this loaded machine.</summary>
    public async Task<IPage> NewPageAsync(Uri baseAddress)
    {
        var context = await Instance.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString().TrimEnd('/'),
            Locale = "ja-JP",
            TimezoneId = "Asia/Tokyo",
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout(20_000);
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => Console.Error.WriteLine($"[page error] {page.Url}: {error}");
        return page;
    }

    public static async Task ShotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });
    }

    private static string FindScreenshotFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CaseSystem.sln")))
            {
                return Path.Combine(dir.FullName, "test-output", "screenshots");
            }
        }
        return Path.Combine(AppContext.BaseDirectory, "test-output", "screenshots");
    }
}
