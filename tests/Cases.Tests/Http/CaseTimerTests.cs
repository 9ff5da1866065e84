using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CaseSystem.Cases.Api;
using CaseSystem.Cases.Timers;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace CaseSystem.Cases.Tests.Http;

/// <summary>Time passes: the clock is moved, never slept on; the timers fire through the real database.</summary>
public sealed class CaseTimerTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private static readonly DateTimeOffset March2 = new(2026, 3, 2, 10, 0, 0, JapanTime.Offset);
    private TestServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await TestServer.StartAsync(db, March2, timersFire: true);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<Guid> OpenAsync(string userExpiry = "2026-06-15", string? signingExpiry = "2026-06-15") =>
        Guid.Parse((await _server.OpenCaseAsync(userExpiry: userExpiry, signingExpiry: signingExpiry)).Path.Split('/').Last());

    private async Task<IReadOnlyList<string>> EventTypesAsync(Guid caseId) =>
        [.. (await db.EventsAsync("saku", caseId)).Select(e => e.EventTypeName)];

    private Task<long> PendingAsync(Guid caseId) => _server.PendingTimersAsync(caseId);

    private static DateTimeOffset Jst(int y, int m, int d, int h = 0, int min = 0) => new(y, m, d, h, min, 0, JapanTime.Offset);

    [Fact]
    [Trait("seed", Rule.Seeds.Takatsuki)]
    public async Task The_window_opening_is_recorded_once_when_its_day_comes()
    {
        var caseId = await OpenAsync();
        Assert.Equal(2, await PendingAsync(caseId)); // the window opening and the lapse, set with the case's first event

        await _server.AdvanceClockAsync(Jst(2026, 3, 15, 23, 59));
        Assert.DoesNotContain("RenewalWindowOpened", await EventTypesAsync(caseId));

        await _server.AdvanceClockAsync(Jst(2026, 3, 16, 0, 0));
        await _server.WaitForDueTimersAsync();
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
        await _server.AdvanceClockAsync(Jst(2026, 6, 16, 0, 0));
        Assert.Equal(2, (await EventTypesAsync(caseId)).Count(t => t == "CertificateLapsed"));
        Assert.Equal(0, await PendingAsync(caseId));
    }

    [Fact]
    public async Task Certificates_expiring_on_different_days_lapse_each_on_its_own_day()
    {
        var caseId = await OpenAsync(userExpiry: "2026-06-15", signingExpiry: "2026-05-31");
        await _server.AdvanceClockAsync(Jst(2026, 6, 1, 0, 0));
        Assert.Single(await EventTypesAsync(caseId), t => t == "CertificateLapsed");
        Assert.Equal(1, await PendingAsync(caseId)); // the user-authentication certificate's lapse, set again

        await _server.AdvanceClockAsync(Jst(2026, 6, 16, 0, 0));
        Assert.Equal(2, (await EventTypesAsync(caseId)).Count(t => t == "CertificateLapsed"));
    }

    [Fact]
    public async Task A_renewed_case_does_not_lapse_when_its_old_expiry_passes()
    {
        var caseId = await OpenAsync();
        var path = $"/api/saku/cases/{caseId}";
        await _server.AdvanceClockAsync(Jst(2026, 3, 16, 10, 0));
        await _server.PostAsync(path + "/visits", new { office = "shimin-ka", whoCame = "Holder", documents = Array.Empty<object>() });
        await _server.PostAsync(path + "/pin-checks", new { certificate = "UserAuthentication", result = "Matched", triesLeft = 3 });
        await _server.PostAsync(path + "/pin-checks", new { certificate = "Signing", result = "Matched", triesLeft = 5 });
        Assert.Equal(HttpStatusCode.OK, (await _server.PostAsync(path + "/renewals", new { certificates = new[] { "UserAuthentication", "Signing" } })).StatusCode);

        await _server.AdvanceClockAsync(Jst(2026, 6, 16, 0, 0));
        Assert.DoesNotContain("CertificateLapsed", await EventTypesAsync(caseId));
        Assert.Equal(0, await PendingAsync(caseId));
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Kawasaki)]
    public async Task An_unanswered_inquiry_is_flagged_overdue_after_the_policys_period()
    {
        var caseId = await OpenAsync();
        var path = $"/api/saku/cases/{caseId}";
        await _server.AdvanceClockAsync(Jst(2026, 3, 16, 10, 0));
        await _server.PostAsync(path + "/visits", new { office = "shimin-ka", whoCame = "AppointedProxy", documents = new[] { new { kind = "driving-licence", owner = "Representative" } }, replyForm = "Missing", holderPresent = false });
        Assert.Equal(HttpStatusCode.OK, (await _server.PostAsync(path + "/inquiries", new { reason = "reply-form-missing" })).StatusCode);

        await _server.AdvanceClockAsync(Jst(2026, 4, 15, 23, 0));
        Assert.DoesNotContain("InquiryOverdue", await EventTypesAsync(caseId));
        await _server.AdvanceClockAsync(Jst(2026, 4, 16, 0, 0));
        Assert.Contains("InquiryOverdue", await EventTypesAsync(caseId));
        var view = await _server.Http.GetFromJsonAsync<JsonElement>(path);
        Assert.True(view.GetProperty("inquiry").GetProperty("overdue").GetBoolean());
    }

    [Fact]
    public async Task Two_server_processes_fire_each_timer_exactly_once()
    {
        // A second server on the same database, as a second process would be.
        await using var other = await TestServer.StartAsync(db, March2, timersFire: true);
        var cases = new List<Guid>();
        for (var i = 0; i < 10; i++) cases.Add(await OpenAsync());
        other.Clock.Now = Jst(2026, 3, 16, 0, 0);
        await _server.AdvanceClockAsync(Jst(2026, 3, 16, 0, 0));
        foreach (var caseId in cases) Assert.Single(await EventTypesAsync(caseId), t => t == "RenewalWindowOpened");
    }

    [Fact]
    public async Task A_timer_delivered_again_records_nothing_twice()
    {
        var caseId = await OpenAsync();
        _server.Clock.Now = Jst(2026, 3, 16, 0, 0);
        var bus = _server.Services.GetRequiredService<Wolverine.IMessageBus>();
        var timer = new CaseTimerDue(caseId, RenewalTimers.WindowOpens, Jst(2026, 3, 16, 0, 0));

        // As if the process died after the handler's commit and before Wolverine marked the message handled.
        await bus.InvokeForTenantAsync("saku", timer);
        await bus.InvokeForTenantAsync("saku", timer);

        Assert.Single(await EventTypesAsync(caseId), t => t == "RenewalWindowOpened");
    }

    [Fact]
    public async Task A_timer_woken_before_its_time_is_set_again_not_spent()
    {
        var caseId = await OpenAsync();
        var bus = _server.Services.GetRequiredService<Wolverine.IMessageBus>();

        // As a process whose clock is behind the one that set it would fire it (another CASES_CLOCK_OFFSET, a clock running late).
        await bus.InvokeForTenantAsync("saku", new CaseTimerDue(caseId, RenewalTimers.WindowOpens, Jst(2026, 3, 16, 0, 0)));
        Assert.DoesNotContain("RenewalWindowOpened", await EventTypesAsync(caseId));
        Assert.Equal(3, await PendingAsync(caseId)); // the window opening and the lapse, and the window opening set again

        await _server.AdvanceClockAsync(Jst(2026, 3, 16, 0, 0));
        Assert.Single(await EventTypesAsync(caseId), t => t == "RenewalWindowOpened");
    }

    [Fact]
    public async Task After_downtime_the_first_run_catches_up_with_everything_due_since()
    {
        var first = await OpenAsync();
        var second = await OpenAsync(userExpiry: "2026-05-31", signingExpiry: null);
        await _server.AdvanceClockAsync(Jst(2026, 7, 1, 9, 0)); // the server was down from March to July
        // Everything due since fires; timers due together may fire in either order.
        Assert.Equal(["CertificateLapsed", "CertificateLapsed", "RenewalWindowOpened"], (await EventTypesAsync(first)).Skip(1).Order());
        // The second case's window opened on 1 March, before the case (opened on 2 March): no event records it.
        Assert.Equal(["CertificateLapsed"], (await EventTypesAsync(second)).Skip(1).Order());
    }

    [Fact]
    public async Task A_timer_is_stored_only_with_the_events_that_set_it()
    {
        var (path, etag) = await _server.OpenCaseAsync(userExpiry: "2026-06-15", signingExpiry: "2026-06-15");
        var caseId = Guid.Parse(path.Split('/').Last());
        // A refused command stores neither events nor timers: the inquiry needs a visit (rule), so nothing moves.
        var refused = await _server.PostAsync(path + "/inquiries", new { reason = "reply-form-missing" }, ifMatch: etag);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal(2, await PendingAsync(caseId));
        // A stale If-Match stores nothing either.
        await _server.PostAsync(path + "/arrivals", new { office = "shimin-ka", ticketNumber = "A-1" });
        var stale = await _server.PostAsync(path + "/visits", new { office = "shimin-ka", whoCame = "Holder", documents = Array.Empty<object>() }, ifMatch: etag);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal(2, (await db.EventsAsync("saku", caseId)).Count);
    }

    private static RenewalEvent Samples() => CaseSystem.Cases.Tests.EventStore.Samples.Opened();
}
