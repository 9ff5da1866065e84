using System.Net.Http.Json;
using System.Text.Json;
using CaseSystem.Cases;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Tests.Support;
using CaseSystem.Projections;
using Marten;
using CaseSystem.Projections.Tests.Support;
using CaseSystem.Server.Pages;
using Microsoft.Extensions.DependencyInjection;

namespace CaseSystem.Web.Tests.Support;

/// <summary>The server as ops/run builds it (cases, projections, pages) on a test database of its own, with the test clock.</summary>
public sealed class WebServer : IAsyncLifetime
{
    /// <summary>A Monday in Saku's office hours; a certificate expiring 2026-06-15 may be renewed from today.</summary>
    public static readonly DateTimeOffset Monday10 = new(2026, 3, 16, 10, 0, 0, JapanTime.Offset);

    private readonly ProjectionsDatabase _db = new();

    public TestServer Server { get; private set; } = null!;

    public ProjectionsDatabase Database => _db;

    public Uri BaseAddress => Server.Http.BaseAddress!;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        Server = await TestServer.StartAsync(_db, Monday10,
            app => { app.MapProjections(); app.MapPages(); },
            builder => { builder.Services.AddProjections(builder.Configuration); builder.Services.AddPages(); });
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await _db.DisposeAsync();
    }

    public string Token(StaffRole role, string staffId, string municipality = "saku", string office = "shimin-ka") =>
        Server.Token(role, municipality, staffId, office);

    /// <summary>Waits until the projections have applied everything appended so far.</summary>
    public async Task CaughtUpAsync()
    {
        await _db.CaughtUpAsync(Server.Services.GetRequiredService<IDocumentStore>());
    }

    /// <summary>A case opened at a counter through the API as clerk-1; its id.</summary>
    public async Task<Guid> OpenCaseAsync(string nameKanji, string nameKana, string birthDate = "1980-06-15",
        string userExpiry = "2026-06-15", string? signingExpiry = "2026-06-15", string municipality = "saku", string office = "shimin-ka",
        string registeredAddress = "長野県佐久市中込3056")
    {
        var response = await Server.PostAsync($"/api/{municipality}/cases", new
        {
            holder = new { nameKanji, nameKana, birthDate, registeredAddress },
            expiry = new { userAuthenticationExpiry = userExpiry, signingExpiry },
            office,
        }, idempotencyKey: Guid.NewGuid().ToString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("caseId").GetGuid();
    }

    /// <summary>A command through the API, as clerk-1; fails the test unless it succeeds.</summary>
    public async Task OkAsync(string path, object body)
    {
        var response = await Server.PostAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public async Task<JsonElement> GetJsonAsync(string path) =>
        JsonDocument.Parse(await Server.Http.GetStringAsync(path)).RootElement;

    public Task<HttpResponseMessage> PostJsonAsync(HttpClient http, string path, object body) =>
        http.PostAsync(path, JsonContent.Create(body, options: TestServer.Json));
}
