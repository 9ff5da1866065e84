using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CaseSystem.Cases;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Tests.Support;
using CaseSystem.Projections.Tests.Support;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace CaseSystem.Projections.Tests.ExpiryForecast;

/// <summary>
/// Saku (4 offices, weekdays 08:30–17:15 = 525 minutes, 3 counters each: the profile lists none),
/// built through the HTTP API only:
/// <list type="bullet">
/// <item>Week 2026-W40 (Mon 28 Sep – Fri 2 Oct): five holders renew at 市民課 (shimin-ka), one a
/// day, having waited 10, 20, 30, 40 and 50 minutes, each served for 105 minutes; their
/// certificates expire on 20 Nov 2026 (W47). On Thursday 1 Oct a notice is imported whose
/// certificate expired on 28 Sep: it is recorded lapsed at once.</item>
/// <item>Monday 5 Oct 2026 (W41), 10:00: notices imported, never visited (no office: counted at the main
/// office, shimin-ka): 3 expiring 4 Nov (W45, with 文化の日 on Tuesday 3 Nov), 22 expiring 30 Dec (W53:
/// only Monday 28 Dec open, 29 Dec – 3 Jan closed); a case opened at 臼田支所 (usuda) expiring 5 Nov.</item>
/// </list>
/// The report then has 32 cases: renewed 5 of a rate base of 6 (the five and the lapsed one; the
/// others' months have not ended), 5 visits over 6 finished cases, service 105 minutes over 5 visits.
/// </summary>
internal sealed class ForecastScenario(TestServer server, ProjectionsDatabase db)
{
    public static readonly DateTimeOffset Monday = new(2026, 9, 28, 8, 0, 0, JapanTime.Offset);
    public static readonly int[] Waits = [10, 20, 30, 40, 50];
    public const int ServiceMinutes = 105;

    public async Task BuildAsync()
    {
        for (var day = 0; day < 5; day++)
        {
            At(day, 8, 30);
            var path = (await server.OpenCaseAsync("saku", "shimin-ka", userExpiry: "2026-11-20", signingExpiry: "2026-11-20")).Path;
            At(day, 9, 0);
            await OkAsync(path + "/arrivals", new { office = "shimin-ka", ticketNumber = $"A-{day + 1}" });
            At(day, 9, Waits[day]);
            await OkAsync(path + "/calls", new { office = "shimin-ka", counter = "1番窓口", clerkId = "clerk-1" });
            await OkAsync(path + "/visits", new { office = "shimin-ka", whoCame = "Holder", documents = Array.Empty<object>() });
            await OkAsync(path + "/pin-checks", new { certificate = "UserAuthentication", result = "Matched", triesLeft = 3 });
            await OkAsync(path + "/pin-checks", new { certificate = "Signing", result = "Matched", triesLeft = 5 });
            await OkAsync(path + "/renewals", new { certificates = new[] { "UserAuthentication", "Signing" } });
            At(day, 9 + (Waits[day] + ServiceMinutes) / 60, (Waits[day] + ServiceMinutes) % 60);
            await OkAsync(path + "/visits/current/end", new { outcome = "Done" });
        }
        At(3, 10, 0);
        await ImportAsync("W40", [("L-1", "2026-09-28")]);

        server.Clock.Now = new DateTimeOffset(2026, 10, 5, 10, 0, 0, JapanTime.Offset);
        await ImportAsync("W41", [
            .. Enumerable.Range(1, 3).Select(i => ($"N-{i}", "2026-11-04")),
            .. Enumerable.Range(1, 22).Select(i => ($"Y-{i}", "2026-12-30")),
        ]);
        await server.OpenCaseAsync("saku", "usuda", userExpiry: "2026-11-05", signingExpiry: "2026-11-05");
        await db.CaughtUpAsync(server.Services.GetRequiredService<IDocumentStore>());
        server.Role = StaffRole.Analyst;
    }

    private void At(int day, int hour, int minute) =>
        server.Clock.Now = new DateTimeOffset(Monday.Date.AddDays(day).AddHours(hour).AddMinutes(minute), JapanTime.Offset);

    private async Task ImportAsync(string batch, IEnumerable<(string Notice, string Expiry)> notices)
    {
        var csv = new StringBuilder("notice_number,name_kanji,name_kana,birth_date,registered_address,user_authentication_expiry,signing_expiry\n");
        foreach (var (notice, expiry) in notices) csv.Append($"{notice},佐久 花子,サク ハナコ,1975-04-02,長野県佐久市中込3056,{expiry},{expiry}\n");
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(csv.ToString()));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("text/csv; charset=utf-8");
        var response = await server.Http.PostAsync($"/api/saku/notices?batch={batch}", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Equal(notices.Count(), JsonDocument.Parse(text).RootElement.GetProperty("imported").GetInt32());
    }

    private async Task OkAsync(string path, object body)
    {
        var response = await server.PostAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public async Task<JsonElement> GetAsync(string path)
    {
        var response = await server.Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
