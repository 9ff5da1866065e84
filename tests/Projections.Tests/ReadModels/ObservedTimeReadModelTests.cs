using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CaseSystem.Cases;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Tests.Support;
using CaseSystem.Projections.Tests.Support;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace CaseSystem.Projections.Tests.ReadModels;

/// <summary>
/// Issue 12, observed time: what a station sends late from its outbox (the case's opening, a card
/// read, a PIN check) carries the moment it was observed (<c>Observed-Age</c>) as well as the
/// moment it was recorded; the timeline and the report go by the observed one. Built through the
/// HTTP API with a station token, as the station sends it.
/// </summary>
internal static class StationRequests
{
    public static async Task<HttpResponseMessage> SendAsync(TestServer server, string municipality, string office, string path, object body, double age)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: TestServer.Json) };
        request.Headers.Authorization = new("Bearer", server.Token(StaffRole.Station, municipality, "station-1", office));
        request.Headers.Add("Idempotency-Key", "station-" + Guid.NewGuid().ToString("N"));
        request.Headers.Add("Observed-Age", age.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return await server.Http.SendAsync(request);
    }

    /// <summary>The case opened by the station with its card read, both held <paramref name="age"/> seconds; the case's path.</summary>
    public static async Task<string> OpenedLateAsync(TestServer server, string municipality, string office, string expiry, double age)
    {
        var opened = await SendAsync(server, municipality, office, $"/api/{municipality}/cases", new
        {
            holder = new { nameKanji = "高橋 次郎", nameKana = "タカハシ ジロウ", birthDate = "1980-06-15", registeredAddress = "大阪府藤井寺市岡1-1-1" },
            expiry = new { userAuthenticationExpiry = expiry, signingExpiry = expiry },
            office,
        }, age);
        Assert.True(opened.StatusCode == HttpStatusCode.Created, await opened.Content.ReadAsStringAsync());
        var path = opened.Headers.Location!.ToString();
        var read = await SendAsync(server, municipality, office, path + "/card-reads", new
        {
            stationId = "station-1", userAuthenticationSerial = "0A1B2C", userAuthenticationExpiry = expiry,
            userAuthenticationPinTriesLeft = 3, signingPinTriesLeft = 5,
        }, age - 5);
        Assert.True(read.IsSuccessStatusCode, await read.Content.ReadAsStringAsync());
        return path;
    }

    public static async Task<JsonElement> GetAsync(TestServer server, string path)
    {
        var response = await server.Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }
}

/// <summary>The server's clock is the real one here, as the store's timestamp is: the two times differ by the age.</summary>
public sealed class ObservedAndRecordedTimeTests : IAsyncLifetime
{
    private readonly ProjectionsDatabase _db = new();
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        _server = await TestServer.StartAsync(_db, DateTimeOffset.UtcNow, app => app.MapProjections(), builder => builder.Services.AddProjections(builder.Configuration));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task What_a_station_sends_late_keeps_when_it_was_observed_beside_when_it_was_recorded()
    {
        _server.Clock.Now = DateTimeOffset.UtcNow;
        var path = await StationRequests.OpenedLateAsync(_server, "saku", "shimin-ka", "2030-06-15", age: 3600);
        var pin = await StationRequests.SendAsync(_server, "saku", "shimin-ka", path + "/pin-checks",
            new { certificate = "UserAuthentication", result = "Mismatched", triesLeft = 2 }, age: 1800);
        Assert.Equal(HttpStatusCode.OK, pin.StatusCode);

        _server.Role = StaffRole.Supervisor;
        var events = (await StationRequests.GetAsync(_server, path + "/audit")).GetProperty("events").EnumerateArray()
            .ToDictionary(e => e.GetProperty("type").GetString()!);
        foreach (var (type, age) in new[] { ("CaseOpenedAtCounter", 3600), ("CardRead", 3595), ("PinMismatchRecorded", 1800) })
        {
            var at = events[type].GetProperty("at").GetDateTimeOffset();
            var recordedAt = events[type].GetProperty("recordedAt").GetDateTimeOffset();
            // The event's time is the observation's (the server's clock less the age); the store's is when it arrived.
            Assert.Equal(_server.Clock.Now.AddSeconds(-age), at);
            Assert.InRange((recordedAt - at).TotalSeconds, age - 60, age + 60);
        }
        // The audit trail lists the entries in the order recorded: the opening first, although its card read came in after it.
        Assert.Equal(["CaseOpenedAtCounter", "CardRead", "PinMismatchRecorded"], events.Keys);
    }
}

/// <summary>The timeline and the report of a case a station opened after an outage, at moments that tell the two times apart.</summary>
public sealed class ObservedTimeReadModelTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Monday10 = new(2026, 3, 16, 10, 0, 0, JapanTime.Offset);
    private readonly ProjectionsDatabase _db = new();
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        _server = await TestServer.StartAsync(_db, Monday10, app => app.MapProjections(), builder => builder.Services.AddProjections(builder.Configuration));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _db.DisposeAsync();
    }

    /// <summary>
    /// Fujiidera closes the insurance-use registration 5 days before the user-authentication expiry
    /// (002). The station opened the case on Sunday 15 March at 10:00 (expiry 20 March) and could
    /// send it only on Monday at 10:00: as of Sunday noon the timeline already knows the case and
    /// says the registration is closed; by the recorded time it would know nothing yet.
    /// </summary>
    [Fact]
    [Trait("seed", "002_2a7693c0dfa04a34.txt")]
    public async Task The_timeline_goes_by_when_the_station_observed_not_when_the_server_recorded()
    {
        var path = await StationRequests.OpenedLateAsync(_server, "fujiidera", "mynumber-counter", "2026-03-20", age: 86400);

        var sundayNoon = await StationRequests.GetAsync(_server, path + "/timeline?asOf=2026-03-15T12:00:00%2B09:00");
        var closed = sundayNoon.GetProperty("insuranceRegistration");
        Assert.Equal(JsonValueKind.Object, closed.ValueKind);
        Assert.Equal(("2026-03-20", "2026-03-15"), (closed.GetProperty("certificateExpiresOn").GetString(), closed.GetProperty("closedFrom").GetString()));
        // Before the station observed anything, nothing is known.
        var sundayMorning = await StationRequests.GetAsync(_server, path + "/timeline?asOf=2026-03-15T09:00:00%2B09:00");
        Assert.Equal(JsonValueKind.Null, sundayMorning.GetProperty("insuranceRegistration").ValueKind);
    }

    /// <summary>
    /// Opened (and its card read) at 23:50 on the expiry day, recorded at 00:10 the next day: the
    /// case was opened while the certificate was still valid, so the opening records no lapse and
    /// the report counts it open, not lapsed at its opening (the lapse is the timer's, at midnight,
    /// which the tests' clock does not fire).
    /// </summary>
    [Fact]
    public async Task The_report_counts_a_case_opened_late_as_opened_when_the_station_observed_it()
    {
        _server.Clock.Now = new DateTimeOffset(2026, 3, 17, 0, 10, 0, JapanTime.Offset);
        var path = await StationRequests.OpenedLateAsync(_server, "saku", "shimin-ka", "2026-03-16", age: 1200);

        var events = await _db.EventsAsync("saku", Guid.Parse(path.Split('/')[^1]));
        Assert.Equal(["CaseOpenedAtCounter", "CardRead"], events.Select(e => e.EventTypeName));
        Assert.Equal(new DateTimeOffset(2026, 3, 16, 23, 50, 0, JapanTime.Offset), ((Cases.Renewal.RenewalEvent)events[0].Data).At);

        await _db.CaughtUpAsync(_server.Services.GetRequiredService<IDocumentStore>());
        // Below the municipality's floor of 5: a supervisor's report.
        _server.Role = StaffRole.Supervisor;
        var totals = (await StationRequests.GetAsync(_server, "/api/saku/reports/renewals?suppressBelow=1")).GetProperty("totals");
        Assert.Equal((1, 1, 0), (totals.GetProperty("cases").GetInt32(), totals.GetProperty("open").GetInt32(), totals.GetProperty("lapsed").GetInt32()));
    }
}
