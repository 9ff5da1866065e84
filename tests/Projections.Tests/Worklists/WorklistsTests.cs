using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using CaseSystem.Cases;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Tests.Support;
using CaseSystem.Projections.Tests.Support;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace CaseSystem.Projections.Tests.Worklists;

/// <summary>
/// Issue 13's worklists, built only through the HTTP API with the daemon running in the server:
/// replies awaited and overdue as the clock passes the due date, expiry near with no visit yet,
/// today's reservations in Kawasaki, each clerk's own open cases; a closed case leaves every list.
/// </summary>
public sealed class WorklistsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Monday10 = new(2026, 3, 16, 10, 0, 0, JapanTime.Offset);
    private static readonly object Licence = new { kind = "driving-licence", owner = "Representative", validUntil = "2030-01-01" };
    private readonly ProjectionsDatabase _db = new();
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        _server = await TestServer.StartAsync(_db, Monday10, app => app.MapProjections(), builder => builder.Services.AddProjections(builder.Configuration));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _db.DisposeAsync();
    }

    private async Task<JsonElement> OkAsync(string path, object body, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = System.Net.Http.Json.JsonContent.Create(body, options: TestServer.Json) };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await _server.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    /// <summary>A list after the daemon has caught up, as the staff member of <paramref name="token"/> (clerk-1 of the municipality without one).</summary>
    private async Task<JsonElement> ListAsync(string municipality, string list, string query = "", string? token = null)
    {
        await _db.CaughtUpAsync(_server.Services.GetRequiredService<IDocumentStore>());
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/{municipality}/worklists/{list}{query}");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await _server.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{list}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private static Guid IdOf(string path) => Guid.Parse(path.Split('/')[^1]);

    private static Guid[] Ids(JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("caseId").GetGuid())];

    private void At(int days, int hour = 10, int minute = 0) =>
        _server.Clock.Now = new DateTimeOffset(Monday10.Date.AddDays(days).AddHours(hour).AddMinutes(minute), JapanTime.Offset);

    private async Task ProxyWithoutFormAsync(string path)
    {
        await OkAsync(path + "/visits", new { office = "shimin-ka", whoCame = "AppointedProxy", documents = new[] { Licence }, replyForm = "Missing", holderPresent = false });
        await OkAsync(path + "/inquiries", new { reason = "reply-form-missing" });
        await OkAsync(path + "/visits/current/end", new { outcome = "MustReturn" });
    }

    [Fact]
    public async Task An_inquiry_awaits_its_reply_until_its_due_date_is_overdue_from_the_next_day_and_leaves_both_lists_when_the_reply_comes()
    {
        var waiting = (await _server.OpenCaseAsync()).Path;
        var withdrawn = (await _server.OpenCaseAsync(nameKanji: "鈴木 二郎", nameKana: "スズキ ジロウ")).Path;
        var holderCame = (await _server.OpenCaseAsync(nameKanji: "田中 三郎", nameKana: "タナカ サブロウ")).Path;
        await ProxyWithoutFormAsync(waiting);
        await ProxyWithoutFormAsync(withdrawn);
        await OkAsync(holderCame + "/visits", new { office = "shimin-ka", whoCame = "Holder", documents = Array.Empty<object>() });

        var awaited = await ListAsync("saku", "replies-awaited");
        Assert.Equal(new[] { IdOf(waiting), IdOf(withdrawn) }.Order(), Ids(awaited).Order());
        Assert.Equal(2, awaited.GetProperty("count").GetInt32());
        var item = awaited.GetProperty("items")[0];
        Assert.Equal("2026-03-16", item.GetProperty("inquiryMailedOn").GetString());
        Assert.Equal("2026-04-15", item.GetProperty("replyDueOn").GetString());
        Assert.Equal(1, item.GetProperty("visits").GetInt32());
        Assert.Empty(Ids(await ListAsync("saku", "inquiries-overdue")));

        // One is withdrawn: it waits for nothing any more, now or after its due date.
        await OkAsync(withdrawn + "/closure", new { closure = "Withdrawn" });
        Assert.Equal([IdOf(waiting)], Ids(await ListAsync("saku", "replies-awaited")));

        // The due date itself: still awaited. The day after: overdue by one day.
        At(days: 30);
        Assert.Equal([IdOf(waiting)], Ids(await ListAsync("saku", "replies-awaited")));
        Assert.Empty(Ids(await ListAsync("saku", "inquiries-overdue")));
        At(days: 31);
        Assert.Empty(Ids(await ListAsync("saku", "replies-awaited")));
        var overdue = await ListAsync("saku", "inquiries-overdue");
        Assert.Equal("2026-04-16", overdue.GetProperty("today").GetString());
        Assert.Equal(1, Assert.Single(overdue.GetProperty("items").EnumerateArray()).GetProperty("daysOverdue").GetInt32());
        Assert.Empty(Ids(await ListAsync("saku", "inquiries-overdue", "?office=usuda")));
        Assert.Single(Ids(await ListAsync("saku", "inquiries-overdue", "?office=shimin-ka")));

        // The proxy comes back with the reply: it leaves both lists.
        var insurance = new { kind = "health-insurance-card", owner = "Representative" };
        var holderId = new { kind = "health-insurance-card", owner = "Holder" };
        var attorney = new { kind = "letter-of-attorney", owner = "Holder" };
        await OkAsync(waiting + "/visits", new { office = "shimin-ka", whoCame = "AppointedProxy", documents = new object[] { Licence, insurance, holderId, attorney }, holderPresent = false });
        await OkAsync(waiting + "/inquiry-replies", new { });
        Assert.Empty(Ids(await ListAsync("saku", "inquiries-overdue")));
        Assert.Empty(Ids(await ListAsync("saku", "replies-awaited")));
    }

    [Fact]
    public async Task A_case_whose_expiry_is_within_the_days_asked_and_without_a_visit_is_listed_by_its_expiry_until_it_is_visited_or_closed()
    {
        var soon = (await _server.OpenCaseAsync(userExpiry: "2026-04-10", signingExpiry: "2026-04-10")).Path;
        var today = (await _server.OpenCaseAsync(userExpiry: "2026-03-16", signingExpiry: "2026-03-16")).Path;
        var later = (await _server.OpenCaseAsync(userExpiry: "2026-06-15")).Path;
        var lapsed = (await _server.OpenCaseAsync(userExpiry: "2026-03-10", signingExpiry: "2026-03-10")).Path;
        var visited = (await _server.OpenCaseAsync(userExpiry: "2026-04-01", signingExpiry: "2026-04-01")).Path;
        var closed = (await _server.OpenCaseAsync(userExpiry: "2026-04-02", signingExpiry: "2026-04-02")).Path;
        await OkAsync(visited + "/visits", new { office = "shimin-ka", whoCame = "Holder", documents = Array.Empty<object>() });
        await OkAsync(closed + "/closure", new { closure = "MovedOut" });

        var near = await ListAsync("saku", "expiring-no-visit");
        Assert.Equal([IdOf(today), IdOf(soon)], Ids(near));
        Assert.Equal([0, 25], near.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("daysToExpiry").GetInt32()));
        Assert.Equal([IdOf(today), IdOf(soon), IdOf(later)], Ids(await ListAsync("saku", "expiring-no-visit", "?days=91")));
        Assert.Equal([IdOf(today), IdOf(soon)], Ids(await ListAsync("saku", "expiring-no-visit", "?days=90")));
        var first = await ListAsync("saku", "expiring-no-visit", "?days=91&limit=1");
        Assert.Equal((1, 3), (first.GetProperty("items").GetArrayLength(), first.GetProperty("count").GetInt32()));
        Assert.DoesNotContain(IdOf(lapsed), Ids(await ListAsync("saku", "expiring-no-visit", "?days=365")));
        // Another municipality's lists never show Saku's cases.
        Assert.Empty(Ids(await ListAsync("takatsuki", "expiring-no-visit", "?days=365")));

        // A week on: the one that expired today has lapsed and is no longer "near".
        At(days: 7);
        Assert.Equal([IdOf(soon)], Ids(await ListAsync("saku", "expiring-no-visit")));
        await OkAsync(soon + "/closure", new { closure = "Withdrawn" });
        Assert.Empty(Ids(await ListAsync("saku", "expiring-no-visit")));
    }

    [Fact]
    public async Task A_visit_recorded_on_the_wrong_case_takes_it_off_the_list_of_no_visit_yet_and_its_void_puts_it_back()
    {
        var path = (await _server.OpenCaseAsync(userExpiry: "2026-04-10", signingExpiry: "2026-04-10")).Path;
        Assert.Equal([IdOf(path)], Ids(await ListAsync("saku", "expiring-no-visit")));
        var visit = await OkAsync(path + "/visits", new { office = "shimin-ka", whoCame = "Holder", documents = Array.Empty<object>() });
        Assert.Empty(Ids(await ListAsync("saku", "expiring-no-visit")));

        // The visit started (the view's version less the identity check recorded after it) was another holder's.
        await OkAsync(path + "/visits/current/end", new { outcome = "Left" });
        var started = visit.GetProperty("version").GetInt64() - 1;
        await OkAsync(path + "/voided-entries", new { entryVersion = started, reason = "別の方の来庁を記録" });
        var back = Assert.Single((await ListAsync("saku", "expiring-no-visit")).GetProperty("items").EnumerateArray());
        Assert.Equal(0, back.GetProperty("visits").GetInt32());
    }

    private async Task<string> OpenInKawasakiAsync(string office, string nameKanji, string address)
    {
        var response = await _server.PostAsync("/api/kawasaki/cases", new
        {
            holder = new { nameKanji, nameKana = "カワサキ タロウ", birthDate = "1980-06-15", registeredAddress = address },
            expiry = new { userAuthenticationExpiry = "2026-06-15", signingExpiry = "2026-06-15" },
            office,
        }, idempotencyKey: Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return response.Headers.Location!.ToString();
    }

    private static DateTimeOffset Slot(int days, int hour, int minute = 0) =>
        new(Monday10.Date.AddDays(days).AddHours(hour).AddMinutes(minute), JapanTime.Offset);

    [Fact]
    [Trait("seed", Rule.Seeds.Kawasaki)]
    public async Task Todays_reservations_in_Kawasaki_are_listed_by_time_and_reserved_office_and_tomorrows_tomorrow()
    {
        var afternoon = await OpenInKawasakiAsync("mynumber-card-center", "川崎 一郎", "神奈川県川崎市中原区小杉町1-1");
        var morning = await OpenInKawasakiAsync("mynumber-card-center", "川崎 二郎", "神奈川県川崎市川崎区宮本町1");
        var tomorrow = await OpenInKawasakiAsync("mynumber-card-center", "川崎 三郎", "神奈川県川崎市中原区小杉町1-2");
        var cancelled = await OpenInKawasakiAsync("mynumber-card-center", "川崎 四郎", "神奈川県川崎市中原区小杉町1-3");
        At(days: 0, hour: 9);
        await OkAsync(afternoon + "/reservations", new { office = "mynumber-card-center", slotStart = Slot(0, 14, 30) });
        await OkAsync(morning + "/reservations", new { office = "kawasaki-ku", slotStart = Slot(0, 10) });
        await OkAsync(tomorrow + "/reservations", new { office = "mynumber-card-center", slotStart = Slot(1, 9) });
        await OkAsync(cancelled + "/reservations", new { office = "mynumber-card-center", slotStart = Slot(0, 11) });
        await OkAsync(cancelled + "/closure", new { closure = "Withdrawn" });

        var today = await ListAsync("kawasaki", "reservations-today");
        Assert.Equal([IdOf(morning), IdOf(afternoon)], Ids(today));
        var first = today.GetProperty("items")[0];
        Assert.Equal("kawasaki-ku", first.GetProperty("reservedOffice").GetString());
        Assert.Equal(Slot(0, 10), first.GetProperty("reservedAt").GetDateTimeOffset());
        Assert.False(first.GetProperty("seenToday").GetBoolean());
        Assert.Equal([IdOf(afternoon)], Ids(await ListAsync("kawasaki", "reservations-today", "?office=mynumber-card-center")));

        // The holder of the afternoon slot arrives early: still today's reservation, seen today.
        At(days: 0, hour: 13);
        await OkAsync(afternoon + "/arrivals", new { office = "mynumber-card-center", ticketNumber = "C-1" });
        var seen = Assert.Single((await ListAsync("kawasaki", "reservations-today", "?office=mynumber-card-center")).GetProperty("items").EnumerateArray());
        Assert.True(seen.GetProperty("seenToday").GetBoolean());

        // Tomorrow (Japan time: 00:30 on Tuesday is still Monday in UTC) only tomorrow's.
        At(days: 1, hour: 0, minute: 30);
        Assert.Equal([IdOf(tomorrow)], Ids(await ListAsync("kawasaki", "reservations-today")));
    }

    [Fact]
    public async Task My_open_cases_are_those_I_last_worked_on_and_a_colleagues_command_makes_one_theirs()
    {
        var clerk2 = _server.Token(StaffRole.Clerk, "saku", "clerk-2");
        var supervisor = _server.Token(StaffRole.Supervisor, "saku", "super-1");
        var a = (await _server.OpenCaseAsync()).Path; // clerk-1
        var b = (await _server.OpenCaseAsync()).Path; // clerk-1
        await OkAsync(b + "/arrivals", new { office = "shimin-ka", ticketNumber = "A-9" }, clerk2);
        var c = (await _server.OpenCaseAsync()).Path;
        await OkAsync(c + "/closure", new { closure = "Withdrawn" }); // clerk-1's, and closed

        var mine = await ListAsync("saku", "mine");
        Assert.Equal([IdOf(a)], Ids(mine));
        Assert.Equal("clerk-1", mine.GetProperty("items")[0].GetProperty("lastWorkedBy").GetString());
        var theirs = Assert.Single((await ListAsync("saku", "mine", token: clerk2)).GetProperty("items").EnumerateArray());
        Assert.Equal((IdOf(b), "clerk-1", "clerk-2"), (theirs.GetProperty("caseId").GetGuid(), theirs.GetProperty("openedBy").GetString(), theirs.GetProperty("lastWorkedBy").GetString()));
        Assert.Empty(Ids(await ListAsync("saku", "mine", token: supervisor)));

        // clerk-1 calls b to a counter: it is theirs again, the one they worked on last; clerk-2 has none.
        At(days: 0, minute: 5);
        await OkAsync(b + "/calls", new { office = "shimin-ka", counter = "1番窓口", clerkId = "clerk-1" });
        Assert.Equal([IdOf(b), IdOf(a)], Ids(await ListAsync("saku", "mine")));
        Assert.Empty(Ids(await ListAsync("saku", "mine", token: clerk2)));
        await OkAsync(a + "/closure", new { closure = "Withdrawn" });
        Assert.Equal([IdOf(b)], Ids(await ListAsync("saku", "mine")));
    }

    [Theory]
    [InlineData("/api/saku/worklists/everything", "list", "everything")]
    [InlineData("/api/saku/worklists/mine?limit=0", "limit", null)]
    [InlineData("/api/saku/worklists/mine?limit=201", "limit", "201")]
    [InlineData("/api/saku/worklists/mine?limit=lots", "limit", "lots")]
    [InlineData("/api/saku/worklists/mine?office=nowhere-office", "office", "nowhere-office")]
    [InlineData("/api/saku/worklists/reservations-today?office=mynumber-card-center", "office", null)]
    [InlineData("/api/saku/worklists/expiring-no-visit?days=366", "days", "366")]
    [InlineData("/api/saku/worklists/expiring-no-visit?days=soon", "days", "soon")]
    public async Task A_bad_list_limit_office_or_days_is_400_naming_it_without_its_value(string path, string field, string? secret)
    {
        var response = await _server.Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal("urn:casesystem:problem:invalid-request", problem.GetProperty("type").GetString());
        Assert.Equal([field], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        if (secret is not null) Assert.DoesNotContain(secret, Regex.Replace(text, "\"traceId\":\"[^\"]*\"", ""));
    }

    [Theory]
    [InlineData(StaffRole.Analyst, HttpStatusCode.Forbidden)]
    [InlineData(StaffRole.Station, HttpStatusCode.Forbidden)]
    [InlineData(StaffRole.Admin, HttpStatusCode.Forbidden)]
    [InlineData(StaffRole.Supervisor, HttpStatusCode.OK)]
    [InlineData(StaffRole.Clerk, HttpStatusCode.OK)]
    public async Task Only_clerks_and_supervisors_read_the_worklists(StaffRole role, HttpStatusCode expected)
    {
        _server.Role = role;
        var response = await _server.Http.GetAsync("/api/saku/worklists/replies-awaited");
        _server.Role = StaffRole.Clerk;
        Assert.Equal(expected, response.StatusCode);
    }
}
