using System.Net;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Tests.Support;
using static CaseSystem.Cases.Tests.Http.Notices.NoticeFiles;

namespace CaseSystem.Cases.Tests.Http.Notices;

/// <summary>
/// A notice file is held to the command edge's checks (the audit's holes): what a clerk could not
/// type into POST /cases does not enter the log by a file either. Each such line is rejected in
/// the report with its line, a reason code and the column, in Japanese and English, never its
/// value, and nothing is appended for it; the other lines are imported.
/// </summary>
public sealed class NoticeEdgeTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(db, new DateTimeOffset(2026, 3, 2, 9, 0, 0, JapanTime.Offset));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Lines_the_command_edge_would_refuse_are_rejected_by_line_reason_and_column_and_never_appended()
    {
        // (notice, the line, the reason, the column, a piece of the value that must not come back)
        var holes = new (string Notice, string Line, string Reason, string Column, string Secret)[]
        {
            ("E-1", LineWith("E-1", "user_authentication_expiry", "2099-06-15"), "date-out-of-range", "user_authentication_expiry", "2099"),
            ("E-2", LineWith("E-2", "signing_expiry", "2098/6/15"), "date-out-of-range", "signing_expiry", "2098"),
            ("E-3", Line("E-3", birth: "2026-05-01"), "date-out-of-range", "birth_date", "2026-05-01"),     // the future, though before the expiry
            ("E-4", LineWith("E-4", "name_kanji", "\"鏡\n花子\""), "control-character", "name_kanji", "鏡"),
            ("E-5", LineWith("E-5", "name_kana", "キョウ\tハナコ"), "control-character", "name_kana", "キョウ"),
            ("E-6", "\"E-6\n7\"" + Line("x").Substring(1), "control-character", "notice_number", "E-6"),
            ("E-8", LineWith("E-8", "registered_address", "青森県鰺ヶ沢町\t舞戸町"), "control-character", "registered_address", "鰺ヶ沢"),
            ("E-9", LineWith("E-9", "name_kanji", "鶴田\u202E子花"), "control-character", "name_kanji", "鶴田"),
            ("E-10", LineWith("E-10", "registered_address", "青森県\u200B黒石市"), "control-character", "registered_address", "黒石"),
        };
        var csv = Header + Line("E-ok-1") + string.Concat(holes.Select(h => h.Line)) + Line("E-ok-2");
        var before = await db.ScalarAsync<long>("select count(*) from cases.mt_streams");

        var (response, body, report) = await ImportAsync(_server.Http, Utf8(csv));

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal((holes.Length + 2, 2), (report.Int("lines"), report.Int("imported")));
        var rejected = report.Items("rejected").ToList();
        // Lines: the header is 1, E-ok-1 is 2; a quoted line break makes its line two.
        Assert.Equal([3, 4, 5, 6, 8, 9, 11, 12, 13], rejected.Select(r => r.Int("line")));
        Assert.Equal(holes.Select(h => (h.Reason, h.Column)), rejected.Select(r => (r.GetProperty("reason").GetString()!, r.GetProperty("column").GetString()!)));
        Assert.All(rejected, r =>
        {
            Assert.Matches(@"[\p{IsCJKUnifiedIdeographs}\p{IsHiragana}]", r.GetProperty("reasonJa").GetString());
            Assert.Matches("^[a-z_]+ [a-z]", r.GetProperty("reasonEn").GetString());
        });
        Assert.All(holes, h => Assert.DoesNotContain(h.Secret, body));
        Assert.Equal(before + 2, await db.ScalarAsync<long>("select count(*) from cases.mt_streams"));
        foreach (var hole in holes)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await _server.Http.GetAsync($"/api/hirosaki/cases/{CaseIds.ForNotice("hirosaki", hole.Notice)}")).StatusCode);
        }
        Assert.Equal(0L, await db.ScalarAsync<long>("select count(*) from cases.mt_events where data::text ~ '2099|2098|鏡|キョウ|鰺ヶ沢|鶴田|黒石'"));
    }

    [Theory]
    [InlineData("JLIS\u202E-2026")]
    [InlineData("JLIS\n2026")]
    [InlineData("JLIS-123456789018")]
    public async Task A_batch_name_the_edge_would_refuse_refuses_the_file_without_echoing_it(string batch)
    {
        var before = await db.ScalarAsync<long>("select count(*) from cases.mt_events");
        var (response, body, problem) = await ImportAsync(_server.Http, Utf8(Header + Line("E-batch")), batch: batch);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("urn:casesystem:problem:bad-request", problem.GetProperty("type").GetString());
        Assert.DoesNotContain("2026", body.Replace("traceId", ""));
        Assert.DoesNotContain("123456789018", body);
        Assert.Equal(before, await db.ScalarAsync<long>("select count(*) from cases.mt_events"));
    }
}
