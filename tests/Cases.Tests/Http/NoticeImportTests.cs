using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Tests.Support;

namespace CaseSystem.Cases.Tests.Http;

public sealed class NoticeImportTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(db, new DateTimeOffset(2026, 3, 2, 9, 0, 0, JapanTime.Offset));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<HttpResponseMessage> ImportAsync(string csv, string batch = "JLIS-2026-03") =>
        _server.Http.PostAsync($"/api/hirosaki/notices?batch={batch}", new StringContent(csv, Encoding.UTF8, "text/csv"));

    private const string Header = "notice_number,name_kanji,name_kana,birth_date,registered_address,user_authentication_expiry,signing_expiry\n";

    [Fact]
    public async Task A_batch_opens_one_case_per_notice_reports_rejects_by_line_and_is_idempotent()
    {
        var csv = Header +
            "H-0001,弘前 一郎,ヒロサキ イチロウ,1980-06-15,青森県弘前市上白銀町1-1,2026-06-15,2026-06-15\n" +
            "H-0002,\"弘前 二郎\",ヒロサキ ジロウ,2014-01-02,\"青森県弘前市, 大字百石町\",2026-05-31,\n" +  // quoted fields, no signing certificate
            "H-0003,弘前 三郎,ヒロサキ サブロウ,1980-13-40,青森県弘前市,2026-06-15,2026-06-15\n" +       // line 4: bad birth date
            "H-0001,弘前 一郎,ヒロサキ イチロウ,1980-06-15,青森県弘前市上白銀町1-1,2026-06-15,2026-06-15\n" + // line 5: twice in this file
            "H-0004,弘前 四郎,ヒロサキ シロウ,1980-06-15,青森県弘前市\n";                                 // line 6: too few fields

        var report = await (await ImportAsync(csv)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(5, report.GetProperty("lines").GetInt32());
        Assert.Equal(2, report.GetProperty("imported").GetInt32());
        Assert.Equal([4, 5, 6], report.GetProperty("rejected").EnumerateArray().Select(r => r.GetProperty("line").GetInt32()));
        Assert.Contains("生年月日", report.GetProperty("rejected")[0].GetProperty("reasonJa").GetString());

        var again = await (await ImportAsync(Header + csv.Split('\n', 2)[1].Split("H-0003")[0])).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, again.GetProperty("imported").GetInt32());
        Assert.Equal(2, again.GetProperty("alreadyImported").GetInt32());

        var child = await _server.Http.GetFromJsonAsync<JsonElement>($"/api/hirosaki/cases/{CaseIds.ForNotice("hirosaki", "H-0002")}");
        Assert.Equal("H-0002", child.GetProperty("noticeNumber").GetString());
        Assert.Equal("青森県弘前市, 大字百石町", child.GetProperty("holder").GetProperty("registeredAddress").GetString());
        Assert.Equal(JsonValueKind.Null, child.GetProperty("expiry").GetProperty("signingExpiry").ValueKind);
        // The notice only: the renewal window it found open (it opened on 1 March, three months before the expiry: 000) is held by its dates.
        Assert.Equal(1, child.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task A_file_with_a_column_the_format_does_not_know_is_refused_whole_and_its_values_are_not_echoed()
    {
        var csv = "notice_number,個人番号,name_kanji,name_kana,birth_date,registered_address,user_authentication_expiry,signing_expiry\n" +
                  "H-0100,123456789012,弘前 百,ヒロサキ モモ,1980-06-15,青森県弘前市,2026-06-15,2026-06-15\n";
        var response = await ImportAsync(csv);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("urn:casesystem:problem:bad-csv-columns", body);
        Assert.DoesNotContain("123456789012", body);
        var notCreated = await _server.Http.GetAsync($"/api/hirosaki/cases/{CaseIds.ForNotice("hirosaki", "H-0100")}");
        Assert.Equal(HttpStatusCode.NotFound, notCreated.StatusCode);
        Assert.Equal(0L, await db.ScalarAsync<long>("select count(*) from cases.mt_events where data::text like '%123456789012%'"));
    }

    [Fact]
    public async Task A_batch_needs_its_name()
    {
        var response = await _server.Http.PostAsync("/api/hirosaki/notices", new StringContent(Header, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}

public sealed class OpenApiTests(TestDatabase db) : IClassFixture<TestDatabase>
{
    [Fact]
    public async Task The_OpenAPI_document_describes_the_case_commands_the_server_serves()
    {
        await using var server = await TestServer.StartAsync(db, DateTimeOffset.UtcNow);
        var document = await server.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths");
        foreach (var command in new[] { "visits", "pin-checks", "pin-resets", "inquiries", "inquiry-replies", "renewals", "visits/current/end", "card-reads", "arrivals", "calls", "reservations", "closure" })
        {
            Assert.True(paths.TryGetProperty("/api/{municipality}/cases/{caseId}/" + command, out var path), command);
            Assert.True(path.TryGetProperty("post", out _), command);
        }
        Assert.True(paths.GetProperty("/api/{municipality}/cases/{caseId}").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/api/{municipality}/notices").TryGetProperty("post", out _));
    }
}
