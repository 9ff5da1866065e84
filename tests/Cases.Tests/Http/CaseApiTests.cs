using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Api;
using CaseSystem.Cases.Tests.Support;

namespace CaseSystem.Cases.Tests.Http;

/// <summary>Journeys a counter sees, through HTTP on a real database: state is built only through the API.</summary>
public sealed class CaseApiTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private static readonly DateTimeOffset Monday10 = new(2026, 3, 16, 10, 0, 0, JapanTime.Offset);
    private static readonly object Holder = new { nameKanji = "佐藤 一郎", nameKana = "サトウ イチロウ", birthDate = "1980-06-15", registeredAddress = "長野県佐久市中込3056" };
    private static readonly object Expiring = new { userAuthenticationExpiry = "2026-06-15", signingExpiry = "2026-06-15" };

    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(db, Monday10);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<(string Path, string ETag)> OpenAsync(string municipality = "saku", string office = "shimin-ka") =>
        _server.OpenCaseAsync(municipality, office);

    private async Task<JsonElement> OkAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(type, problem.GetProperty("type").GetString());
        return problem;
    }

    /// <summary>A case opened on <c>Monday10</c>, in its renewal window: the opening only, the window open from its dates (000).</summary>
    private const long Opened = 1;

    private async Task<long> VersionAsync(string path) => (await OkAsync(await _server.Http.GetAsync(path))).GetProperty("version").GetInt64();

    [Fact]
    [Trait("seed", Rule.Seeds.Saku)]
    public async Task A_holder_renews_both_certificates_in_one_visit()
    {
        var (path, _) = await OpenAsync();
        await OkAsync(await _server.PostAsync(path + "/visits", new { office = "shimin-ka", whoCame = "Holder", documents = Array.Empty<object>() }));
        await OkAsync(await _server.PostAsync(path + "/pin-checks", new { certificate = "UserAuthentication", result = "Mismatched", triesLeft = 2 }));
        await OkAsync(await _server.PostAsync(path + "/pin-checks", new { certificate = "UserAuthentication", result = "Matched", triesLeft = 3 }));
        await OkAsync(await _server.PostAsync(path + "/pin-checks", new { certificate = "Signing", result = "Matched", triesLeft = 5 }));
        var renewed = await OkAsync(await _server.PostAsync(path + "/renewals", new { certificates = new[] { "UserAuthentication", "Signing" } }));
        Assert.Equal("2030-06-15", renewed.GetProperty("renewedUntil").GetString());
        var ended = await OkAsync(await _server.PostAsync(path + "/visits/current/end", new { outcome = "Done" }));
        Assert.Equal("renewed", ended.GetProperty("checklist")[0].GetProperty("code").GetString());
        // The visit that renewed ended done: the case is closed as renewed, and only a card re-read remains.
        Assert.Equal("closed", ended.GetProperty("status").GetString());
        Assert.Equal("Renewed", ended.GetProperty("closure").GetString());
        Assert.Equal(["card-reads", "pin-checks"], ended.GetProperty("allowedActions").EnumerateArray().Select(a => a.GetString()));

        var history = await OkAsync(await _server.Http.GetAsync(path + "/events"));
        Assert.Equal(
            ["CaseOpenedAtCounter", "VisitStarted", "IdentityAccepted", "PinMismatchRecorded", "PinMatched", "PinMatched", "CertificatesRenewed", "VisitEnded", "CaseClosed"],
            history.EnumerateArray().Select(e => e.GetProperty("type").GetString()));
        Assert.Equal("OpenCaseAtCounter", history[0].GetProperty("command").GetString());
        Assert.Equal("StartVisit", history[1].GetProperty("command").GetString());
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Kawasaki)]
    public async Task A_proxy_without_the_form_gets_an_inquiry_and_renews_at_the_second_visit_weeks_later()
    {
        var (path, _) = await OpenAsync();
        var licence = new { kind = "driving-licence", owner = "Representative", validUntil = "2030-01-01" };
        var first = await OkAsync(await _server.PostAsync(path + "/visits", new { office = "shimin-ka", whoCame = "AppointedProxy", documents = new[] { licence }, replyForm = "Missing", holderPresent = false }));
        Assert.Equal("mail-inquiry", first.GetProperty("checklist").EnumerateArray().Last().GetProperty("code").GetString());
        await ProblemAsync(await _server.PostAsync(path + "/renewals", new { certificates = new[] { "UserAuthentication" } }), HttpStatusCode.UnprocessableEntity, "urn:casesystem:rule:proxy-sealed-reply-form");
        var mailed = await OkAsync(await _server.PostAsync(path + "/inquiries", new { reason = "reply-form-missing" }));
        Assert.Equal("2026-04-15", mailed.GetProperty("inquiry").GetProperty("replyDueOn").GetString());
        var waiting = await OkAsync(await _server.PostAsync(path + "/visits/current/end", new { outcome = "MustReturn" }));
        Assert.Contains(waiting.GetProperty("checklist").EnumerateArray(), i => i.GetProperty("code").GetString() == "inquiry-reply-awaited");

        _server.Clock.Now = Monday10.AddDays(23);
        var insurance = new { kind = "health-insurance-card", owner = "Representative" };
        var holderId = new { kind = "health-insurance-card", owner = "Holder" };
        var attorney = new { kind = "letter-of-attorney", owner = "Holder" };
        var second = await OkAsync(await _server.PostAsync(path + "/visits", new { office = "shimin-ka", whoCame = "AppointedProxy", documents = new object[] { licence, insurance, holderId, attorney }, holderPresent = false }));
        Assert.True(second.GetProperty("currentVisit").GetProperty("identityAccepted").GetBoolean());
        await OkAsync(await _server.PostAsync(path + "/inquiry-replies", new { }));
        await OkAsync(await _server.PostAsync(path + "/pin-checks", new { certificate = "UserAuthentication", result = "Matched", triesLeft = 3 }));
        var renewed = await OkAsync(await _server.PostAsync(path + "/renewals", new { certificates = new[] { "UserAuthentication" } }));
        Assert.Equal("2030-06-15", renewed.GetProperty("renewedUntil").GetString());
        Assert.Equal(2, renewed.GetProperty("visits").GetInt32());
    }

    [Fact]
    public async Task Two_clerks_acting_on_one_case_at_once_one_gets_409_and_nothing_is_lost()
    {
        var (path, etag) = await OpenAsync();
        var visit = new { office = "shimin-ka", whoCame = "Holder", documents = Array.Empty<object>() };
        var responses = await Task.WhenAll(_server.PostAsync(path + "/visits", visit, ifMatch: etag), _server.PostAsync(path + "/visits", visit, ifMatch: etag));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        var conflict = Assert.Single(responses, r => r.StatusCode != HttpStatusCode.OK);
        await ProblemAsync(conflict, HttpStatusCode.Conflict, "urn:casesystem:problem:concurrency-conflict");
        Assert.Equal(Opened + 2, await VersionAsync(path));
    }

    [Fact]
    public async Task A_stale_If_Match_is_409_and_a_malformed_one_400()
    {
        var (path, etag) = await OpenAsync();
        await OkAsync(await _server.PostAsync(path + "/arrivals", new { office = "shimin-ka", ticketNumber = "A-001" }, ifMatch: etag));
        await ProblemAsync(await _server.PostAsync(path + "/arrivals", new { office = "shimin-ka", ticketNumber = "A-002" }, ifMatch: etag), HttpStatusCode.Conflict, "urn:casesystem:problem:concurrency-conflict");
        using var request = new HttpRequestMessage(HttpMethod.Post, path + "/arrivals") { Content = JsonContent.Create(new { office = "shimin-ka", ticketNumber = "A-003" }) };
        request.Headers.TryAddWithoutValidation("If-Match", "version two");
        await ProblemAsync(await _server.Http.SendAsync(request), HttpStatusCode.BadRequest, "urn:casesystem:problem:bad-if-match");
        Assert.Equal(Opened + 1, await VersionAsync(path));
    }

    [Fact]
    public async Task A_retried_command_with_its_Idempotency_Key_returns_the_first_outcome_and_records_nothing_twice()
    {
        var (path, _) = await OpenAsync();
        var visit = new { office = "shimin-ka", whoCame = "Holder", documents = Array.Empty<object>() };
        var first = await _server.PostAsync(path + "/visits", visit, idempotencyKey: "visit-1");
        var again = await _server.PostAsync(path + "/visits", visit, idempotencyKey: "visit-1");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first.Headers.ETag, again.Headers.ETag);
        Assert.Equal(Opened + 2, await VersionAsync(path));
    }

    [Fact]
    public async Task Opening_a_case_twice_with_one_key_opens_one_case()
    {
        var body = new { holder = Holder, expiry = Expiring, office = "shimin-ka" };
        var first = await _server.PostAsync("/api/saku/cases", body, idempotencyKey: "open-1");
        var again = await _server.PostAsync("/api/saku/cases", body, idempotencyKey: "open-1");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        // The first answer again, Location and all, marked as a replay.
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first.Headers.Location, again.Headers.Location);
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Takatsuki)]
    public async Task Too_early_is_refused_with_the_rule_and_its_seed_and_nothing_is_recorded()
    {
        _server.Clock.Now = new DateTimeOffset(2026, 3, 13, 10, 0, 0, JapanTime.Offset);
        var (path, _) = await OpenAsync();
        await OkAsync(await _server.PostAsync(path + "/visits", new { office = "shimin-ka", whoCame = "Holder", documents = Array.Empty<object>() }));
        await OkAsync(await _server.PostAsync(path + "/pin-checks", new { certificate = "UserAuthentication", result = "Matched", triesLeft = 3 }));
        var before = await VersionAsync(path);
        var problem = await ProblemAsync(await _server.PostAsync(path + "/renewals", new { certificates = new[] { "UserAuthentication" } }),
            HttpStatusCode.UnprocessableEntity, "urn:casesystem:rule:renewal-window");
        Assert.Equal(Rule.Seeds.Takatsuki, problem.GetProperty("seed").GetString());
        Assert.Contains("3か月前の翌日", problem.GetProperty("title").GetString());
        Assert.Contains("2026年3月16日", problem.GetProperty("detail").GetString());
        Assert.Equal(before, await VersionAsync(path));
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Takatsuki)]
    public async Task A_visit_in_Takatsuki_at_noon_is_refused_by_the_lunch_break()
    {
        _server.Clock.Now = new DateTimeOffset(2026, 3, 16, 12, 0, 0, JapanTime.Offset);
        var (path, _) = await OpenAsync("takatsuki", "shimin-ka");
        await ProblemAsync(await _server.PostAsync(path + "/visits", new { office = "shimin-ka", whoCame = "Holder", documents = Array.Empty<object>() }),
            HttpStatusCode.UnprocessableEntity, "urn:casesystem:rule:takatsuki-lunch-break");
    }

    [Fact]
    public async Task Unreadable_input_is_a_400_problem_and_changes_nothing()
    {
        var (path, _) = await OpenAsync();
        using var content = new StringContent("{\"office\": \"shimin-ka\", \"whoCame\": \"Neighbour\"}", Encoding.UTF8, "application/json");
        var problem = await ProblemAsync(await _server.Http.PostAsync(path + "/visits", content), HttpStatusCode.BadRequest, "urn:casesystem:problem:invalid-request");
        Assert.Contains("AppointedProxy", problem.GetProperty("errors").GetProperty("whoCame")[0].GetString());
        using var cut = new StringContent("{\"office\": \"shimin-ka\", ", Encoding.UTF8, "application/json");
        await ProblemAsync(await _server.Http.PostAsync(path + "/visits", cut), HttpStatusCode.BadRequest, "urn:casesystem:problem:bad-request");
        Assert.Equal(Opened, await VersionAsync(path));
    }

    [Fact]
    public async Task A_case_read_carries_its_ETag_and_answers_304_when_unchanged()
    {
        var (path, etag) = await OpenAsync();
        var read = await _server.Http.GetAsync(path);
        Assert.Equal(etag, read.Headers.ETag!.Tag);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("If-None-Match", etag);
        Assert.Equal(HttpStatusCode.NotModified, (await _server.Http.SendAsync(request)).StatusCode);
        await ProblemAsync(await _server.Http.GetAsync($"/api/saku/cases/{Guid.NewGuid()}"), HttpStatusCode.NotFound, "urn:casesystem:problem:case-not-found");
    }

    [Fact]
    public async Task A_station_opens_a_case_and_records_what_the_card_showed_and_nothing_else()
    {
        _server.Role = StaffRole.Station;
        var key = Guid.NewGuid().ToString();
        var opened = await _server.PostAsync("/api/saku/cases", new { holder = Holder, expiry = Expiring, office = "shimin-ka" }, idempotencyKey: key);
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var path = opened.Headers.Location!.ToString();
        Assert.Equal(HttpStatusCode.Created, (await _server.PostAsync("/api/saku/cases", new { holder = Holder, expiry = Expiring, office = "shimin-ka" }, idempotencyKey: key)).StatusCode);
        await ProblemAsync(await _server.PostAsync(path + "/arrivals", new { office = "shimin-ka", ticketNumber = "A-1" }), HttpStatusCode.Forbidden, "urn:casesystem:problem:role-not-allowed");
        await ProblemAsync(await _server.Http.GetAsync(path + "/events"), HttpStatusCode.Forbidden, "urn:casesystem:problem:role-not-allowed");
    }

    [Fact]
    public async Task The_case_shows_the_card_read_again_after_the_renewal()
    {
        var path = (await OpenAsync()).Path;
        var read = new { stationId = "station-1", userAuthenticationSerial = "0A1B", userAuthenticationExpiry = "2026-06-15", userAuthenticationPinTriesLeft = 3, signingPinTriesLeft = 5 };
        await OkAsync(await _server.PostAsync(path + "/card-reads", read));
        await OkAsync(await _server.PostAsync(path + "/visits", new { office = "shimin-ka", whoCame = "Holder", documents = Array.Empty<object>() }));
        await OkAsync(await _server.PostAsync(path + "/pin-checks", new { certificate = "UserAuthentication", result = "Matched", triesLeft = 3 }));
        await OkAsync(await _server.PostAsync(path + "/pin-checks", new { certificate = "Signing", result = "Matched", triesLeft = 5 }));
        var renewed = await OkAsync(await _server.PostAsync(path + "/renewals", new { certificates = new[] { "UserAuthentication", "Signing" } }));
        Assert.Equal(["renewed", "re-read-card"], renewed.GetProperty("checklist").EnumerateArray().Select(i => i.GetProperty("code").GetString()));

        _server.Role = StaffRole.Station;
        var reread = await OkAsync(await _server.PostAsync(path + "/card-reads", read with { userAuthenticationSerial = "0C2D", userAuthenticationExpiry = "2030-06-15" }));
        Assert.Equal("2030-06-15", reread.GetProperty("renewedUntil").GetString());
        Assert.Equal("2030-06-15", reread.GetProperty("card").GetProperty("userAuthenticationExpiry").GetString());
        Assert.True(reread.GetProperty("card").GetProperty("afterRenewal").GetBoolean());
        Assert.Equal("renewal-on-card", reread.GetProperty("checklist")[1].GetProperty("code").GetString());
    }
}

/// <summary>Who may do what: every request names its staff member; the actor goes into every event.</summary>
public sealed class CaseApiAccessTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private static readonly DateTimeOffset Monday10 = new(2026, 3, 16, 10, 0, 0, JapanTime.Offset);
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(db, Monday10);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<string> OpenAsync() => (await _server.OpenCaseAsync()).Path;

    private static async Task ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(type, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task No_token_is_401_and_records_nothing()
    {
        var path = await OpenAsync();
        _server.Role = null;
        await ProblemAsync(await _server.PostAsync(path + "/arrivals", new { office = "shimin-ka", ticketNumber = "A-1" }), HttpStatusCode.Unauthorized, "urn:casesystem:problem:unauthenticated");
        await ProblemAsync(await _server.Http.GetAsync(path), HttpStatusCode.Unauthorized, "urn:casesystem:problem:unauthenticated");
        _server.Role = StaffRole.Clerk;
        Assert.Equal(1, (await _server.Http.GetFromJsonAsync<JsonElement>(path)).GetProperty("version").GetInt64()); // opened (its window open from its dates)
    }

    [Fact]
    public async Task A_token_of_another_municipality_gets_nothing_of_this_one()
    {
        var path = await OpenAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new("Bearer", _server.Token(StaffRole.Clerk, "kawasaki"));
        var response = await _server.Http.SendAsync(request);
        await ProblemAsync(response, HttpStatusCode.Forbidden, "urn:casesystem:problem:other-municipality");
        Assert.DoesNotContain("佐藤", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_analyst_reads_no_case_and_a_supervisor_sends_no_command()
    {
        var path = await OpenAsync();
        _server.Role = StaffRole.Analyst;
        await ProblemAsync(await _server.Http.GetAsync(path), HttpStatusCode.Forbidden, "urn:casesystem:problem:role-not-allowed");
        await ProblemAsync(await _server.Http.GetAsync(path + "/events"), HttpStatusCode.Forbidden, "urn:casesystem:problem:role-not-allowed");
        _server.Role = StaffRole.Supervisor;
        Assert.Equal(HttpStatusCode.OK, (await _server.Http.GetAsync(path + "/events")).StatusCode);
        await ProblemAsync(await _server.PostAsync(path + "/arrivals", new { office = "shimin-ka", ticketNumber = "A-1" }), HttpStatusCode.Forbidden, "urn:casesystem:problem:role-not-allowed");
        _server.Role = StaffRole.Station;
        Assert.Equal(HttpStatusCode.OK, (await _server.PostAsync(path + "/card-reads", new
        {
            stationId = "station-1", userAuthenticationSerial = "0A1B", userAuthenticationExpiry = "2026-06-15", userAuthenticationPinTriesLeft = 3, signingPinTriesLeft = 5,
        })).StatusCode);
    }

    [Fact]
    public async Task The_acting_staff_member_and_office_are_in_every_events_metadata()
    {
        var path = await OpenAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, path + "/arrivals") { Content = JsonContent.Create(new { office = "usuda", ticketNumber = "B-7" }) };
        request.Headers.Authorization = new("Bearer", _server.Token(StaffRole.Clerk, "saku", "clerk-42", "usuda"));
        Assert.Equal(HttpStatusCode.OK, (await _server.Http.SendAsync(request)).StatusCode);

        var events = await db.EventsAsync("saku", Guid.Parse(path.Split('/').Last()));
        // The opening, then the arrival.
        Assert.Equal(2, events.Count);
        Assert.Equal(("clerk-1", "shimin-ka", "OpenCaseAtCounter"), (events[0].UserName, events[0].Office(), events[0].Command()));
        Assert.Equal(("clerk-42", "usuda", "RecordArrival"), (events[1].UserName, events[1].Office(), events[1].Command()));
    }
}
