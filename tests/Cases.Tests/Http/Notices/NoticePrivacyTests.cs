using System.Net;
using CaseSystem.Cases.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static CaseSystem.Cases.Tests.Http.Notices.NoticeFiles;

namespace CaseSystem.Cases.Tests.Http.Notices;

/// <summary>
/// A My Number pasted into any field of a notice file never comes back: not in a 400, not in a
/// rejected line's reason, not in the server's log, and it is never stored.
/// </summary>
public sealed class NoticePrivacyTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private const string MyNumber = "123456789018";

    private readonly LogCollector _log = new();
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(db, new DateTimeOffset(2026, 3, 2, 9, 0, 0, JapanTime.Offset),
        configure: builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
            builder.Logging.AddProvider(_log);
        });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static IEnumerable<object[]> EveryColumn() => Columns.Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(EveryColumn))]
    public async Task A_12_digit_number_in_any_field_is_never_echoed_logged_or_stored(string column)
    {
        var notice = "P-" + column;
        var answers = new List<string>();
        async Task Send(byte[] bytes, string contentType = "text/csv", bool amend = false)
        {
            var (response, body, _) = await ImportAsync(_server.Http, bytes, contentType: contentType, amend: amend);
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{response.StatusCode}");
            answers.Add(body);
        }

        // The number alone in the field, written as people write it, and as part of the field's text.
        await Send(Utf8(Header + LineWith(notice, column, MyNumber)));
        await Send(Utf8(Header + LineWith(notice + "-a", column, "1234 5678 9018")));
        await Send(Utf8(Header + LineWith(notice + "-b", column, "番号" + MyNumber)));
        await Send(ShiftJis(Header + LineWith(notice + "-c", column, MyNumber)));
        // In a line with too many fields, in a line that is another notice's amendment, in a file refused whole.
        await Send(Utf8(Header + LineWith(notice + "-d", column, MyNumber).TrimEnd('\n') + ",extra\n"));
        await Send(Utf8(Header + LineWith(notice + "-e", column, MyNumber)), amend: true);
        await Send(Utf8(Header + LineWith(notice + "-f", column, MyNumber) + "Z,\0\n"));
        await Send(ShiftJis(Header + LineWith(notice + "-g", column, MyNumber + "弘前")), contentType: "text/csv; charset=utf-8");
        await Send(Utf8(Header + LineWith(notice + "-h", column, "\"" + MyNumber)));
        // A file without its header: its first line of data is read as the header.
        await Send(Utf8(LineWith(notice + "-i", column, MyNumber)));

        Assert.All(answers, body =>
        {
            Assert.DoesNotContain(MyNumber, body);
            Assert.DoesNotContain("5678 9018", body);
        });
        Assert.DoesNotContain(_log.Entries, e => e.Line.Contains(MyNumber) || e.Line.Contains("5678 9018"));
        Assert.Equal(0L, await db.ScalarAsync<long>("select count(*) from cases.mt_events where data::text like '%' || $1 || '%' or data::text like '%5678 9018%'", MyNumber));
    }

    [Fact]
    public async Task A_line_with_a_My_Number_is_rejected_by_column_and_the_others_are_imported()
    {
        var csv = Header + Line("P-ok-1") + LineWith("P-bad", "registered_address", "青森県弘前市 " + MyNumber) + Line("P-ok-2");
        var (response, body, report) = await ImportAsync(_server.Http, Utf8(csv));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, report.Int("imported"));
        var rejected = Assert.Single(report.Items("rejected"));
        Assert.Equal((3, "my-number-like", "registered_address"),
            (rejected.Int("line"), rejected.GetProperty("reason").GetString(), rejected.GetProperty("column").GetString()));
        Assert.DoesNotContain(MyNumber, body);
    }
}
