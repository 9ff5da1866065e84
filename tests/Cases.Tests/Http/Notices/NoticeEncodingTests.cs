using System.Net;
using System.Text;
using CaseSystem.Cases.Tests.Support;
using static CaseSystem.Cases.Tests.Http.Notices.NoticeFiles;

namespace CaseSystem.Cases.Tests.Http.Notices;

/// <summary>
/// A notice file as offices send it: saved from Excel in Shift_JIS (CP932) or UTF-8, with Excel's
/// dates; and what refuses a whole file (bytes neither encoding reads, a NUL byte, a quote never
/// closed) before anything is appended, naming the line.
/// </summary>
public sealed class NoticeEncodingTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(db, new DateTimeOffset(2026, 3, 2, 9, 0, 0, JapanTime.Offset));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<long> EventsAsync() => db.ScalarAsync<long>("select count(*) from cases.mt_events");

    [Theory]
    [InlineData("shift_jis", "text/csv", "S-1")]                          // Excel's 「CSV (コンマ区切り)」, no charset: detected
    [InlineData("shift_jis", "text/csv; charset=Shift_JIS", "S-2")]
    [InlineData("shift_jis", "text/csv; charset=windows-31j", "S-3")]
    [InlineData("utf-8", "text/csv", "U-1")]
    [InlineData("utf-8-bom", "text/csv", "U-2")]                          // Excel's 「CSV UTF-8」
    [InlineData("utf-8", "text/csv; charset=utf-8", "U-3")]
    public async Task An_Excel_file_imports_its_names_intact_with_Excels_dates(string encoding, string contentType, string notice)
    {
        // CP932's own characters (髙, 﨑: NEC/IBM extensions) are where a Shift_JIS reading loses names.
        var csv = Header + Line(notice, kanji: "髙橋 﨑子", kana: "タカハシ サキコ", birth: "1980/6/5", address: "青森県弘前市大字百石町１－２", userExpiry: "2026/06/15", signingExpiry: "2026/6/15");
        var bytes = encoding switch
        {
            "shift_jis" => ShiftJis(csv),
            "utf-8-bom" => [.. Encoding.UTF8.GetPreamble(), .. Utf8(csv)],
            _ => Utf8(csv),
        };
        var (response, body, report) = await ImportAsync(_server.Http, bytes, contentType: contentType);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal(1, report.Int("imported"));
        Assert.Equal(encoding.StartsWith("utf-8") ? "utf-8" : "shift_jis", report.GetProperty("encoding").GetString());

        var holder = (await CaseAsync(_server.Http, "hirosaki", notice)).GetProperty("holder");
        Assert.Equal("髙橋 﨑子", holder.GetProperty("nameKanji").GetString());
        Assert.Equal("タカハシ サキコ", holder.GetProperty("nameKana").GetString());
        Assert.Equal("青森県弘前市大字百石町１－２", holder.GetProperty("registeredAddress").GetString());
        Assert.Equal("1980-06-05", holder.GetProperty("birthDate").GetString());
    }

    [Fact]
    public async Task Shift_JIS_sent_as_UTF8_is_refused_whole_naming_its_first_line_not_imported_garbled()
    {
        var before = await EventsAsync();
        var csv = Header + Line("W-1", kanji: "Hirosaki Ichiro", kana: "HIROSAKI ICHIRO", address: "Hirosaki") + Line("W-2", kanji: "弘前 二郎");
        var (response, body, problem) = await ImportAsync(_server.Http, ShiftJis(csv), contentType: "text/csv; charset=utf-8");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("urn:casesystem:problem:bad-csv-encoding", problem.GetProperty("type").GetString());
        Assert.Equal(3, problem.Int("line"));
        Assert.Equal("bad-encoding", problem.GetProperty("reason").GetString());
        Assert.Contains("3 行目", body);
        Assert.Equal(before, await EventsAsync());
    }

    [Fact]
    public async Task Bytes_neither_UTF8_nor_Shift_JIS_refuse_the_file_naming_the_line_and_append_nothing()
    {
        var before = await EventsAsync();
        byte[] bytes = [.. Utf8(Header + Line("X-1") + Line("X-2") + "X-3,"), 0xFF, 0xFE, .. Utf8(",ヒロサキ,1980-06-15,弘前市,2026-06-15,\n" + Line("X-4"))];
        var (response, _, problem) = await ImportAsync(_server.Http, bytes);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("urn:casesystem:problem:bad-csv-encoding", problem.GetProperty("type").GetString());
        Assert.Equal(4, problem.Int("line"));
        Assert.Equal(before, await EventsAsync());

        (response, _, problem) = await ImportAsync(_server.Http, Utf8(Header + Line("X-5")), contentType: "text/csv; charset=iso-8859-1");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("unsupported-charset", problem.GetProperty("reason").GetString());
        Assert.Equal(before, await EventsAsync());
    }

    [Fact]
    public async Task A_NUL_byte_refuses_the_whole_file_before_anything_is_appended()
    {
        var before = await EventsAsync();
        // Lines 2 and 3 are good; line 4 holds a NUL: nothing of the file is imported, and the answer says where.
        var csv = Header + Line("Z-1") + Line("Z-2") + Line("Z-3", kanji: "弘前\0三郎") + Line("Z-4");
        var (response, _, problem) = await ImportAsync(_server.Http, Utf8(csv));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(("urn:casesystem:problem:bad-csv-encoding", "nul-byte", 4),
            (problem.GetProperty("type").GetString(), problem.GetProperty("reason").GetString(), problem.Int("line")));
        Assert.Equal(before, await EventsAsync());

        // A file saved as UTF-16 (Excel's 「Unicode テキスト」), with or without its byte-order mark.
        (response, _, problem) = await ImportAsync(_server.Http, [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(Header + Line("Z-5"))]);
        Assert.Equal(("utf-16", 1), (problem.GetProperty("reason").GetString(), problem.Int("line")));
        (response, _, problem) = await ImportAsync(_server.Http, Encoding.Unicode.GetBytes(Header + Line("Z-6")));
        Assert.Equal(("nul-byte", 1), (problem.GetProperty("reason").GetString(), problem.Int("line")));
        Assert.Equal(before, await EventsAsync());
    }

    [Fact]
    public async Task A_quote_never_closed_refuses_the_whole_file_naming_the_line_it_opens_on()
    {
        var before = await EventsAsync();
        var csv = Header + Line("Q-1") + "Q-2,\"弘前 二郎,ヒロサキ ジロウ,1980-06-15,弘前市,2026-06-15,\n" + Line("Q-3");
        var (response, _, problem) = await ImportAsync(_server.Http, Utf8(csv));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(("urn:casesystem:problem:bad-csv", "unterminated-quote", 3),
            (problem.GetProperty("type").GetString(), problem.GetProperty("reason").GetString(), problem.Int("line")));
        Assert.Equal(before, await EventsAsync());
    }

    [Fact]
    public async Task Every_line_of_a_readable_file_is_imported_or_listed_with_its_line_column_and_reason_in_Japanese_and_English()
    {
        var csv = Header +
                  Line("B-1") +                                                        // 2: imported
                  Line("B-2", birth: "1980.6.15") +                                    // 3: bad date
                  Line("B-3", kana: "") +                                              // 4: missing
                  "B-4,弘前 四郎\n" +                                                  // 5: too few fields
                  Line("B-5", address: "弘前市\u0007") +                               // 6: a control character
                  Line("B-6", kanji: new string('弘', 101)) +                          // 7: too long
                  ",,,,,,\n" +                                                        // 8: an empty Excel row: not a line
                  Line("B-1") +                                                        // 9: twice in the file
                  Line("B-7", birth: "2026-01-01", userExpiry: "2025-12-31", signingExpiry: "") + // 10: born after the expiry
                  "\"B-8\",\"弘前 八郎\",ヒロサキ ハチロウ,1980/6/15,\"弘前市\n大字百石町\",2026/6/15,\n" + // 11–12: imported, the address on one line
                  "\"B-10\",\"弘前 十郎\",ヒロサキ ジュウロウ,1980/6/15,\"弘前市, 大字百石町\",2026/6/15,\n" + // 13: imported, quoted
                  Line("B-9");                                                         // 14: imported
        var (response, body, report) = await ImportAsync(_server.Http, Utf8(csv));
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal((11, 4, 0), (report.Int("lines"), report.Int("imported"), report.Int("alreadyImported")));
        var rejected = report.Items("rejected").ToList();
        Assert.Equal(
            [(3, "bad-date", "birth_date"), (4, "missing-field", "name_kana"), (5, "field-count", null), (6, "control-character", "registered_address"),
             (7, "too-long", "name_kanji"), (9, "duplicate-in-file", "notice_number"), (10, "birth-after-expiry", "birth_date")],
            rejected.Select(r => (r.Int("line"), r.GetProperty("reason").GetString()!, r.GetProperty("column").GetString())));
        Assert.All(rejected, r =>
        {
            Assert.False(string.IsNullOrWhiteSpace(r.GetProperty("reasonJa").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(r.GetProperty("reasonEn").GetString()));
        });
        Assert.Contains("2 行目", rejected[5].GetProperty("reasonJa").GetString());
        Assert.Equal(report.Int("lines"), report.Int("imported") + report.Int("alreadyImported") + report.Int("amended") + report.Int("conflicting") + rejected.Count);
        Assert.Equal("弘前市, 大字百石町", (await CaseAsync(_server.Http, "hirosaki", "B-10")).GetProperty("holder").GetProperty("registeredAddress").GetString());
        // Excel's Alt+Enter inside the address cell: one line, the break read as a full-width space.
        Assert.Equal("弘前市\u3000大字百石町", (await CaseAsync(_server.Http, "hirosaki", "B-8")).GetProperty("holder").GetProperty("registeredAddress").GetString());
    }
}
