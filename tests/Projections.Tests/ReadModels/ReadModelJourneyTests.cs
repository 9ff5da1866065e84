using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CaseSystem.Cases;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Tests.Support;
using Marten;
using CaseSystem.Projections.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace CaseSystem.Projections.Tests.ReadModels;

/// <summary>The read models against the renewal case's journeys, built only through the HTTP API, with Marten's daemon running in the server.</summary>
public sealed class ReadModelJourneyTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Monday10 = new(2026, 3, 16, 10, 0, 0, JapanTime.Offset);
    private static readonly object Licence = new { kind = "driving-licence", owner = "Representative", validUntil = "2030-01-01" };
    private static readonly string[] Both = ["UserAuthentication", "Signing"];
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

    private async Task<JsonElement> OkAsync(string path, object body)
    {
        var response = await _server.PostAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private async Task<JsonElement> GetAsync(string path)
    {
        var response = await _server.Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    /// <summary>Waits until the projections have applied everything appended so far.</summary>
    private async Task CaughtUpAsync()
    {
        await _db.CaughtUpAsync(_server.Services.GetRequiredService<IDocumentStore>());
    }

    private void At(int hour, int minute, int days = 0) => _server.Clock.Now = Monday10.Date.AddDays(days).AddHours(hour).AddMinutes(minute) is var t
        ? new DateTimeOffset(t, JapanTime.Offset) : default;

    private async Task<string> HolderRenewsAsync(string path, string counter)
    {
        await OkAsync(path + "/calls", new { office = "shimin-ka", counter, clerkId = "clerk-1" });
        await OkAsync(path + "/visits", new { office = "shimin-ka", whoCame = "Holder", documents = Array.Empty<object>() });
        await OkAsync(path + "/pin-checks", new { certificate = "UserAuthentication", result = "Matched", triesLeft = 3 });
        await OkAsync(path + "/pin-checks", new { certificate = "Signing", result = "Matched", triesLeft = 5 });
        await OkAsync(path + "/renewals", new { certificates = Both });
        return path;
    }

    [Fact]
    public async Task The_queue_board_shows_who_waits_who_is_served_and_todays_waits_now_and_as_of_an_earlier_moment()
    {
        At(9, 0);
        var a = (await _server.OpenCaseAsync()).Path;
        var b = (await _server.OpenCaseAsync()).Path;
        var c = (await _server.OpenCaseAsync()).Path;
        At(10, 0); await OkAsync(a + "/arrivals", new { office = "shimin-ka", ticketNumber = "A-1" });
        At(10, 5); await OkAsync(b + "/arrivals", new { office = "shimin-ka", ticketNumber = "A-2" });
        At(10, 10); await OkAsync(c + "/arrivals", new { office = "shimin-ka", ticketNumber = "A-3" });
        At(10, 20); await HolderRenewsAsync(a, "1番窓口");
        At(10, 35); await OkAsync(a + "/visits/current/end", new { outcome = "Done" });
        At(10, 36); await OkAsync(b + "/calls", new { office = "shimin-ka", counter = "1番窓口", clerkId = "clerk-1" });
        At(10, 40);
        await CaughtUpAsync();

        var board = await GetAsync("/api/saku/offices/shimin-ka/board");
        Assert.Equal(["A-3"], board.GetProperty("waiting").EnumerateArray().Select(w => w.GetProperty("ticket").GetString()));
        Assert.Equal(30, board.GetProperty("waiting")[0].GetProperty("waitedMinutes").GetDouble());
        var served = Assert.Single(board.GetProperty("atCounters").EnumerateArray());
        Assert.Equal(("A-2", "1番窓口"), (served.GetProperty("ticket").GetString(), served.GetProperty("counter").GetString()));
        Assert.Equal(1, board.GetProperty("finishedToday").GetInt32());
        Assert.Equal(25.5, board.GetProperty("waitToday").GetProperty("meanMinutes").GetDouble());
        Assert.Equal(15, board.GetProperty("serviceToday").GetProperty("meanMinutes").GetDouble());
        Assert.Equal(15, board.GetProperty("estimatedWaitMinutes").GetDouble());

        var earlier = await GetAsync("/api/saku/offices/shimin-ka/board?asOf=2026-03-16T10:15:00%2B09:00");
        Assert.Equal(["A-1", "A-2", "A-3"], earlier.GetProperty("waiting").EnumerateArray().Select(w => w.GetProperty("ticket").GetString()));
        Assert.Equal(0, earlier.GetProperty("finishedToday").GetInt32());
        Assert.Empty(earlier.GetProperty("atCounters").EnumerateArray());

        var elsewhere = await GetAsync("/api/saku/offices/usuda/board");
        Assert.Empty(elsewhere.GetProperty("waiting").EnumerateArray());
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Kawasaki)]
    public async Task A_proxy_case_waiting_for_its_inquiry_reply_is_on_the_board_with_the_days_since_mailing_and_found_with_its_next_step()
    {
        var path = (await _server.OpenCaseAsync("takatsuki")).Path;
        await OkAsync(path + "/visits", new { office = "shimin-ka", whoCame = "AppointedProxy", documents = new[] { Licence }, replyForm = "Missing", holderPresent = false });
        await OkAsync(path + "/inquiries", new { reason = "reply-form-missing" });
        await OkAsync(path + "/visits/current/end", new { outcome = "MustReturn" });
        At(10, 0, days: 3);
        await CaughtUpAsync();

        var board = await GetAsync("/api/takatsuki/offices/shimin-ka/board");
        var awaited = Assert.Single(board.GetProperty("awaitingInquiryReply").EnumerateArray());
        Assert.Equal(3, awaited.GetProperty("daysSinceMailing").GetInt32());
        Assert.Equal("2026-03-16", awaited.GetProperty("mailedOn").GetString());

        var hits = await GetAsync("/api/takatsuki/cases?name=" + Uri.EscapeDataString("さとう"));
        var hit = Assert.Single(hits.EnumerateArray());
        Assert.Equal("inquiry-reply-awaited", hit.GetProperty("nextStep").GetProperty("code").GetString());
        Assert.Equal(1, hit.GetProperty("visits").GetInt32());
        Assert.Contains("second-visit-documents", hit.GetProperty("checklist").EnumerateArray().Select(i => i.GetProperty("code").GetString()));

        // Scoped by municipality: Saku's finder does not see Takatsuki's case.
        Assert.Empty((await GetAsync("/api/saku/cases?name=" + Uri.EscapeDataString("佐藤"))).EnumerateArray());
        // Reply received on the second visit: the board no longer waits for it.
        var insurance = new { kind = "health-insurance-card", owner = "Representative" };
        var holderId = new { kind = "health-insurance-card", owner = "Holder" };
        var attorney = new { kind = "letter-of-attorney", owner = "Holder" };
        await OkAsync(path + "/visits", new { office = "shimin-ka", whoCame = "AppointedProxy", documents = new object[] { Licence, insurance, holderId, attorney }, holderPresent = false });
        await OkAsync(path + "/inquiry-replies", new { });
        await CaughtUpAsync();
        Assert.Empty((await GetAsync("/api/takatsuki/offices/shimin-ka/board")).GetProperty("awaitingInquiryReply").EnumerateArray());
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Takatsuki)]
    public async Task A_case_closed_while_its_inquiry_reply_is_awaited_leaves_the_boards_list_of_replies_awaited()
    {
        var path = (await _server.OpenCaseAsync("takatsuki")).Path;
        await OkAsync(path + "/visits", new { office = "shimin-ka", whoCame = "AppointedProxy", documents = new[] { Licence }, replyForm = "Missing", holderPresent = false });
        await OkAsync(path + "/inquiries", new { reason = "reply-form-missing" });
        await OkAsync(path + "/visits/current/end", new { outcome = "MustReturn" });
        At(10, 0, days: 2);
        await CaughtUpAsync();
        Assert.Single((await GetAsync("/api/takatsuki/offices/shimin-ka/board")).GetProperty("awaitingInquiryReply").EnumerateArray());

        // The holder withdraws: the case waits for nothing any more, and never turns overdue.
        await OkAsync(path + "/closure", new { closure = "Withdrawn" });
        At(10, 0, days: 40);
        await CaughtUpAsync();
        Assert.Empty((await GetAsync("/api/takatsuki/offices/shimin-ka/board")).GetProperty("awaitingInquiryReply").EnumerateArray());
        // As of before the closure, the board still showed it.
        var before = Uri.EscapeDataString(new DateTimeOffset(2026, 3, 17, 10, 0, 0, JapanTime.Offset).ToString("o"));
        Assert.Single((await GetAsync($"/api/takatsuki/offices/shimin-ka/board?asOf={before}")).GetProperty("awaitingInquiryReply").EnumerateArray());
    }

    [Theory]
    [InlineData("髙橋 一郎", "タカハシ イチロウ", "高橋")]
    [InlineData("山﨑 花子", "ヤマザキ ハナコ", "山崎")]
    [InlineData("渡邊 太郎", "ワタナベ タロウ", "渡辺")]
    [InlineData("渡邉 太郎", "ワタナベ タロウ", "渡邊")]
    [InlineData("齋藤 健", "サイトウ ケン", "斎藤")]
    [InlineData("齊藤 健", "サイトウ ケン", "齋藤")]
    [InlineData("𠮷田 結衣", "ヨシダ ユイ", "吉田")]
    [InlineData("高橋 一郎", "タカハシ イチロウ", "髙橋")]
    public async Task The_case_finder_treats_common_variant_kanji_as_the_same_character(string stored, string kana, string typed)
    {
        // Issue 13: a clerk types the form the keyboard offers; the register may hold another (異体字).
        await _server.OpenCaseAsync(nameKanji: stored, nameKana: kana);
        await _server.OpenCaseAsync(nameKanji: "鈴木 一郎", nameKana: "スズキ イチロウ");
        await CaughtUpAsync();

        var hit = Assert.Single((await GetAsync("/api/saku/cases?name=" + Uri.EscapeDataString(typed))).EnumerateArray());
        Assert.Equal(stored, hit.GetProperty("nameKanji").GetString());
    }

    [Fact]
    public async Task The_case_finder_searches_by_kanji_or_kana_in_part_birth_date_notice_number_and_status()
    {
        await _server.OpenCaseAsync(birthDate: "1980-06-15");
        var other = (await _server.OpenCaseAsync(birthDate: "1975-01-02")).Path;
        await OkAsync(other + "/closure", new { closure = "Withdrawn" });
        await CaughtUpAsync();

        Assert.Equal(2, (await GetAsync("/api/saku/cases?name=" + Uri.EscapeDataString("佐藤一"))).GetArrayLength());
        Assert.Equal(2, (await GetAsync("/api/saku/cases?name=" + Uri.EscapeDataString("ｲﾁﾛｳ"))).GetArrayLength());
        Assert.Equal(0, (await GetAsync("/api/saku/cases?name=" + Uri.EscapeDataString("鈴木"))).GetArrayLength());
        var byBirth = Assert.Single((await GetAsync("/api/saku/cases?birthDate=1975-01-02")).EnumerateArray());
        // As a person types it (issue 13): 和暦, the register's seven digits, full-width digits.
        foreach (var typed in new[] { "S50.1.2", "昭和50年1月2日", "3500102", "１９７５／１／２" })
        {
            Assert.Equal(byBirth.GetProperty("caseId").GetGuid(), Assert.Single((await GetAsync("/api/saku/cases?birthDate=" + Uri.EscapeDataString(typed))).EnumerateArray()).GetProperty("caseId").GetGuid());
        }
        var refused = await _server.Http.GetAsync("/api/saku/cases?birthDate=" + Uri.EscapeDataString("H31.5.1"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("urn:casesystem:problem:invalid-request", problem.GetProperty("type").GetString());
        Assert.Contains("令和元年5月1日", problem.GetProperty("errors").GetProperty("birthDate")[0].GetString());
        Assert.Equal("closed", byBirth.GetProperty("status").GetString());
        Assert.Equal("Withdrawn", byBirth.GetProperty("closure").GetString());
        Assert.Single((await GetAsync("/api/saku/cases?status=active")).EnumerateArray());
        Assert.Equal("1980-06-15", (await GetAsync("/api/saku/cases?status=active"))[0].GetProperty("birthDate").GetString());

        _server.Role = StaffRole.Analyst;
        Assert.Equal(HttpStatusCode.Forbidden, (await _server.Http.GetAsync("/api/saku/cases?name=x")).StatusCode);
    }

    [Fact]
    public async Task The_audit_trail_shows_every_event_with_who_where_when_and_why_the_chain_check_and_who_viewed_the_case()
    {
        var path = (await _server.OpenCaseAsync()).Path;
        await OkAsync(path + "/arrivals", new { office = "shimin-ka", ticketNumber = "A-9" });
        Assert.Equal(HttpStatusCode.OK, (await _server.Http.GetAsync(path)).StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await _server.Http.GetAsync(path + "/audit")).StatusCode);
        _server.Role = StaffRole.Supervisor;
        var trail = await GetAsync(path + "/audit");
        Assert.True(trail.GetProperty("chain").GetProperty("isIntact").GetBoolean());
        var events = trail.GetProperty("events").EnumerateArray().ToList();
        // The case was opened in its renewal window: the window is open from its dates, with no event of its own.
        Assert.Equal(["CaseOpenedAtCounter", "ArrivedAtOffice"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal("来庁(番号札発行)", events[1].GetProperty("ja").GetString());
        Assert.Equal("RecordArrival", events[1].GetProperty("command").GetString());
        Assert.Equal("clerk-1", events[1].GetProperty("actor").GetString());
        Assert.Equal("shimin-ka", events[1].GetProperty("office").GetString());
        Assert.Equal("2026-03-16T10:00:00+09:00", events[1].GetProperty("at").GetString());

        var viewers = trail.GetProperty("viewedBy").EnumerateArray().Select(v => (v.GetProperty("role").GetString(), v.GetProperty("what").GetString())).ToList();
        Assert.Equal([("clerk", "case")], viewers);
        var again = await GetAsync(path + "/audit");
        Assert.Contains(("supervisor", "audit"), again.GetProperty("viewedBy").EnumerateArray().Select(v => (v.GetProperty("role").GetString(), v.GetProperty("what").GetString())));
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Fujiidera)]
    public async Task The_activation_timeline_of_a_renewal_and_the_case_as_of_a_moment_before_it()
    {
        var path = (await _server.OpenCaseAsync()).Path;
        At(10, 30);
        await HolderRenewsAsync(path, "2番窓口");
        At(11, 0);

        var timeline = await GetAsync(path + "/timeline");
        var renewal = Assert.Single(timeline.GetProperty("procedures").EnumerateArray());
        Assert.Equal("certificate-renewal", renewal.GetProperty("procedure").GetString());
        var services = renewal.GetProperty("services").EnumerateArray().ToDictionary(s => s.GetProperty("service").GetString()!);
        Assert.Equal("2026-03-17T00:00:00+09:00", services["convenience-store"].GetProperty("availableFrom").GetString());
        Assert.Equal("pending", services["convenience-store"].GetProperty("status").GetString());
        Assert.Equal("2026-03-16T11:30:00+09:00", services["health-insurance-registration"].GetProperty("availableFrom").GetString());

        var before = await GetAsync(path + "/timeline?asOf=2026-03-16T10:00:00%2B09:00");
        Assert.Empty(before.GetProperty("procedures").EnumerateArray());

        var caseBefore = await GetAsync(path + "?asOf=2026-03-16T10:00:00%2B09:00");
        Assert.Equal(JsonValueKind.Null, caseBefore.GetProperty("renewedUntil").ValueKind);
        Assert.Equal(1, caseBefore.GetProperty("version").GetInt32()); // opened (its window open from its dates)
        var caseNow = await GetAsync(path);
        Assert.Equal("2030-06-15", caseNow.GetProperty("renewedUntil").GetString());
    }

    [Fact]
    public async Task A_board_subscriber_receives_the_new_board_when_a_ticket_arrives()
    {
        var path = (await _server.OpenCaseAsync()).Path;
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/saku/offices/shimin-ka/board/stream");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await _server.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var stream = new StreamReader(await response.Content.ReadAsStreamAsync());

        var first = await NextBoardAsync(stream);
        Assert.Empty(first.GetProperty("waiting").EnumerateArray());
        await OkAsync(path + "/arrivals", new { office = "shimin-ka", ticketNumber = "B-7" });
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var board = await NextBoardAsync(stream, limit.Token);
            if (board.GetProperty("waiting").EnumerateArray().Any(w => w.GetProperty("ticket").GetString() == "B-7")) break;
        }
    }

    private static async Task<JsonElement> NextBoardAsync(StreamReader stream, CancellationToken ct = default)
    {
        string? eventName = null;
        while (await stream.ReadLineAsync(ct) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) eventName = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && eventName == "board") return JsonDocument.Parse(line[6..]).RootElement;
        }
        throw new EndOfStreamException();
    }
}
