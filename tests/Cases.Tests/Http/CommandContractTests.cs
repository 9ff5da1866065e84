using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CaseSystem.Cases.Tests.Support;

namespace CaseSystem.Cases.Tests.Http;

/// <summary>
/// The command endpoints' contract under concurrency and retries: If-Match is optimistic
/// concurrency when asked for (409 on a stale version), a race the client did not ask about is
/// decided again on the fresh case, and an Idempotency-Key makes a retry append nothing and get
/// the first answer, also when sent 50 times at once.
/// </summary>
public sealed class CommandContractTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(db, ReceptionNearNow());

    /// <summary>
    /// 10:00 on the latest day up to now when Saku's 市民課 receives visitors: near the real time,
    /// which Wolverine's stored answers are kept by, and within the hours, which visits need (run
    /// at 17:30 JST, a clock at "now" made every visit a reception-hours refusal; CI, 2026-12-02).
    /// </summary>
    private static DateTimeOffset ReceptionNearNow()
    {
        var office = CaseSystem.Cases.Policies.MunicipalPolicies.For("saku").Office("shimin-ka");
        var now = DateTimeOffset.UtcNow;
        var at = new DateTimeOffset(JapanTime.DateOf(now).ToDateTime(new TimeOnly(10, 0)), JapanTime.Offset);
        if (at > now) at = at.AddDays(-1);
        while (!office.ReceptionAt(at).IsOpen) at = at.AddDays(-1);
        return at;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static Guid IdOf(string path) => Guid.Parse(path.Split('/').Last());

    /// <summary>The case's version in an ETag: how many events it holds (opening a case may record more than one).</summary>
    private static int VersionOf(string etag) => int.Parse(etag.Trim('"'));

    private static async Task<JsonElement> ProblemOf(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task A_stale_If_Match_is_409_with_a_stable_problem_type_and_changes_nothing()
    {
        var (path, etag) = await _server.OpenCaseAsync();
        Assert.Equal(HttpStatusCode.OK, (await _server.PostAsync(path + "/arrivals", new { office = "shimin-ka", ticketNumber = "A-1" }, ifMatch: etag)).StatusCode);

        var stale = await _server.PostAsync(path + "/arrivals", new { office = "shimin-ka", ticketNumber = "A-2" }, ifMatch: etag);

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var problem = await ProblemOf(stale);
        Assert.Equal("urn:casesystem:problem:concurrency-conflict", problem.GetProperty("type").GetString());
        Assert.Contains("他の操作", problem.GetProperty("title").GetString());
        Assert.Equal(VersionOf(etag) + 1, (await db.EventsAsync("saku", IdOf(path))).Count);
    }

    [Fact]
    public async Task An_If_Match_that_is_no_version_is_400()
    {
        var (path, opened) = await _server.OpenCaseAsync();
        var response = await _server.PostAsync(path + "/arrivals", new { office = "shimin-ka", ticketNumber = "A-1" }, ifMatch: "\"one\"");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("urn:casesystem:problem:bad-if-match", (await ProblemOf(response)).GetProperty("type").GetString());
        Assert.Equal(VersionOf(opened), (await db.EventsAsync("saku", IdOf(path))).Count);
    }

    [Fact]
    public async Task Without_If_Match_commands_racing_on_one_case_are_all_decided_and_none_is_409()
    {
        var (path, etag) = await _server.OpenCaseAsync();
        var opened = VersionOf(etag);
        const int clerks = 16;
        using var start = new Barrier(clerks);
        var responses = await Task.WhenAll(Enumerable.Range(1, clerks).Select(i => Task.Run(async () =>
        {
            start.SignalAndWait();
            return await _server.PostAsync(path + "/arrivals", new { office = "shimin-ka", ticketNumber = $"A-{i}" });
        })));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var events = await db.EventsAsync("saku", IdOf(path));
        Assert.Equal(Enumerable.Range(1, opened + clerks).Select(v => (long)v), events.Select(e => e.Version));
        Assert.Equal(clerks, events.Count(e => e.EventTypeName == "ArrivedAtOffice"));
        // Each answer's ETag is the version its own command brought the case to.
        Assert.Equal(Enumerable.Range(opened + 1, clerks), responses.Select(r => int.Parse(r.Headers.ETag!.Tag.Trim('"'))).Order());
    }

    [Fact]
    public async Task A_retry_with_the_same_key_appends_nothing_and_gets_the_first_answer()
    {
        var (path, opened) = await _server.OpenCaseAsync();
        var key = Guid.NewGuid().ToString();
        var body = new { office = "shimin-ka", ticketNumber = "A-7" };

        var first = await _server.PostAsync(path + "/arrivals", body, idempotencyKey: key);
        var again = await _server.PostAsync(path + "/arrivals", body, idempotencyKey: key);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        Assert.Equal(VersionOf(opened) + 1, (await db.EventsAsync("saku", IdOf(path))).Count);
    }

    [Fact]
    public async Task Fifty_identical_sends_at_once_append_once_and_all_get_the_same_answer()
    {
        var (path, _) = await _server.OpenCaseAsync();
        var key = Guid.NewGuid().ToString();
        const int sends = 50;
        using var start = new Barrier(sends);
        var responses = await Task.WhenAll(Enumerable.Range(0, sends).Select(_ => Task.Run(async () =>
        {
            start.SignalAndWait();
            return await _server.PostAsync(path + "/visits", new { office = "shimin-ka", whoCame = "Holder", documents = new[] { new { kind = "my-number-card", owner = "Holder" } } }, idempotencyKey: key);
        })));

        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));
        Assert.All(responses.Zip(bodies), r => Assert.True(r.First.StatusCode == HttpStatusCode.OK, r.Second));
        Assert.Single(bodies.Distinct());
        Assert.Single(await db.EventsAsync("saku", IdOf(path)), e => e.EventTypeName == "VisitStarted");
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_refused_and_appends_nothing()
    {
        var (path, opened) = await _server.OpenCaseAsync();
        var key = Guid.NewGuid().ToString();
        Assert.Equal(HttpStatusCode.OK, (await _server.PostAsync(path + "/arrivals", new { office = "shimin-ka", ticketNumber = "A-1" }, idempotencyKey: key)).StatusCode);

        var other = await _server.PostAsync(path + "/arrivals", new { office = "shimin-ka", ticketNumber = "A-2" }, idempotencyKey: key);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        var problem = await ProblemOf(other);
        Assert.Equal("urn:casesystem:problem:idempotency-key-reused", problem.GetProperty("type").GetString());
        Assert.Contains("Idempotency-Key", problem.GetProperty("title").GetString());
        Assert.Equal(VersionOf(opened) + 1, (await db.EventsAsync("saku", IdOf(path))).Count);
    }

    [Fact]
    public async Task A_key_belongs_to_its_case_and_municipality()
    {
        var key = Guid.NewGuid().ToString();
        var (first, _) = await _server.OpenCaseAsync();
        var (second, opened) = await _server.OpenCaseAsync();
        var (kawasaki, _) = await _server.OpenCaseAsync(municipality: "kawasaki", office: "kawasaki-ku");
        var body = new { office = "shimin-ka", ticketNumber = "A-1" };
        foreach (var path in new[] { first, second, kawasaki })
        {
            var response = await _server.PostAsync(path + "/arrivals", path == kawasaki ? new { office = "kawasaki-ku", ticketNumber = "A-1" } : body, idempotencyKey: key);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False(response.Headers.Contains("Idempotent-Replayed"));
        }
        Assert.Equal(VersionOf(opened) + 1, (await db.EventsAsync("saku", IdOf(second))).Count);
    }
}
