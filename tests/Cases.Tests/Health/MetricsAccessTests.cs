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
    }

    private async Task<HttpResponseMessage> ScrapeAsync(string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _server.Http.SendAsync(request);
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
