using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Tests.Support;
using static CaseSystem.Cases.Tests.Http.Notices.NoticeFiles;

namespace CaseSystem.Cases.Tests.Http.Notices;

/// <summary>
/// A notice number imported again: the same data is "already imported" and appends nothing; other
/// data is a conflict, listed apart with a stable reason and the columns that differ, and appends
/// nothing; the same file with <c>amend=true</c> appends <see cref="RenewalEvent.NoticeAmended"/>.
/// </summary>
public sealed class NoticeConflictTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(db, new DateTimeOffset(2026, 3, 2, 9, 0, 0, JapanTime.Offset));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<long> EventsAsync(string notice) =>
        db.ScalarAsync<long>("select count(*) from cases.mt_events where stream_id = $1", CaseIds.ForNotice("hirosaki", notice));

    [Fact]
    public async Task Other_data_for_a_notice_number_is_a_conflict_reported_apart_and_nothing_is_appended()
    {
        await ImportAsync(_server.Http, Utf8(Header + Line("C-1") + Line("C-2") + Line("C-3")));

        var again = Header + Line("C-1") + Line("C-2", address: "青森県弘前市大字紙漉町1", userExpiry: "2026/7/15") + Line("C-3", kana: "ヒロサキ  イチロウ");
        var (response, body, report) = await ImportAsync(_server.Http, Utf8(again), batch: "JLIS-2026-04");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((3, 0, 1, 0, 2), (report.Int("lines"), report.Int("imported"), report.Int("alreadyImported"), report.Int("amended"), report.Int("conflicting")));
        Assert.Empty(report.Items("rejected"));
        var conflicts = report.Items("conflicts").ToList();
        Assert.Equal([3, 4], conflicts.Select(c => c.Int("line")));
        Assert.All(conflicts, c =>
        {
            Assert.Equal("notice-data-differs", c.GetProperty("reason").GetString());
            Assert.Contains("amend=true", c.GetProperty("reasonJa").GetString());
            Assert.Contains("amend=true", c.GetProperty("reasonEn").GetString());
        });
        Assert.Equal(CaseIds.ForNotice("hirosaki", "C-2"), conflicts[0].GetProperty("caseId").GetGuid());
        Assert.Equal(["registered_address", "user_authentication_expiry"], conflicts[0].Items("columns").Select(c => c.GetString()));
        Assert.Equal(["name_kana"], conflicts[1].Items("columns").Select(c => c.GetString()));
        // The differing values are the clerk's to see in the file and the case, not in the report.
        Assert.DoesNotContain("紙漉町", body);
        Assert.Equal((1L, 1L, 1L), (await EventsAsync("C-1"), await EventsAsync("C-2"), await EventsAsync("C-3")));
        Assert.Equal("青森県弘前市上白銀町1-1", (await CaseAsync(_server.Http, "hirosaki", "C-2")).GetProperty("holder").GetProperty("registeredAddress").GetString());
    }

    [Fact]
    public async Task Amend_true_appends_the_correction_with_its_metadata_and_timers_and_a_repeat_appends_nothing()
    {
        await ImportAsync(_server.Http, Utf8(Header + Line("A-1") + Line("A-2")));
        var caseId = CaseIds.ForNotice("hirosaki", "A-1");
        Assert.Equal(2, await _server.PendingTimersAsync(caseId));

        var corrected = Header + Line("A-1", address: "青森県弘前市大字紙漉町1", userExpiry: "2026/7/15", signingExpiry: "2026/7/15") + Line("A-2") + Line("A-3");
        var (response, body, report) = await ImportAsync(_server.Http, Utf8(corrected), batch: "JLIS-2026-03-訂正", amend: true);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal((3, 1, 1, 1, 0), (report.Int("lines"), report.Int("imported"), report.Int("alreadyImported"), report.Int("amended"), report.Int("conflicting")));
        Assert.True(report.GetProperty("amend").GetBoolean());

        var view = await CaseAsync(_server.Http, "hirosaki", "A-1");
        Assert.Equal("青森県弘前市大字紙漉町1", view.GetProperty("holder").GetProperty("registeredAddress").GetString());
        Assert.Equal("2026-07-15", view.GetProperty("expiry").GetProperty("userAuthenticationExpiry").GetString());
        Assert.Equal(2, view.GetProperty("version").GetInt64());
        var events = await _server.Http.GetFromJsonAsync<JsonElement[]>($"/api/hirosaki/cases/{caseId}/events");
        var amended = events![1];
        Assert.Equal(("NoticeAmended", "AmendNotice", "clerk-1", "shimin-ka"),
            (amended.GetProperty("type").GetString(), amended.GetProperty("command").GetString(), amended.GetProperty("actor").GetString(), amended.GetProperty("office").GetString()));
        Assert.Equal("JLIS-2026-03-訂正", amended.GetProperty("data").GetProperty("noticeBatch").GetString());
        // The timers are set again on the corrected dates (the first ones, when they fire, find nothing due).
        Assert.Equal(4, await _server.PendingTimersAsync(caseId));
        var chain = await _server.IntegrityAsync("hirosaki", caseId);
        Assert.Empty(chain.Items("breaks"));

        // The same correction again: already imported; the first data now a conflict.
        (_, _, report) = await ImportAsync(_server.Http, Utf8(corrected), amend: true);
        Assert.Equal((0, 3, 0), (report.Int("imported"), report.Int("alreadyImported"), report.Int("amended")));
        (_, _, report) = await ImportAsync(_server.Http, Utf8(Header + Line("A-1")));
        Assert.Equal(["registered_address", "user_authentication_expiry", "signing_expiry"],
            Assert.Single(report.Items("conflicts")).Items("columns").Select(c => c.GetString()));
        Assert.Equal(2L, await EventsAsync("A-1"));
    }

    [Fact]
    public async Task A_closed_case_is_already_imported_or_a_conflict_and_its_amendment_is_refused_by_line()
    {
        await ImportAsync(_server.Http, Utf8(Header + Line("Z-1")));
        var caseId = CaseIds.ForNotice("hirosaki", "Z-1");
        var closed = await _server.PostAsync($"/api/hirosaki/cases/{caseId}/closure", new { closure = "Withdrawn" });
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);

        var (_, _, report) = await ImportAsync(_server.Http, Utf8(Header + Line("Z-1")));
        Assert.Equal((1, 0), (report.Int("alreadyImported"), report.Int("conflicting")));
        (_, _, report) = await ImportAsync(_server.Http, Utf8(Header + Line("Z-1", kanji: "弘前 一朗")));
        Assert.Equal(1, report.Int("conflicting"));
        (_, _, report) = await ImportAsync(_server.Http, Utf8(Header + Line("Z-1", kanji: "弘前 一朗")), amend: true);
        var refused = Assert.Single(report.Items("rejected"));
        Assert.Equal((2, "case-closed"), (refused.Int("line"), refused.GetProperty("reason").GetString()));
        Assert.Equal(2L, await EventsAsync("Z-1"));
    }

    [Fact]
    public async Task Amend_takes_only_true_or_false()
    {
        var response = await _server.Http.PostAsync("/api/hirosaki/notices?batch=B&amend=yes123456789018",
            new ByteArrayContent(Utf8(Header + Line("Y-1"))));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("urn:casesystem:problem:bad-request", body);
        Assert.DoesNotContain("123456789018", body);
        Assert.Equal(0L, await EventsAsync("Y-1"));
    }
}
