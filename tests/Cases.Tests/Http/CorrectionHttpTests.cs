using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Tests.Support;

namespace CaseSystem.Cases.Tests.Http;

/// <summary>Issue 12 through HTTP: corrections as events with a reason and who made them, refusals as RFC 9457 problems, tickets dropped.</summary>
public sealed class CorrectionHttpTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private static readonly DateTimeOffset Monday10 = new(2026, 3, 16, 10, 0, 0, JapanTime.Offset);
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(db, Monday10);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static Guid IdOf(string path) => Guid.Parse(path.Split('/').Last());

    private async Task<JsonElement> OkAsync(string path, object body)
    {
        var response = await _server.PostAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private static IEnumerable<string?> Allowed(JsonElement view) => view.GetProperty("allowedActions").EnumerateArray().Select(a => a.GetString());

    [Fact]
    public async Task An_arrival_and_a_visit_on_the_wrong_case_are_voided_with_a_reason_and_who_did_it_and_stop_counting()
    {
        var (path, opened) = await _server.OpenCaseAsync();
        // The arrival is the entry after the opening (which may be more than one event: the window opened too).
        var arrival = int.Parse(opened.Trim('"')) + 1;
        var arrived = await OkAsync(path + "/arrivals", new { office = "shimin-ka", ticketNumber = "A-7" });
        Assert.Equal("A-7", arrived.GetProperty("ticket").GetProperty("number").GetString());
        Assert.Contains("voided-entries", Allowed(arrived));
        Assert.Contains("tickets/current/drop", Allowed(arrived));
        var entry = Assert.Single(arrived.GetProperty("corrections").GetProperty("voidable").EnumerateArray());
        Assert.Equal((arrival, "ArrivedAtOffice"), (entry.GetProperty("version").GetInt32(), entry.GetProperty("entry").GetString()));

        // A refusal names the field or its rule, in Japanese with English beside it, and stores nothing:
        // a blank reason and one that looks like a My Number at the edge (400 naming the field; the
        // decider's correction-reason rule checks again, CorrectionTests), the entry by the rule.
        var noReason = await _server.PostAsync(path + "/voided-entries", new { entryVersion = arrival, reason = " " });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.True((await noReason.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("reason", out _));
        var myNumber = await _server.PostAsync(path + "/voided-entries", new { entryVersion = arrival, reason = "番号123456789012" });
        Assert.Equal(HttpStatusCode.BadRequest, myNumber.StatusCode);
        var problem = await myNumber.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("urn:casesystem:problem:invalid-request", problem.GetProperty("type").GetString());
        Assert.Contains("個人番号", problem.GetProperty("errors").GetProperty("reason")[0].GetString());
        Assert.DoesNotContain("123456789012", await myNumber.Content.ReadAsStringAsync());
        var notVoidable = await _server.PostAsync(path + "/voided-entries", new { entryVersion = 1, reason = "開始の取消し" });
        Assert.Equal("urn:casesystem:rule:entry-not-voidable", (await notVoidable.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        Assert.Equal(arrival, (await db.EventsAsync("saku", IdOf(path))).Count);

        var voided = await OkAsync(path + "/voided-entries", new { entryVersion = arrival, reason = "別の方の案件に記録" });
        Assert.Equal(JsonValueKind.Null, voided.GetProperty("ticket").ValueKind);
        Assert.DoesNotContain("voided-entries", Allowed(voided));
        var events = await db.EventsAsync("saku", IdOf(path));
        var correction = events[^1];
        Assert.Equal("EntryVoided", correction.EventTypeName);
        Assert.Equal(("clerk-1", "shimin-ka", "VoidEntry"), (correction.UserName, correction.Headers!["office"].ToString(), correction.Headers["command"].ToString()));

        // A visit started on the wrong case: voided, it is not one of the case's visits; the next is number 2.
        var visit = await OkAsync(path + "/visits", new { office = "shimin-ka", whoCame = "Holder", documents = Array.Empty<object>() });
        Assert.Equal(1, visit.GetProperty("visits").GetInt32());
        var visitVersion = visit.GetProperty("version").GetInt64() - 1;
        _server.Role = StaffRole.Supervisor;
        var afterVoid = await OkAsync(path + "/voided-entries", new { entryVersion = visitVersion, reason = "案件の取り違え" });
        _server.Role = StaffRole.Clerk;
        Assert.Equal((0, JsonValueKind.Null), (afterVoid.GetProperty("visits").GetInt32(), afterVoid.GetProperty("currentVisit").ValueKind));
        var again = await OkAsync(path + "/visits", new { office = "shimin-ka", whoCame = "Holder", documents = Array.Empty<object>() });
        Assert.Equal((2, 1), (again.GetProperty("currentVisit").GetProperty("number").GetInt32(), again.GetProperty("visits").GetInt32()));

        _server.Role = StaffRole.Analyst;
        Assert.Equal(HttpStatusCode.Forbidden, (await _server.PostAsync(path + "/voided-entries", new { entryVersion = visitVersion, reason = "x" })).StatusCode);
    }

    [Fact]
    public async Task A_visit_outcome_and_a_document_list_are_amended_and_a_ticket_is_dropped_as_a_no_show()
    {
        var (path, _) = await _server.OpenCaseAsync();
        // A proxy whose licence the clerk did not tick: refused, then the documents amended, accepted.
        var refused = await OkAsync(path + "/visits", new
        {
            office = "shimin-ka", whoCame = "AppointedProxy", replyForm = "Sealed", holderPresent = false,
            documents = new[] { new { kind = "health-insurance-card", owner = "Representative" } },
        });
        Assert.False(refused.GetProperty("currentVisit").GetProperty("identityAccepted").GetBoolean());
        Assert.Contains("visits/current/documents", Allowed(refused));
        var amended = await OkAsync(path + "/visits/current/documents", new
        {
            reason = "運転免許証の選択漏れ", replyForm = "Sealed",
            documents = new[] { new { kind = "driving-licence", owner = "Representative", validUntil = "2030-01-01" } },
        });
        Assert.True(amended.GetProperty("currentVisit").GetProperty("identityAccepted").GetBoolean());
        Assert.Contains("pin-checks", Allowed(amended));

        await OkAsync(path + "/visits/current/end", new { outcome = "Done" });
        var outcome = await OkAsync(path + "/visit-outcome-amendments", new { visit = 1, outcome = "Left", reason = "途中で帰られた" });
        Assert.Equal([1], outcome.GetProperty("corrections").GetProperty("outcomeAmendable").EnumerateArray().Select(v => v.GetInt32()));
        var types = (await db.EventsAsync("saku", IdOf(path))).Select(e => e.EventTypeName).ToList();
        Assert.Equal(["VisitDocumentsAmended", "IdentityAccepted", "VisitEnded", "VisitOutcomeAmended"], types[^4..]);

        // A ticket called whose holder does not come: dropped as a no-show.
        await OkAsync(path + "/arrivals", new { office = "shimin-ka", ticketNumber = "A-9" });
        await OkAsync(path + "/calls", new { office = "shimin-ka", counter = "1番窓口", clerkId = "clerk-1" });
        var dropped = await OkAsync(path + "/tickets/current/drop", new { drop = "NoShow" });
        Assert.Equal(JsonValueKind.Null, dropped.GetProperty("ticket").ValueKind);
        var twice = await _server.PostAsync(path + "/tickets/current/drop", new { drop = "Cancelled" });
        Assert.Equal("urn:casesystem:rule:no-open-ticket", (await twice.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
    }
}
