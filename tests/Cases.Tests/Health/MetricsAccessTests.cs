using System.Net;
using System.Net.Http.Headers;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace CaseSystem.Cases.Tests.Health;

/// <summary>
/// Issue 15: /metrics from a client not on loopback needs an admin's token (README, "Telemetry and
/// health"). The requests are made to look remote by a startup filter, which runs before the app's
/// own middleware.
/// </summary>
public sealed class MetricsAccessTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await TestServer.StartAsync(db, DateTimeOffset.UtcNow, configure: b => b.Services.AddSingleton<IStartupFilter, FromAfar>());

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_remote_scrape_needs_an_admin_token()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await ScrapeAsync(null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ScrapeAsync(_server.Token(StaffRole.Clerk, "saku"))).StatusCode);
        var admin = await ScrapeAsync(_server.Token(StaffRole.Admin, "saku"));
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Contains("casesystem_timers_backlog", await admin.Content.ReadAsStringAsync());

        // A remote client cannot pass for loopback by saying so: only a proxy on the host is believed.
        Assert.Equal(HttpStatusCode.Unauthorized, (await ScrapeAsync(null, forwardedFor: "127.0.0.1")).StatusCode);
    }

    private async Task<HttpResponseMessage> ScrapeAsync(string? token, string? forwardedFor = null) => await ScrapeAsync(_server, token, forwardedFor);

    internal static async Task<HttpResponseMessage> ScrapeAsync(TestServer server, string? token, string? forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        return await server.Http.SendAsync(request);
    }

    private sealed class FromAfar : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((http, following) =>
            {
                http.Connection.RemoteIpAddress = IPAddress.Parse("192.0.2.10");
                return following(http);
            });
            next(app);
        };
    }
}

/// <summary>
/// Behind a reverse proxy on the same host (every request comes from loopback), the client the proxy
/// names in X-Forwarded-For is the one /metrics judges: a remote client behind it needs a token.
/// </summary>
public sealed class MetricsBehindAProxyTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(db, DateTimeOffset.UtcNow);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_scrape_the_local_proxy_forwards_for_a_remote_client_needs_an_admin_token()
    {
        Assert.Equal(HttpStatusCode.OK, (await MetricsAccessTests.ScrapeAsync(_server, null, forwardedFor: null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await MetricsAccessTests.ScrapeAsync(_server, null, forwardedFor: "198.51.100.7")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await MetricsAccessTests.ScrapeAsync(_server, _server.Token(StaffRole.Admin, "saku"), forwardedFor: "198.51.100.7")).StatusCode);
    }
}
