using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Tests.Support;

namespace CaseSystem.Cases.Tests.Http;

/// <summary>The journeys a counter sees, each through HTTP on a real database, state built only through the API.</summary>
public sealed class CounterJourneyTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private static readonly DateTimeOffset Monday10 = new(2026, 3, 16, 10, 0, 0, JapanTime.Offset);
    private static readonly object Licence = new { kind = "driving-licence", owner = "Representative", validUntil = "2030-01-01" };
    private static readonly string[] Both = ["UserAuthentication", "Signing"];
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(db, Monday10);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<string> OpenAsync(string municipality = "saku", string office = "shimin-ka", string birthDate = "1980-06-15",
        string expiry = "2026-06-15", string? signing = "2026-06-15") =>
        (await _server.OpenCaseAsync(municipality, office, birthDate, expiry, signing)).Path;

    private async Task<JsonElement> OkAsync(string path, object body)
    {
        var response = await _server.PostAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private async Task RefusedAsync(string path, object body, string rule)
    {
        var response = await _server.PostAsync(path, body);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("urn:casesystem:rule:" + rule, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
    }

    private Task<JsonElement> PinAsync(string path, string certificate) =>
        OkAsync(path + "/pin-checks", new { certificate, result = "Matched", triesLeft = certificate == "Signing" ? 5 : 3 });

    private static bool Accepted(JsonElement view) => view.GetProperty("currentVisit").GetProperty("identityAccepted").GetBoolean();

    [Fact]
    [Trait("seed", Rule.Seeds.Hirosaki)]
    public async Task A_holder_who_forgot_the_PIN_has_it_reset_with_one_ID_and_renews_the_same_day()
    {
        var path = await OpenAsync();
        await OkAsync(path + "/visits", new { office = "shimin-ka", whoCame = "Holder", documents = new[] { new { kind = "health-insurance-card", owner = "Holder" } } });
        await OkAsync(path + "/pin-checks", new { certificate = "Signing", result = "Mismatched", triesLeft = 4 });
        await OkAsync(path + "/pin-resets", new { certificates = Both });
        var renewed = await OkAsync(path + "/renewals", new { certificates = Both });
        Assert.Equal("2030-06-15", renewed.GetProperty("renewedUntil").GetString());
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Takatsuki)]
    public async Task A_proxy_with_a_good_sealed_form_renews_the_same_day()
    {
        var path = await OpenAsync("takatsuki");
        Assert.True(Accepted(await OkAsync(path + "/visits", new { office = "shimin-ka", whoCame = "AppointedProxy", documents = new[] { Licence }, replyForm = "Sealed", holderPresent = false })));
        await PinAsync(path, "UserAuthentication");
        await PinAsync(path, "Signing");
        Assert.Equal("2030-06-15", (await OkAsync(path + "/renewals", new { certificates = Both })).GetProperty("renewedUntil").GetString());
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Takatsuki)]
    public async Task A_proxy_with_a_wrong_PIN_on_the_form_renews_nothing_that_day()
    {
        var path = await OpenAsync("takatsuki");
        await OkAsync(path + "/visits", new { office = "shimin-ka", whoCame = "AppointedProxy", documents = new[] { Licence }, replyForm = "Sealed", holderPresent = false });
        var mismatch = await OkAsync(path + "/pin-checks", new { certificate = "UserAuthentication", result = "Mismatched", triesLeft = 2 });
        Assert.Equal("mail-inquiry", mismatch.GetProperty("checklist").EnumerateArray().Last().GetProperty("code").GetString());
        await PinAsync(path, "Signing");
        await RefusedAsync(path + "/renewals", new { certificates = new[] { "Signing" } }, "proxy-wrong-pin-on-form");
        await OkAsync(path + "/inquiries", new { reason = "wrong-pin-on-reply-form" });
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Hirosaki)]
    public async Task The_parent_of_a_12_year_old_resets_the_PIN_and_renews_the_user_certificate()
    {
        var path = await OpenAsync(birthDate: "2013-09-01", signing: null);
        var familyRegister = new { kind = "family-register-certificate", owner = "Holder", issuedOn = "2026-03-01" };
        Assert.True(Accepted(await OkAsync(path + "/visits", new { office = "shimin-ka", whoCame = "LegalRepresentativeOfMinor", documents = new object[] { Licence, familyRegister } })));
        await OkAsync(path + "/pin-resets", new { certificates = new[] { "UserAuthentication" } });
        await RefusedAsync(path + "/renewals", new { certificates = Both }, "no-signing-under-15");
        var renewed = await OkAsync(path + "/renewals", new { certificates = new[] { "UserAuthentication" } });
        Assert.Equal("2030-09-01", renewed.GetProperty("renewedUntil").GetString());
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Hirosaki)]
    public async Task The_guardian_of_an_adult_ward_renews_the_signing_certificate_only_with_the_ward_present()
    {
        var path = await OpenAsync();
        var guardianship = new { kind = "guardianship-certificate", owner = "Representative", issuedOn = "2026-02-20" };
        Assert.True(Accepted(await OkAsync(path + "/visits", new { office = "shimin-ka", whoCame = "GuardianOfAdultWard", documents = new object[] { Licence, guardianship }, holderPresent = false })));
        await PinAsync(path, "UserAuthentication");
        await PinAsync(path, "Signing");
        await RefusedAsync(path + "/renewals", new { certificates = Both }, "ward-present-for-signing");
        await OkAsync(path + "/renewals", new { certificates = new[] { "UserAuthentication" } });
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Hirosaki)]
    public async Task An_expired_certificate_is_issued_anew_free_of_charge()
    {
        _server.Clock.Now = new DateTimeOffset(2026, 7, 1, 10, 0, 0, JapanTime.Offset);
        var path = await OpenAsync();
        await OkAsync(path + "/visits", new { office = "shimin-ka", whoCame = "Holder", documents = Array.Empty<object>() });
        await PinAsync(path, "UserAuthentication");
        await OkAsync(path + "/renewals", new { certificates = new[] { "UserAuthentication" } });
        var events = await _server.Http.GetFromJsonAsync<JsonElement>(path + "/events");
        var issued = events.EnumerateArray().Single(e => e.GetProperty("type").GetString() == "CertificatesIssued");
        Assert.Equal(0, issued.GetProperty("data").GetProperty("feeYen").GetInt32());
        Assert.Equal("2031-06-15", issued.GetProperty("data").GetProperty("newExpiry").GetString());
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Takatsuki)]
    public async Task A_pending_change_of_address_is_refused_until_it_is_done()
    {
        var path = await OpenAsync();
        await OkAsync(path + "/registry-changes", new { change = "Address" });
        await OkAsync(path + "/visits", new { office = "shimin-ka", whoCame = "Holder", documents = Array.Empty<object>() });
        await PinAsync(path, "UserAuthentication");
        await RefusedAsync(path + "/renewals", new { certificates = new[] { "UserAuthentication" } }, "pending-registry-change");
        await OkAsync(path + "/registry-changes/completed", new { change = "Address" });
        await OkAsync(path + "/renewals", new { certificates = new[] { "UserAuthentication" } });
    }

    [Theory]
    [InlineData("hirosaki", "hirolo", "2026-03-21T10:00:00+09:00", "hirosaki-hirolo-third-weekend")] // 003: third Saturday
    [InlineData("fujiidera", "mynumber-counter", "2026-12-30T10:00:00+09:00", "fujiidera-year-end-closure")] // 002: 30 December
    [InlineData("kawasaki", "mynumber-card-center", "2026-03-16T10:00:00+09:00", "reservation-required")] // 004: no reservation
    [InlineData("takatsuki", "shimin-ka", "2026-03-16T11:45:00+09:00", "takatsuki-lunch-break")] // 000: the break
    public async Task A_visit_the_office_does_not_receive_then_is_refused_with_the_rule_that_closes_it(string municipality, string office, string at, string rule)
    {
        _server.Clock.Now = DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture);
        var path = await OpenAsync(municipality, office);
        async Task<long> VersionAsync() => (await _server.Http.GetFromJsonAsync<JsonElement>(path)).GetProperty("version").GetInt64();
        var opened = await VersionAsync();
        await RefusedAsync(path + "/visits", new { office, whoCame = "Holder", documents = Array.Empty<object>() }, rule);
        Assert.Equal(opened, await VersionAsync());
    }

    [Fact]
    [Trait("seed", Rule.Seeds.Kawasaki)]
    public async Task In_Kawasaki_a_reserved_holder_is_received()
    {
        var path = await OpenAsync("kawasaki", "mynumber-card-center");
        await OkAsync(path + "/reservations", new { office = "mynumber-card-center", slotStart = Monday10 });
        Assert.True(Accepted(await OkAsync(path + "/visits", new { office = "mynumber-card-center", whoCame = "Holder", documents = Array.Empty<object>() })));
    }
}
