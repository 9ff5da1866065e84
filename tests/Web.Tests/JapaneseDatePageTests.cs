using System.Text.Json;
using CaseSystem.Cases.Auth;
using CaseSystem.Web.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CaseSystem.Web.Tests;

/// <summary>
/// Dates as written at a counter (issue 13), in the pages: the pages' wareki.js reads and shows
/// every case of tests/Shared/japanese-dates.json as src/Contracts/JapaneseDates.cs does (its C#
/// tests read the same file), and a clerk finds a case by a birth date typed in 和暦.
/// </summary>
public sealed class JapaneseDatePageTests(WebFixture fixture) : IClassFixture<WebFixture>
{
    private WebServer Web => fixture.Web;

    private static readonly string Cases = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Shared", "japanese-dates.json"));

    [Fact]
    public async Task The_pages_read_and_show_dates_as_the_server_and_the_station_do()
    {
        Web.Server.Clock.Now = WebServer.Monday10;
        var page = await fixture.SignedInAsync(StaffRole.Clerk, "clerk-41", "/desk");
        var outcome = await page.EvaluateAsync<JsonElement>("""
            async json => {
              const cases = JSON.parse(json);
              const m = await import("/assets/wareki.js");
              return {
                read: cases.read.map(c => ({ text: c.text, expected: c.date, got: m.parseDate(c.text).date, ja: m.parseDate(c.text).ja })),
                show: cases.show.map(c => ({ date: c.date, wareki: [c.wareki, m.wareki(c.date)], withWareki: [c.withWareki, m.withWareki(c.date)] })),
              };
            }
            """, Cases);

        var read = outcome.GetProperty("read").EnumerateArray().ToList();
        Assert.NotEmpty(read);
        foreach (var c in read)
        {
            var text = c.GetProperty("text").GetString();
            Assert.True(c.GetProperty("expected").ToString() == c.GetProperty("got").ToString(), $"'{text}': expected {c.GetProperty("expected")}, the page read {c.GetProperty("got")}");
            if (c.GetProperty("expected").ValueKind == JsonValueKind.Null) Assert.False(string.IsNullOrEmpty(c.GetProperty("ja").GetString()), $"'{text}' refused without a reason");
        }
        foreach (var c in outcome.GetProperty("show").EnumerateArray())
        {
            Assert.Equal(c.GetProperty("wareki")[0].GetString(), c.GetProperty("wareki")[1].GetString());
            Assert.Equal(c.GetProperty("withWareki")[0].GetString(), c.GetProperty("withWareki")[1].GetString());
        }
    }

    [Fact]
    public async Task A_clerk_finds_a_case_by_a_birth_date_typed_in_wareki_and_sees_it_with_its_era()
    {
        Web.Server.Clock.Now = WebServer.Monday10;
        await Web.OpenCaseAsync("髙橋 和子", "タカハシ カズコ", birthDate: "1980-06-15");
        await Web.OpenCaseAsync("髙橋 次郎", "タカハシ ジロウ", birthDate: "1981-06-15");
        await Web.CaughtUpAsync();
        var page = await fixture.SignedInAsync(StaffRole.Clerk, "clerk-41", "/desk");

        var birth = page.Locator("#birthDate");
        await birth.FillAsync("H31.5.1");
        await Expect(page.Locator("#birthDate-reading")).ToContainTextAsync("令和元年5月1日のことですか");
        await birth.FillAsync("S55.6.15");
        await Expect(page.Locator("#birthDate-reading")).ToHaveTextAsync("→ 1980年6月15日(昭和55年)");
        // The name typed with the keyboard's 高 finds the register's 髙.
        await page.GetByLabel("氏名(漢字・かな)").FillAsync("高橋");
        await birth.PressAsync("Enter");
        var rows = page.Locator("#results tbody tr");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToContainTextAsync("髙橋 和子");
        await Expect(rows.First).ToContainTextAsync("1980年6月15日(昭和55年)");
        await Browser.ShotAsync(page, "40-desk-search-by-wareki");
    }
}
