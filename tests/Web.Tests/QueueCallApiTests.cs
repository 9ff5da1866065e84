using System.Net;
using System.Text.Json;
using CaseSystem.Cases;
using CaseSystem.Cases.Auth;
using CaseSystem.Web.Tests.Support;

namespace CaseSystem.Web.Tests;

/// <summary>
/// The call of the next ticket and the recall over HTTP (issue 13): whom it picks, and its refusals,
/// each a problem with a stable type, the field named, Japanese and English.
/// </summary>
public sealed class QueueCallApiTests : IAsyncLifetime
{
    private readonly WebServer _web = new();

    public Task InitializeAsync() => _web.InitializeAsync();

    public Task DisposeAsync() => _web.DisposeAsync();

    private static readonly DateTimeOffset Monday = WebServer.Monday10;

    private async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(type, problem.GetProperty("type").GetString());
        return problem;
    }

    private async Task<JsonElement> CalledAsync(string path, object body)
    {
        var response = await _web.Server.PostAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        Assert.NotNull(response.Headers.ETag);
        return JsonDocument.Parse(text).RootElement;
    }

    [Fact]
    public async Task The_next_call_picks_the_longest_waiting_ticket_then_the_next_and_refuses_when_no_one_waits()
    {
        _web.Server.Clock.Now = Monday.AddMinutes(-20);
        var first = await _web.OpenCaseAsync("青木 一郎", "アオキ イチロウ");
        var second = await _web.OpenCaseAsync("青木 二郎", "アオキ ジロウ");
        await _web.OkAsync($"/api/saku/cases/{first}/arrivals", new { office = "shimin-ka", ticketNumber = "A-1" });
        _web.Server.Clock.Now = Monday.AddMinutes(-10);
        await _web.OkAsync($"/api/saku/cases/{second}/arrivals", new { office = "shimin-ka", ticketNumber = "A-2" });
        _web.Server.Clock.Now = Monday;
        await _web.CaughtUpAsync();

        var called = await CalledAsync("/api/saku/offices/shimin-ka/calls/next", new { counter = "2番窓口" });
        Assert.Equal(first, called.GetProperty("caseId").GetGuid());
        // The board has not caught up yet: the second call still passes over the ticket called a moment ago, by the case's own log.
        called = await CalledAsync("/api/saku/offices/shimin-ka/calls/next", new { counter = "3番窓口" });
        Assert.Equal(second, called.GetProperty("caseId").GetGuid());
        await _web.CaughtUpAsync();

        var none = await ProblemAsync(await _web.Server.PostAsync("/api/saku/offices/shimin-ka/calls/next", new { counter = "1番窓口" }),
            HttpStatusCode.Conflict, "urn:casesystem:problem:no-one-waiting");
        Assert.Contains("お待ちの方はいません", none.GetProperty("title").GetString());
        Assert.Contains("No one is waiting", none.GetProperty("title").GetString());

        // A recall calls the ticket being called at that counter again: the board's latest call moves, its first stays.
        _web.Server.Clock.Now = Monday.AddMinutes(2);
        var recalled = await CalledAsync("/api/saku/offices/shimin-ka/calls/recall", new { counter = "2番窓口" });
        Assert.Equal(first, recalled.GetProperty("caseId").GetGuid());
        await _web.CaughtUpAsync();
        var board = await _web.GetJsonAsync("/api/saku/offices/shimin-ka/board");
        var serving = board.GetProperty("nowServing").EnumerateArray().Single(t => t.GetProperty("ticket").GetString() == "A-1");
        Assert.Equal(Monday, serving.GetProperty("calledAt").GetDateTimeOffset());
        Assert.Equal(Monday.AddMinutes(2), serving.GetProperty("lastCalledAt").GetDateTimeOffset());
        var recent = board.GetProperty("recentCalls").EnumerateArray().Select(c => (c.GetProperty("ticket").GetString(), c.GetProperty("counter").GetString())).ToList();
        Assert.Equal([("A-1", "2番窓口"), ("A-2", "3番窓口")], recent);

        await ProblemAsync(await _web.Server.PostAsync("/api/saku/offices/shimin-ka/calls/recall", new { counter = "1番窓口" }),
            HttpStatusCode.Conflict, "urn:casesystem:problem:nothing-to-recall");
    }

    [Fact]
    public async Task A_reservation_due_now_is_called_before_a_longer_wait_in_Kawasaki()
    {
        const string office = "mynumber-card-center";
        const string address = "神奈川県川崎市中原区小杉町3丁目245";
        _web.Server.Clock.Now = Monday.AddMinutes(-40);
        var early = await _web.OpenCaseAsync("川崎 早子", "カワサキ ハヤコ", municipality: "kawasaki", office: office, registeredAddress: address);
        var due = await _web.OpenCaseAsync("川崎 予約", "カワサキ ヨヤク", municipality: "kawasaki", office: office, registeredAddress: address);
        await _web.OkAsync($"/api/kawasaki/cases/{early}/reservations", new { office, slotStart = Monday.AddHours(4) });
        await _web.OkAsync($"/api/kawasaki/cases/{due}/reservations", new { office, slotStart = Monday });
        await _web.OkAsync($"/api/kawasaki/cases/{early}/arrivals", new { office, ticketNumber = "K-1" });
        _web.Server.Clock.Now = Monday.AddMinutes(-5);
        await _web.OkAsync($"/api/kawasaki/cases/{due}/arrivals", new { office, ticketNumber = "K-2" });
        _web.Server.Clock.Now = Monday;
        await _web.CaughtUpAsync();

        var board = await _web.GetJsonAsync($"/api/kawasaki/offices/{office}/board");
        Assert.Equal(["K-1", "K-2"], board.GetProperty("waiting").EnumerateArray().Select(t => t.GetProperty("ticket").GetString()));
        var called = await CalledAsync($"/api/kawasaki/offices/{office}/calls/next", new { counter = "1番窓口" });
        Assert.Equal(due, called.GetProperty("caseId").GetGuid());
        // The one not due yet is still called when no one else waits.
        called = await CalledAsync($"/api/kawasaki/offices/{office}/calls/next", new { counter = "2番窓口" });
        Assert.Equal(early, called.GetProperty("caseId").GetGuid());
    }

    [Fact]
    public async Task The_next_call_refuses_bad_input_and_roles_other_than_the_clerk()
    {
        _web.Server.Clock.Now = Monday;
        var unknownCounter = await ProblemAsync(await _web.Server.PostAsync("/api/saku/offices/shimin-ka/calls/next", new { counter = "9番窓口" }),
            HttpStatusCode.BadRequest, "urn:casesystem:problem:invalid-request");
        Assert.True(unknownCounter.GetProperty("errors").TryGetProperty("counter", out _), unknownCounter.ToString());
        var unknownOffice = await ProblemAsync(await _web.Server.PostAsync("/api/saku/offices/nowhere/calls/next", new { counter = "1番窓口" }),
            HttpStatusCode.BadRequest, "urn:casesystem:problem:invalid-request");
        Assert.True(unknownOffice.GetProperty("errors").TryGetProperty("office", out _), unknownOffice.ToString());
        var blank = await ProblemAsync(await _web.Server.PostAsync("/api/saku/offices/shimin-ka/calls/next", new { counter = "" }),
            HttpStatusCode.BadRequest, "urn:casesystem:problem:invalid-request");
        Assert.True(blank.GetProperty("errors").TryGetProperty("counter", out _), blank.ToString());

        foreach (var role in new[] { StaffRole.Station, StaffRole.Supervisor, StaffRole.Analyst, StaffRole.Display })
        {
            _web.Server.Role = role;
            await ProblemAsync(await _web.Server.PostAsync("/api/saku/offices/shimin-ka/calls/next", new { counter = "1番窓口" }),
                HttpStatusCode.Forbidden, "urn:casesystem:problem:role-not-allowed");
        }
        // A display reads its own office's board, no other's.
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/saku/offices/usuda/board"))
        {
            request.Headers.Authorization = new("Bearer", _web.Token(StaffRole.Display, "display-1", office: "shimin-ka"));
            var other = await ProblemAsync(await _web.Server.Http.SendAsync(request), HttpStatusCode.Forbidden, "urn:casesystem:problem:display-other-office");
            Assert.Contains("表示端末", other.GetProperty("title").GetString());
        }
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/saku/offices/nowhere/board/stream"))
        {
            request.Headers.Authorization = new("Bearer", _web.Token(StaffRole.Clerk, "clerk-1"));
            var unknown = await ProblemAsync(await _web.Server.Http.SendAsync(request), HttpStatusCode.BadRequest, "urn:casesystem:problem:invalid-request");
            Assert.True(unknown.GetProperty("errors").TryGetProperty("office", out _), unknown.ToString());
        }
        _web.Server.Role = StaffRole.Clerk;
        await ProblemAsync(await _web.Server.PostAsync("/api/nowhere/offices/shimin-ka/calls/next", new { counter = "1番窓口" }),
            HttpStatusCode.NotFound, "urn:casesystem:problem:unknown-municipality");
    }
}
