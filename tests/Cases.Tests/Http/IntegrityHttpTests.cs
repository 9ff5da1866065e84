using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CaseSystem.Cases.Api;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Tests.EventStore;
using CaseSystem.Cases.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace CaseSystem.Cases.Tests.Http;

/// <summary>
/// Issue 14 through the server: anchoring on demand and by period, the integrity reports naming
/// a truncated case against the anchors, and the municipality-wide check bounded (a page of cases
/// per request, one page of a municipality at a time).
/// </summary>
public sealed class IntegrityHttpTests : IAsyncLifetime
{
    private readonly TestDatabase _db = new();
    private readonly List<TestServer> _servers = [];

    public Task InitializeAsync() => _db.InitializeAsync();

    public async Task DisposeAsync()
    {
        foreach (var server in _servers) await server.DisposeAsync();
        await _db.DisposeAsync();
    }

    private async Task<TestServer> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var server = await TestServer.StartAsync(_db, DateTimeOffset.UtcNow, settings: settings);
        _servers.Add(server);
        server.Role = StaffRole.Supervisor;
        return server;
    }

    private static async Task<JsonElement> JsonOf(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();

    [Fact]
    public async Task Anchored_on_demand_a_case_whose_newest_event_was_deleted_is_reported_by_both_checks_naming_it()
    {
        var server = await StartAsync();
        server.Role = StaffRole.Clerk;
        var (path, _) = await server.OpenCaseAsync("saku");
        await server.OpenCaseAsync("saku");
        var caseId = Guid.Parse(path.Split('/')[^1]);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Http.PostAsync("/api/saku/integrity/anchors", null)).StatusCode);

        var anchored = await server.AnchorAsync("saku");
        Assert.Equal((1, 1, 2), (anchored.GetProperty("written").GetInt32(), anchored.GetProperty("anchor").GetInt32(), anchored.GetProperty("heads").GetInt32()));
        var head = await _db.ScalarAsync<long>("select max(seq_id) from cases.mt_events");
        Assert.Equal(head, anchored.GetProperty("anchoredThrough").GetInt64());
        // Another municipality's answer counts none of Saku's heads.
        Assert.Equal(0, (await server.AnchorAsync("kawasaki")).GetProperty("heads").GetInt32());

        var clean = await server.IntegrityAsync("saku");
        Assert.True(clean.GetProperty("isIntact").GetBoolean());
        Assert.Equal(head, clean.GetProperty("anchors").GetProperty("anchoredThrough").GetInt64());
        Assert.Contains("hash chain alone", clean.GetProperty("anchors").GetProperty("note").GetString());

        var newest = await _db.ScalarAsync<long>("select max(version) from cases.mt_events where stream_id = $1", caseId);
        await _db.ExecuteAsync("delete from cases.case_event_chain where stream_id = $1 and version = $2", caseId, newest);
        await _db.ExecuteAsync("delete from cases.mt_events where stream_id = $1 and version = $2", caseId, newest);

        foreach (var report in new[] { await server.IntegrityAsync("saku"), await server.IntegrityAsync("saku", caseId) })
        {
            Assert.False(report.GetProperty("isIntact").GetBoolean());
            Assert.Empty(report.GetProperty("breaks").EnumerateArray());
            var cut = Assert.Single(report.GetProperty("anchorBreaks").EnumerateArray().ToList());
            Assert.Equal((caseId, "truncation", newest, newest - 1), (cut.GetProperty("streamId").GetGuid(), cut.GetProperty("kind").GetString(),
                cut.GetProperty("anchoredVersion").GetInt64(), cut.GetProperty("version").GetInt64()));
            Assert.Contains("最新の記録が削除されています", cut.GetProperty("reason").GetString());
        }
    }

    [Fact]
    public async Task The_municipality_check_answers_a_page_of_cases_with_the_cursor_of_the_next()
    {
        var server = await StartAsync();
        var cases = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToArray();
        foreach (var c in cases) await _db.AppendAsync("kawasaki", c, [Samples.Opened(), Samples.Arrived(1)]);
        await _db.AppendAsync("saku", Guid.NewGuid(), [Samples.Opened()]);
        await server.AnchorAsync("kawasaki");
        // One case deleted whole: it is reported on the one page whose range of ids it falls in.
        var gone = cases[3];
        await _db.ExecuteAroundTriggersAsync(
            ("delete from cases.case_event_chain where stream_id = $1", [gone]),
            ("delete from cases.mt_events where stream_id = $1", [gone]),
            ("delete from cases.mt_streams where id = $1", [gone]));

        var pages = new List<JsonElement>();
        string? after = null;
        do
        {
            var response = await server.Http.GetAsync($"/api/kawasaki/integrity?limit=2{(after is null ? "" : "&after=" + after)}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            pages.Add(await JsonOf(response));
            after = pages[^1].GetProperty("next").GetString();
        }
        while (after is not null && pages.Count < 10);
        Assert.Equal([2L, 2L], pages.Take(2).Select(p => p.GetProperty("streamsChecked").GetInt64()));
        Assert.Equal(4L, pages.Sum(p => p.GetProperty("streamsChecked").GetInt64()));
        Assert.Equal(8L, pages.Sum(p => p.GetProperty("eventsChecked").GetInt64()));
        var truncations = pages.SelectMany(p => p.GetProperty("anchorBreaks").EnumerateArray()).ToList();
        Assert.Equal(gone, Assert.Single(truncations).GetProperty("streamId").GetGuid());

        foreach (var (query, field) in new[] { ("limit=0", "limit"), ("limit=5001", "limit"), ("limit=ten", "limit"), ("after=not-a-case", "after") })
        {
            var refused = await server.Http.GetAsync($"/api/kawasaki/integrity?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var problem = await JsonOf(refused);
            Assert.Equal("urn:casesystem:problem:invalid-request", problem.GetProperty("type").GetString());
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), query);
        }
    }

    [Fact]
    public async Task A_check_of_a_municipality_asked_while_one_runs_is_429_with_retry_after()
    {
        var server = await StartAsync();
        await _db.AppendAsync("saku", Guid.NewGuid(), [Samples.Opened()]);
        using (server.Services.GetRequiredService<IntegrityScans>().TryEnter("saku"))
        {
            var busy = await server.Http.GetAsync("/api/saku/integrity");
            Assert.Equal(HttpStatusCode.TooManyRequests, busy.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(IntegrityEndpoints.RetryAfterSeconds), busy.Headers.RetryAfter?.Delta);
            Assert.Equal("urn:casesystem:problem:integrity-scan-running", (await JsonOf(busy)).GetProperty("type").GetString());
            // Another municipality's check, and a case's, do not wait for it.
            Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/api/kawasaki/integrity")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/api/saku/integrity")).StatusCode);
    }

    [Fact]
    public async Task A_server_anchors_by_itself_every_period()
    {
        var server = await StartAsync(new Dictionary<string, string?> { ["CASES_ANCHOR_EVERY"] = "00:00:00.2" });
        var caseId = Guid.NewGuid();
        await _db.AppendAsync("hirosaki", caseId, [Samples.Opened()]);
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!File.Exists(server.AnchorLog) || !(await File.ReadAllTextAsync(server.AnchorLog)).Contains(caseId.ToString(), StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < until, "no anchor naming the case within 30 s");
            await Task.Delay(50);
        }
        var report = await server.IntegrityAsync("hirosaki", caseId);
        Assert.True(report.GetProperty("isIntact").GetBoolean());
        Assert.Equal(1, report.GetProperty("anchors").GetProperty("lastAnchor").GetInt32());
    }

    [Fact]
    public async Task Without_anchoring_configured_the_report_says_so_and_anchoring_on_demand_is_503()
    {
        var server = await StartAsync(new Dictionary<string, string?> { ["CASES_ANCHOR_KEY"] = null, ["CASES_ANCHOR_LOG"] = null });
        await _db.AppendAsync("fujiidera", Guid.NewGuid(), [Samples.Opened()]);
        var report = await server.IntegrityAsync("fujiidera");
        Assert.True(report.GetProperty("isIntact").GetBoolean());
        Assert.False(report.GetProperty("anchors").GetProperty("configured").GetBoolean());
        Assert.Contains("cannot be detected", report.GetProperty("anchors").GetProperty("note").GetString());

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/fujiidera/integrity/anchors");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", server.Token(StaffRole.Admin, "fujiidera", "admin-1"));
        var refused = await server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("urn:casesystem:problem:anchoring-not-configured", (await JsonOf(refused)).GetProperty("type").GetString());
        Assert.False(File.Exists(server.AnchorLog));
    }
}
