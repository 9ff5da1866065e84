using System.Net.Http.Headers;
using System.Text.Json;
using CaseSystem.Cases;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Tests.Support;
using CaseSystem.Projections.Tests.Support;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace CaseSystem.Projections.Tests.ReadModels;

/// <summary>
/// Issue 12 in the read models, built only through the HTTP API with Marten's daemon in the
/// server: a ticket dropped or voided leaves the queue board (a called one leaves "now serving"
/// when its visit starts), a voided visit stops counting in the case finder and the report, and
/// the audit trail shows every correction with its reason and who made it.
/// </summary>
public sealed class CorrectionReadModelTests : IAsyncLifetime
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

    private async Task<JsonElement> OkAsync(string path, object body)
    {
        var response = await _server.PostAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private async Task<JsonElement> GetAsync(string path)
    {
        var response = await _server.Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private Task CaughtUpAsync() => _db.CaughtUpAsync(_server.Services.GetRequiredService<IDocumentStore>());

    private void At(int hour, int minute) => _server.Clock.Now = new DateTimeOffset(Monday10.Date.AddHours(hour).AddMinutes(minute), JapanTime.Offset);

    private static IEnumerable<string?> Tickets(JsonElement board, string list) => board.GetProperty(list).EnumerateArray().Select(t => t.GetProperty("ticket").GetString());

    /// <summary>The version of the event the command answered with, minus <paramref name="back"/>: the entry a void names.</summary>
    private static long VersionOf(JsonElement view, int back = 0) => view.GetProperty("version").GetInt64() - back;

    private async Task<JsonElement> BoardAsync(string asOf = "") =>
        await GetAsync("/api/saku/offices/shimin-ka/board" + (asOf.Length > 0 ? "?asOf=" + Uri.EscapeDataString(asOf) : ""));

    private Task<JsonElement> VisitAsync(string path) =>
        OkAsync(path + "/visits", new { office = "shimin-ka", whoCame = "Holder", documents = Array.Empty<object>() });

    [Fact]
    public async Task A_called_ticket_leaves_now_serving_when_the_visit_starts_a_no_show_leaves_the_queue_and_a_voided_arrival_was_never_there()
    {
        var a = (await _server.OpenCaseAsync()).Path;
        var b = (await _server.OpenCaseAsync()).Path;
        var c = (await _server.OpenCaseAsync()).Path;
        At(10, 0); await OkAsync(a + "/arrivals", new { office = "shimin-ka", ticketNumber = "A-1" });
        At(10, 5); await OkAsync(b + "/arrivals", new { office = "shimin-ka", ticketNumber = "A-2" });
        At(10, 10); var wrong = await OkAsync(c + "/arrivals", new { office = "shimin-ka", ticketNumber = "A-3" });
        At(10, 15); await OkAsync(a + "/calls", new { office = "shimin-ka", counter = "1番窓口", clerkId = "clerk-1" });
        await CaughtUpAsync();
        var called = await BoardAsync();
        Assert.Equal(["A-1"], Tickets(called, "nowServing"));
        Assert.Equal(["A-2", "A-3"], Tickets(called, "waiting"));

        At(10, 16); await VisitAsync(a);
        At(10, 20); await OkAsync(b + "/calls", new { office = "shimin-ka", counter = "2番窓口", clerkId = "clerk-2" });
        At(10, 25); await OkAsync(b + "/tickets/current/drop", new { drop = "NoShow" });
        At(10, 26); await OkAsync(c + "/voided-entries", new { entryVersion = VersionOf(wrong), reason = "別の方の案件に記録" });
        At(10, 30);
        await CaughtUpAsync();

        var board = await BoardAsync();
        // A-1's visit started: still at its counter, no longer called; A-2 did not come; A-3 was recorded on the wrong case.
        Assert.Empty(Tickets(board, "nowServing"));
        Assert.Equal(["A-1"], Tickets(board, "atCounters"));
        Assert.True(board.GetProperty("atCounters")[0].GetProperty("visitStarted").GetBoolean());
        Assert.Empty(Tickets(board, "waiting"));
        Assert.Equal(0, board.GetProperty("finishedToday").GetInt32());
        // As of before the drop, A-2 was being called; A-3, voided, is nowhere at any moment.
        var before = await BoardAsync("2026-03-16T10:22:00+09:00");
        Assert.Equal(["A-2"], Tickets(before, "nowServing"));
        Assert.Empty(Tickets(before, "waiting"));
        Assert.Equal(["A-1", "A-2"], Tickets(await BoardAsync("2026-03-16T10:12:00+09:00"), "waiting"));
        // Waits counted: A-1 15 min and A-2 15 min; the voided A-3 none.
        Assert.Equal(2, board.GetProperty("waitToday").GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task A_voided_visit_on_a_ticket_drops_it_from_the_board_and_an_amended_outcome_is_the_tickets_outcome()
    {
        var a = (await _server.OpenCaseAsync()).Path;
        At(10, 0); await OkAsync(a + "/arrivals", new { office = "shimin-ka", ticketNumber = "B-1" });
        At(10, 5); await OkAsync(a + "/calls", new { office = "shimin-ka", counter = "1番窓口", clerkId = "clerk-1" });
        At(10, 6); var visit = await VisitAsync(a);
        At(10, 8); await OkAsync(a + "/voided-entries", new { entryVersion = VersionOf(visit, back: 1), reason = "案件の取り違え" });
        At(10, 10);
        await CaughtUpAsync();
        var board = await BoardAsync();
        Assert.Empty(Tickets(board, "atCounters"));
        Assert.Empty(Tickets(board, "nowServing"));
        Assert.Equal(0, board.GetProperty("finishedToday").GetInt32());
        Assert.Equal(1, board.GetProperty("waitToday").GetProperty("count").GetInt32());

        // A visit without a ticket, ended, then its outcome amended.
        At(10, 20); await VisitAsync(a);
        At(10, 30); await OkAsync(a + "/visits/current/end", new { outcome = "MustReturn" });
        At(10, 31); await OkAsync(a + "/visit-outcome-amendments", new { visit = 2, outcome = "Left", reason = "途中で帰られた" });
        await CaughtUpAsync();
        var outcome = await _db.ScalarAsync<string>(
            $"select outcome from {_server.Services.GetRequiredService<CaseSystem.Projections.QueueBoard.QueueBoardProjection>().Tickets} where visit = 2");
        Assert.Equal("Left", outcome);
        Assert.Equal(1, (await BoardAsync()).GetProperty("finishedToday").GetInt32());
    }

    [Fact]
    public async Task The_wall_display_stream_pushes_the_board_without_a_ticket_dropped_from_now_serving()
    {
        var path = (await _server.OpenCaseAsync()).Path;
        await OkAsync(path + "/calls", new { office = "shimin-ka", counter = "3番窓口", clerkId = "clerk-1" });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/saku/offices/shimin-ka/board/stream");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await _server.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var stream = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await NextBoardAsync(stream, b => b.GetProperty("nowServing").GetArrayLength() == 1, limit.Token);

        await OkAsync(path + "/tickets/current/drop", new { drop = "Cancelled" });
        await NextBoardAsync(stream, b => b.GetProperty("nowServing").GetArrayLength() == 0 && b.GetProperty("atCounters").GetArrayLength() == 0, limit.Token);
    }

    [Fact]
    public async Task A_voided_visit_stops_counting_in_the_case_finder_and_the_reports_visits_waits_and_office()
    {
        // P: a visit (wait 20, service 10), then a second one started on it by mistake and voided.
        var p = (await _server.OpenCaseAsync()).Path;
        At(10, 0); await OkAsync(p + "/arrivals", new { office = "shimin-ka", ticketNumber = "P-1" });
        At(10, 20); await OkAsync(p + "/calls", new { office = "shimin-ka", counter = "1番窓口", clerkId = "clerk-1" });
        At(10, 21); await VisitAsync(p);
        At(10, 30); await OkAsync(p + "/visits/current/end", new { outcome = "MustReturn" });
        At(10, 40); var wrongVisit = await VisitAsync(p);
        At(10, 41); await OkAsync(p + "/voided-entries", new { entryVersion = VersionOf(wrongVisit, back: 1), reason = "別の方の来庁" });
        // Q, opened at usuda: an arrival recorded on it by mistake and called (wait 30), and a visit on it by mistake: both voided.
        var q = (await _server.OpenCaseAsync(office: "usuda")).Path;
        At(10, 0); var arrival = await OkAsync(q + "/arrivals", new { office = "shimin-ka", ticketNumber = "Q-1" });
        At(10, 30); await OkAsync(q + "/calls", new { office = "shimin-ka", counter = "2番窓口", clerkId = "clerk-1" });
        At(10, 31); await OkAsync(q + "/voided-entries", new { entryVersion = VersionOf(arrival), reason = "番号札の記録先の誤り" });
        At(10, 32); var visit = await VisitAsync(q);
        At(10, 33); await OkAsync(q + "/voided-entries", new { entryVersion = VersionOf(visit, back: 1), reason = "案件の取り違え" });
        foreach (var path in new[] { p, q }) await OkAsync(path + "/closure", new { closure = "Withdrawn" });
        await CaughtUpAsync();

        var hits = await GetAsync("/api/saku/cases?name=" + Uri.EscapeDataString("佐藤"));
        Assert.Equal([0, 1], hits.EnumerateArray().Select(h => h.GetProperty("visits").GetInt32()).Order());
        // Q was seen at shimin-ka only by the entries voided: the finder files it at usuda again, where it was opened.
        var atUsuda = Assert.Single((await GetAsync("/api/saku/cases?office=usuda")).EnumerateArray());
        Assert.Equal(0, atUsuda.GetProperty("visits").GetInt32());

        // Below the municipality's floor of 5: a supervisor's report.
        _server.Role = StaffRole.Supervisor;
        var totals = (await GetAsync("/api/saku/reports/renewals?suppressBelow=1")).GetProperty("totals");
        Assert.Equal(2, totals.GetProperty("finishedCases").GetInt32());
        Assert.Equal(0.5, totals.GetProperty("visitsPerCase").GetDouble(), 9);
        Assert.Equal(1, totals.GetProperty("casesWithVisit").GetInt32());
        Assert.Equal(20, totals.GetProperty("waitMinutesMean").GetDouble(), 9);
        Assert.Equal(10, totals.GetProperty("serviceMinutesMean").GetDouble(), 9);
        var byOffice = (await GetAsync("/api/saku/reports/renewals?suppressBelow=1&groupBy=office")).GetProperty("groups").EnumerateArray()
            .ToDictionary(g => g.GetProperty("office").GetString()!, g => g.GetProperty("cases").GetInt32());
        // Q's only visit voided: its office is again the one it was opened at.
        Assert.Equal(new Dictionary<string, int> { ["shimin-ka"] = 1, ["usuda"] = 1 }, byOffice);
    }

    [Fact]
    public async Task The_audit_trail_shows_the_voided_entry_and_its_correction_with_reason_who_and_where_and_the_timeline_is_unchanged()
    {
        var path = (await _server.OpenCaseAsync()).Path;
        var arrival = await OkAsync(path + "/arrivals", new { office = "shimin-ka", ticketNumber = "C-1" });
        await OkAsync(path + "/voided-entries", new { entryVersion = VersionOf(arrival), reason = "別の方の案件に記録" });
        await VisitAsync(path);
        await OkAsync(path + "/pin-checks", new { certificate = "UserAuthentication", result = "Matched", triesLeft = 3 });
        await OkAsync(path + "/renewals", new { certificates = new[] { "UserAuthentication" } });

        _server.Role = StaffRole.Supervisor;
        var events = (await GetAsync(path + "/audit")).GetProperty("events").EnumerateArray().ToList();
        var voided = events.Single(e => e.GetProperty("type").GetString() == "ArrivedAtOffice");
        Assert.True(voided.GetProperty("voided").GetBoolean());
        Assert.Equal([VersionOf(arrival) + 1L], voided.GetProperty("correctedBy").EnumerateArray().Select(v => v.GetInt64()));
        var correction = events.Single(e => e.GetProperty("type").GetString() == "EntryVoided");
        Assert.Equal(("記録の取消し(訂正)", "clerk-1", "shimin-ka", "VoidEntry"), (correction.GetProperty("ja").GetString(), correction.GetProperty("actor").GetString(),
            correction.GetProperty("office").GetString(), correction.GetProperty("command").GetString()));
        Assert.Equal("別の方の案件に記録", correction.GetProperty("data").GetProperty("reason").GetString());
        Assert.False(events.Single(e => e.GetProperty("type").GetString() == "VisitStarted").GetProperty("voided").GetBoolean());

        var timeline = await GetAsync(path + "/timeline");
        Assert.Equal("certificate-renewal", Assert.Single(timeline.GetProperty("procedures").EnumerateArray()).GetProperty("procedure").GetString());
    }

    private static async Task NextBoardAsync(StreamReader stream, Func<JsonElement, bool> until, CancellationToken ct)
    {
        string? eventName = null;
        while (await stream.ReadLineAsync(ct) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) eventName = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && eventName == "board" && until(JsonDocument.Parse(line[6..]).RootElement)) return;
        }
        throw new EndOfStreamException();
    }
}
