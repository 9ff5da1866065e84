using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CaseSystem.Cases.Api;
using CaseSystem.Cases.EventStore;
using CaseSystem.Cases.Store;
using CaseSystem.Cases.Timers;
using Marten;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CaseSystem.Cases.Tests.Http;

/// <summary>Time passes: the clock is moved, never slept on; the timers fire through the real database.</summary>
public sealed class CaseTimerTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private static readonly DateTimeOffset March2 = new(2026, 3, 2, 10, 0, 0, JapanTime.Offset);
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(db, March2);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private CaseTimers Timers => _server.Services.GetRequiredService<CaseTimers>();

    private async Task<Guid> OpenAsync(string userExpiry = "2026-06-15", string? signingExpiry = "2026-06-15") =>
        Guid.Parse((await _server.OpenCaseAsync(userExpiry: userExpiry, signingExpiry: signingExpiry)).Path.Split('/').Last());

    private async Task<IReadOnlyList<string>> EventTypesAsync(Guid caseId) =>
        [.. (await db.EventsAsync("saku", caseId)).Select(e => e.EventTypeName)];

    private Task<long> PendingAsync(Guid caseId) =>
        db.ScalarAsync<long>("select count(*) from cases.case_timers where stream_id = $1 and fired_at is null", caseId);

    private static DateTimeOffset Jst(int y, int m, int d, int h = 0, int min = 0) => new(y, m, d, h, min, 0, JapanTime.Offset);

    [Fact]
    [Trait("seed", Rule.Seeds.Takatsuki)]
    public async Task The_window_opening_is_recorded_once_when_its_day_comes()
    {
        var caseId = await OpenAsync();
        Assert.Equal(2, await PendingAsync(caseId)); // the window opening and the lapse, set with the case's first event

        _server.Clock.Now = Jst(2026, 3, 15, 23, 59);
        await Timers.RunDueAsync();
        Assert.DoesNotContain("RenewalWindowOpened", await EventTypesAsync(caseId));

        _server.Clock.Now = Jst(2026, 3, 16, 0, 0);
        await Timers.RunDueAsync();
        await Timers.RunDueAsync();
        Assert.Single(await EventTypesAsync(caseId), t => t == "RenewalWindowOpened");
        Assert.Equal(1, await PendingAsync(caseId));
        var e = (await db.EventsAsync("saku", caseId)).Last();
        Assert.Equal((CaseTimers.Actor, "OpenRenewalWindow"), (e.UserName, e.Command()));
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Hirosaki)]
    public async Task An_unrenewed_certificate_is_recorded_lapsed_the_day_after_its_expiry()
    {
        var caseId = await OpenAsync();
        _server.Clock.Now = Jst(2026, 6, 16, 0, 0);
        await Timers.RunDueAsync();
        Assert.Equal(2, (await EventTypesAsync(caseId)).Count(t => t == "CertificateLapsed"));
        Assert.Equal(0, await PendingAsync(caseId));
    }

    [Fact]
    public async Task Certificates_expiring_on_different_days_lapse_each_on_its_own_day()
    {
        var caseId = await OpenAsync(userExpiry: "2026-06-15", signingExpiry: "2026-05-31");
        _server.Clock.Now = Jst(2026, 6, 1, 0, 0);
        await Timers.RunDueAsync();
        Assert.Single(await EventTypesAsync(caseId), t => t == "CertificateLapsed");
        Assert.Equal(1, await PendingAsync(caseId)); // the user-authentication certificate's lapse, set again

        _server.Clock.Now = Jst(2026, 6, 16, 0, 0);
        await Timers.RunDueAsync();
        Assert.Equal(2, (await EventTypesAsync(caseId)).Count(t => t == "CertificateLapsed"));
    }

    [Fact]
    public async Task A_renewed_case_does_not_lapse_when_its_old_expiry_passes()
    {
        var caseId = await OpenAsync();
        var path = $"/api/saku/cases/{caseId}";
        _server.Clock.Now = Jst(2026, 3, 16, 10, 0);
        await _server.PostAsync(path + "/visits", new { office = "shimin-ka", whoCame = "Holder", documents = Array.Empty<object>() });
        await _server.PostAsync(path + "/pin-checks", new { certificate = "UserAuthentication", result = "Matched", triesLeft = 3 });
        await _server.PostAsync(path + "/pin-checks", new { certificate = "Signing", result = "Matched", triesLeft = 5 });
        Assert.Equal(HttpStatusCode.OK, (await _server.PostAsync(path + "/renewals", new { certificates = new[] { "UserAuthentication", "Signing" } })).StatusCode);

        _server.Clock.Now = Jst(2026, 6, 16, 0, 0);
        await Timers.RunDueAsync();
        Assert.DoesNotContain("CertificateLapsed", await EventTypesAsync(caseId));
        Assert.Equal(0, await PendingAsync(caseId));
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Kawasaki)]
    public async Task An_unanswered_inquiry_is_flagged_overdue_after_the_policys_period()
    {
        var caseId = await OpenAsync();
        var path = $"/api/saku/cases/{caseId}";
        _server.Clock.Now = Jst(2026, 3, 16, 10, 0);
        await _server.PostAsync(path + "/visits", new { office = "shimin-ka", whoCame = "AppointedProxy", documents = new[] { new { kind = "driving-licence", owner = "Representative" } }, replyForm = "Missing", holderPresent = false });
        Assert.Equal(HttpStatusCode.OK, (await _server.PostAsync(path + "/inquiries", new { reason = "reply-form-missing" })).StatusCode);

        _server.Clock.Now = Jst(2026, 4, 15, 23, 0);
        await Timers.RunDueAsync();
        Assert.DoesNotContain("InquiryOverdue", await EventTypesAsync(caseId));
        _server.Clock.Now = Jst(2026, 4, 16, 0, 0);
        await Timers.RunDueAsync();
        Assert.Contains("InquiryOverdue", await EventTypesAsync(caseId));
        var view = await _server.Http.GetFromJsonAsync<JsonElement>(path);
        Assert.True(view.GetProperty("inquiry").GetProperty("overdue").GetBoolean());
    }

    [Fact]
    public async Task Several_runners_at_once_fire_each_timer_exactly_once()
    {
        var cases = new List<Guid>();
        for (var i = 0; i < 10; i++) cases.Add(await OpenAsync());
        _server.Clock.Now = Jst(2026, 3, 16, 0, 0);

        // Four runners, each with a data source of its own, as four server processes would have.
        var sources = Enumerable.Range(0, 4).Select(_ => CasesDataSource.Create(db.ConnectionString)).ToList();
        var stores = Enumerable.Range(0, 4).Select(_ => DocumentStore.For(o => CaseStore.Configure(o, db.ConnectionString))).ToList();
        try
        {
            var runners = sources.Zip(stores, (source, store) =>
                new CaseTimers(new TimerRunner(source, _server.Clock), store, _server.Clock, NullLogger<CaseTimers>.Instance)).ToList();
            var fired = await Task.WhenAll(runners.Select(r => Task.Run(() => r.RunDueAsync())));
            Assert.Equal(10, fired.Sum());
        }
        finally
        {
            foreach (var s in sources) await s.DisposeAsync();
            foreach (var s in stores) s.Dispose();
        }
        foreach (var caseId in cases) Assert.Single(await EventTypesAsync(caseId), t => t == "RenewalWindowOpened");
    }

    [Fact]
    public async Task A_timer_whose_runner_died_before_marking_it_is_fired_again_later_and_records_nothing_twice()
    {
        var caseId = await OpenAsync();
        _server.Clock.Now = Jst(2026, 3, 16, 0, 0);
        var runner = new TimerRunner(db.DataSource, _server.Clock);

        // The first runner fires (the event is recorded) and dies before it marks the timer fired.
        await runner.RunDueAsync(async (timer, ct) =>
        {
            await db.AppendAsync(timer.Municipality, timer.StreamId, [new RenewalEvent.RenewalWindowOpened(new DateOnly(2026, 3, 16), _server.Clock.GetUtcNow())],
                CaseTimers.Actor, null, "OpenRenewalWindow");
            throw new InvalidOperationException("the process died here");
        });
        Assert.Single(await EventTypesAsync(caseId), t => t == "RenewalWindowOpened");

        await Timers.RunDueAsync();                      // still claimed: nothing happens
        _server.Clock.Now += TimerRunner.ClaimFor;       // the claim runs out
        Assert.Equal(1, await Timers.RunDueAsync());     // fired again…
        Assert.Single(await EventTypesAsync(caseId), t => t == "RenewalWindowOpened"); // …recording nothing twice
        Assert.Equal(1, await PendingAsync(caseId));     // only the lapse is left
    }

    [Fact]
    public async Task After_downtime_the_first_run_catches_up_with_everything_due_since()
    {
        var first = await OpenAsync();
        var second = await OpenAsync(userExpiry: "2026-05-31", signingExpiry: null);
        _server.Clock.Now = Jst(2026, 7, 1, 9, 0); // the server was down from March to July
        await Timers.RunDueAsync();
        Assert.Equal(["RenewalWindowOpened", "CertificateLapsed", "CertificateLapsed"], (await EventTypesAsync(first)).Skip(1));
        Assert.Equal(["RenewalWindowOpened", "CertificateLapsed"], (await EventTypesAsync(second)).Skip(1));
    }

    [Fact]
    public async Task A_timer_is_stored_only_with_the_events_that_set_it()
    {
        var (path, etag) = await _server.OpenCaseAsync(userExpiry: "2026-06-15", signingExpiry: "2026-06-15");
        var caseId = Guid.Parse(path.Split('/').Last());
        // A refused command stores neither events nor timers: the inquiry needs a visit (rule), so nothing moves.
        var refused = await _server.PostAsync(path + "/inquiries", new { reason = "reply-form-missing" }, ifMatch: etag);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal(["certificate-lapse", "renewal-window-opens"], await KindsAsync(caseId));
        // A stale If-Match stores nothing either.
        await _server.PostAsync(path + "/arrivals", new { office = "shimin-ka", ticketNumber = "A-1" });
        var stale = await _server.PostAsync(path + "/visits", new { office = "shimin-ka", whoCame = "Holder", documents = Array.Empty<object>() }, ifMatch: etag);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal(2, (await db.EventsAsync("saku", caseId)).Count);
    }

    private async Task<IReadOnlyList<string>> KindsAsync(Guid stream)
    {
        await using var cmd = db.DataSource.CreateCommand("select kind from cases.case_timers where stream_id = $1 order by kind");
        cmd.Parameters.AddWithValue(stream);
        var kinds = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) kinds.Add(reader.GetString(0));
        return kinds;
    }

    private static RenewalEvent Samples() => CaseSystem.Cases.Tests.EventStore.Samples.Opened();
}
