using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CaseSystem.Cases.Api.Notices;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Tests.Support;
using static CaseSystem.Cases.Tests.Http.Notices.NoticeFiles;

namespace CaseSystem.Cases.Tests.Http.Notices;

/// <summary>
/// A file of several chunks (<see cref="NoticeWriter.ChunkSize"/> notices per transaction): every
/// notice recorded once, with the metadata, timers and hash-chain links a single command's case
/// gets; sent twice at once, or again later, it records nothing twice.
/// </summary>
public sealed class NoticeChunkTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private TestServer _server = null!;

    private static readonly DateTimeOffset ImportedAt = new(2026, 3, 2, 9, 0, 0, JapanTime.Offset);

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(db, ImportedAt);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>Notices numbered from <paramref name="prefix"/>, expiring over a spring; every 500th line has a bad date.</summary>
    private static string File(string prefix, int count, bool withBadLines = false)
    {
        var csv = new StringBuilder(Header);
        for (var i = 1; i <= count; i++)
        {
            var expiry = ExpiryOf(i).ToString("yyyy/M/d");
            csv.Append(Line($"{prefix}-{i:D6}", kanji: $"弘前 {i}郎", birth: withBadLines && i % 500 == 0 ? "1980-02-30" : "1980-06-15", userExpiry: expiry, signingExpiry: expiry));
        }
        return csv.ToString();
    }

    private static DateOnly ExpiryOf(int line) => new DateOnly(2026, 4, 1).AddDays(line % 90);

    /// <summary>
    /// How many of the notices found their renewal window open when imported (it opens three
    /// months before the expiry, 000): their cases hold it open from their dates, record no event
    /// for it, and keep only the lapse's timer.
    /// </summary>
    private static int OpenOnImport(int count, bool withBadLines = false) => Enumerable.Range(1, count)
        .Count(i => !(withBadLines && i % 500 == 0) && Validity.RenewalOpensOn(ExpiryOf(i)) <= JapanTime.DateOf(ImportedAt));

    /// <summary>The timers stored for a municipality's cases (the envelope carries its tenant).</summary>
    private Task<long> ScheduledTimersAsync(string municipality) => db.ScalarAsync<long>(
        "select count(*) from cases.wolverine_incoming_envelopes where status = 'Scheduled' and position(convert_to($1, 'UTF8') in body) > 0", municipality);

    [Fact]
    [Trait("seed", Rule.Seeds.Takatsuki)] // the renewal window the timers open (有効期限の3か月前の翌日から)
    public async Task A_file_of_several_chunks_is_imported_whole_with_metadata_timers_and_hash_chains()
    {
        const int count = NoticeWriter.ChunkSize * 2 + 345;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/saku/notices?batch=JLIS-2026-03") { Content = new ByteArrayContent(Utf8(File("K", count, withBadLines: true))) };
        request.Headers.Add("X-Correlation-ID", "import-correlation-1");
        var response = await _server.Http.SendAsync(request);
        var report = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bad = count / 500;
        Assert.Equal((count, count - bad, bad), (report.Int("lines"), report.Int("imported"), report.Items("rejected").Count()));
        Assert.Equal(Enumerable.Range(1, bad).Select(i => i * 500 + 1), report.Items("rejected").Select(r => r.Int("line")));

        // One stream per notice, its notice with the metadata of the staff member who imported it.
        var open = OpenOnImport(count, withBadLines: true);
        Assert.InRange(open, 1, count - bad - 1);
        Assert.Equal((long)(count - bad), await db.ScalarAsync<long>("select count(*) from cases.mt_streams where tenant_id = 'saku'"));
        Assert.Equal((long)(count - bad), await db.ScalarAsync<long>(
            "select count(*) from cases.mt_events where tenant_id = 'saku' and type = 'ExpiryNoticeSent' and version = 1 and user_name = 'clerk-1' " +
            "and headers ->> 'office' = 'shimin-ka' and headers ->> 'command' = 'RecordExpiryNotice' and correlation_id = 'import-correlation-1'"));
        // A window open on arrival is held by the case's dates, not recorded as an event of its own (RenewalDecider.WithTimeCaughtUp).
        Assert.Equal(0L, await db.ScalarAsync<long>("select count(*) from cases.mt_events where tenant_id = 'saku' and type = 'RenewalWindowOpened'"));
        // Each case's timers (the window opening unless open already, the lapse), stored with its events.
        Assert.Equal(2L * (count - bad) - open, await ScheduledTimersAsync("saku"));
        var first = CaseIds.ForNotice("saku", "K-000001");
        Assert.Equal(1, await _server.PendingTimersAsync(first));
        var view = await CaseAsync(_server.Http, "saku", "K-000001");
        Assert.Equal("2026-01-03", view.GetProperty("renewalOpensOn").GetString());
        // Every event linked into its case's hash chain by the trigger, in the chunks' transactions.
        var chains = await _server.IntegrityAsync("saku");
        Assert.Equal((long)(count - bad), chains.GetProperty("eventsChecked").GetInt64());
        Assert.Empty(chains.Items("breaks"));

        // The same file again: nothing new (every existing case read in one query per chunk).
        var again = await (await _server.Http.PostAsync("/api/saku/notices?batch=JLIS-2026-03", new ByteArrayContent(Utf8(File("K", count, withBadLines: true)))))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((0, count - bad), (again.Int("imported"), again.Int("alreadyImported")));
        Assert.Equal((long)(count - bad), await db.ScalarAsync<long>("select count(*) from cases.mt_events where tenant_id = 'saku'"));
    }

    [Fact]
    public async Task The_same_file_sent_twice_at_once_records_every_notice_once()
    {
        const int count = NoticeWriter.ChunkSize + 500;
        var file = Utf8(File("T", count));
        var answers = await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            var response = await _server.Http.PostAsync("/api/fujiidera/notices?batch=JLIS-2026-03", new ByteArrayContent(file));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }));
        Assert.All(answers, a => Assert.Equal(count, a.Int("imported") + a.Int("alreadyImported")));
        Assert.Equal(count, answers.Sum(a => a.Int("imported")));
        var open = OpenOnImport(count);
        Assert.Equal((long)count, await db.ScalarAsync<long>("select count(*) from cases.mt_events where tenant_id = 'fujiidera'"));
        Assert.Equal(2L * count - open, await ScheduledTimersAsync("fujiidera"));
        var chains = await _server.IntegrityAsync("fujiidera");
        Assert.Empty(chains.Items("breaks"));
    }
}
