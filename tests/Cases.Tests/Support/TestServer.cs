using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CaseSystem.Cases.Tests.Support;

/// <summary>A clock the tests move; the system reads time only through TimeProvider.</summary>
public sealed class TestClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now.ToUniversalTime();
}

/// <summary>The server as ops/run builds it, on a real Kestrel port of 127.0.0.1, with the test database and clock.</summary>
public sealed class TestServer : IAsyncDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly WebApplication _app;

    private TestServer(WebApplication app, HttpClient http, TestClock clock)
    {
        _app = app;
        Http = http;
        Clock = clock;
    }

    public HttpClient Http { get; }

    public TestClock Clock { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<TestServer> StartAsync(TestDatabase db, DateTimeOffset now, Action<WebApplication>? map = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["CASES_DB"] = db.ConnectionString;
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var clock = new TestClock(now);
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddCases(builder.Configuration);
        var app = builder.Build();
        app.UseExceptionHandler();
        app.MapCases();
        map?.Invoke(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new TestServer(app, new HttpClient { BaseAddress = new Uri(address) }, clock);
    }

    public async Task<HttpResponseMessage> PostAsync(string path, object body, string? ifMatch = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: Json) };
        if (ifMatch is not null) request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ifMatch));
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await Http.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
