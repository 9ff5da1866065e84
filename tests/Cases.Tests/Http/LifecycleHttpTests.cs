using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Tests.Support;

namespace CaseSystem.Cases.Tests.Http;

/// <summary>The case's lifecycle through HTTP (issue 12): allowedActions, no second renewal, a closed case that stays closed.</summary>
public sealed class LifecycleHttpTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private static readonly DateTimeOffset Monday10 = new(2026, 3, 16, 10, 0, 0, JapanTime.Offset);
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(db, Monday10);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private static IEnumerable<string?> Allowed(JsonElement view) => view.GetProperty("allowedActions").EnumerateArray().Select(a => a.GetString());

    [Fact]
    [Trait("seed", Rule.Seeds.Saku)]
    public async Task The_case_view_lists_the_actions_its_state_allows_and_a_renewed_case_refuses_a_second_renewal()
    {
        var (path, _) = await _server.OpenCaseAsync();
        var opened = await Json(await _server.Http.GetAsync(path));
        Assert.Equal(["reservations", "arrivals", "calls", "card-reads", "visits", "pin-checks", "registry-changes", "closure"], Allowed(opened));

        var visit = await Json(await _server.PostAsync(path + "/visits", new { office = "shimin-ka", whoCame = "Holder", documents = Array.Empty<object>() }));
        Assert.Contains("renewals", Allowed(visit));
        Assert.DoesNotContain("visits", Allowed(visit));
        await Json(await _server.PostAsync(path + "/pin-checks", new { certificate = "UserAuthentication", result = "Matched", triesLeft = 3 }));
        await Json(await _server.PostAsync(path + "/pin-checks", new { certificate = "Signing", result = "Matched", triesLeft = 5 }));
        var renewed = await Json(await _server.PostAsync(path + "/renewals", new { certificates = new[] { "UserAuthentication", "Signing" } }));
        Assert.DoesNotContain("renewals", Allowed(renewed));
        Assert.DoesNotContain("inquiries", Allowed(renewed));

        var again = await _server.PostAsync(path + "/renewals", new { certificates = new[] { "UserAuthentication" } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, again.StatusCode);
        Assert.Equal("urn:casesystem:rule:already-renewed", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());

        var closed = await Json(await _server.PostAsync(path + "/visits/current/end", new { outcome = "Done" }));
        Assert.Equal(("closed", "Renewed"), (closed.GetProperty("status").GetString(), closed.GetProperty("closure").GetString()));
        var later = await _server.PostAsync(path + "/visits", new { office = "shimin-ka", whoCame = "Holder", documents = Array.Empty<object>() });
        Assert.Equal("urn:casesystem:rule:case-closed", (await later.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        // Closing it again as renewed is a retry that changes nothing.
        var version = closed.GetProperty("version").GetInt64();
        Assert.Equal(version, (await Json(await _server.PostAsync(path + "/closure", new { closure = "Renewed" }))).GetProperty("version").GetInt64());
    }

    /// <summary>A holder who knows both PINs shows no document (004: 本人確認書類は暗証番号が合致しない場合に必要): the list may be left out.</summary>
    [Fact]
    [Trait("seed", Rule.Seeds.Kawasaki)]
    public async Task A_holders_visit_may_leave_the_documents_out_004()
    {
        var (path, _) = await _server.OpenCaseAsync();
        var visit = await Json(await _server.PostAsync(path + "/visits", new { office = "shimin-ka", whoCame = "Holder" }));
        Assert.True(visit.GetProperty("currentVisit").GetProperty("identityAccepted").GetBoolean());
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Fujiidera)]
    public async Task Within_5_days_of_the_expiry_the_Fujiidera_case_says_the_insurance_registration_is_closed_002()
    {
        var (near, _) = await _server.OpenCaseAsync("fujiidera", "mynumber-counter", userExpiry: "2026-03-21", signingExpiry: "2026-03-21");
        var codes = (await Json(await _server.Http.GetAsync(near))).GetProperty("checklist").EnumerateArray().Select(i => i.GetProperty("code").GetString());
        Assert.Contains("insurance-registration-closed", codes);

        var (far, _) = await _server.OpenCaseAsync("fujiidera", "mynumber-counter", userExpiry: "2026-03-22", signingExpiry: "2026-03-22");
        Assert.DoesNotContain("insurance-registration-closed",
            (await Json(await _server.Http.GetAsync(far))).GetProperty("checklist").EnumerateArray().Select(i => i.GetProperty("code").GetString()));
        // The seed of another municipality does not say so.
        var (saku, _) = await _server.OpenCaseAsync("saku", "shimin-ka", userExpiry: "2026-03-21", signingExpiry: "2026-03-21");
        Assert.DoesNotContain("insurance-registration-closed",
            (await Json(await _server.Http.GetAsync(saku))).GetProperty("checklist").EnumerateArray().Select(i => i.GetProperty("code").GetString()));
    }
}
