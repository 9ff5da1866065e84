using System.Net;
using System.Net.Http.Json;
using CaseSystem.Cases.Api;
using CaseSystem.Cases.Tests.Support;

namespace CaseSystem.Cases.Tests.Auth.Oidc;

/// <summary>The server as ops/run builds it, with saku's identity provider configured: a provider's token works the counter like our own.</summary>
public sealed class OidcCaseTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private static readonly DateTimeOffset Monday10 = new(2026, 3, 16, 10, 0, 0, JapanTime.Offset);
    private TestIssuer _issuer = null!;
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        _issuer = await TestIssuer.StartAsync();
        _server = await TestServer.StartAsync(db, Monday10, settings: new Dictionary<string, string?>
        {
            ["Cases:Oidc:Issuers:saku:Issuer"] = _issuer.Issuer,
            ["Cases:Oidc:Issuers:saku:Audience"] = TestIssuer.Audience,
            ["Cases:Oidc:Issuers:saku:Municipalities"] = "saku",
            ["Cases:Oidc:Issuers:saku:RequireHttpsMetadata"] = "false",
            ["Cases:Oidc:Issuers:saku:Roles"] = "casesystem-clerk=clerk",
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _issuer.DisposeAsync();
    }

    [Fact]
    public async Task A_clerk_signed_in_at_the_municipalitys_provider_opens_a_case_recorded_under_their_staff_id_and_office()
    {
        var token = _issuer.Mint(_server.Clock.GetUtcNow(), new Dictionary<string, object?> { ["sub"] = "sato-h", ["office"] = "usuda" });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/saku/cases")
        {
            Content = JsonContent.Create(new
            {
                holder = new { nameKanji = "佐藤 一郎", nameKana = "サトウ イチロウ", birthDate = "1980-06-15", registeredAddress = "長野県佐久市中込3056" },
                expiry = new { userAuthenticationExpiry = "2026-06-15", signingExpiry = "2026-06-15" },
                office = "usuda",
            }, options: TestServer.Json),
        };
        request.Headers.Authorization = new("Bearer", token);
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());

        var response = await _server.Http.SendAsync(request);

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var path = response.Headers.Location!.ToString();
        var events = await db.EventsAsync("saku", Guid.Parse(path.Split('/').Last()));
        Assert.All(events, e => Assert.Equal(("sato-h", "usuda"), (e.UserName, e.Office())));

        // The clerk reads the case back; the same path under another municipality is nothing to them.
        using var read = new HttpRequestMessage(HttpMethod.Get, path);
        read.Headers.Authorization = new("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await _server.Http.SendAsync(read)).StatusCode);
        using var elsewhere = new HttpRequestMessage(HttpMethod.Get, path.Replace("/api/saku/", "/api/takatsuki/"));
        elsewhere.Headers.Authorization = new("Bearer", token);
        Assert.Equal(HttpStatusCode.Forbidden, (await _server.Http.SendAsync(elsewhere)).StatusCode);
    }
}
