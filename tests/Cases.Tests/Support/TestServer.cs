using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using CaseSystem.Cases.Auth;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CaseSystem.Cases.Tests.Support;

/// <summary>
/// A clock the tests move (FakeTimeProvider's date and time); the system reads time only through
/// TimeProvider. Timers fire only where a test asks for them (<see cref="TimersFire"/>,
/// <see cref="TestServer.AdvanceClockAsync"/>): a case opened in the test's past would otherwise
/// have its overdue timers fire under its feet. The server under test still runs at real speed:
/// its timestamps and timers (the framework's, which may take them from the registered
/// TimeProvider) are the system's, not FakeTimeProvider's, which stand still until advanced.
/// </summary>
public sealed class TestClock(DateTimeOffset now) : FakeTimeProvider(now.ToUniversalTime()), CaseSystem.Cases.Timers.ITimerClock
{
    private static readonly DateTimeOffset Never = new(2999, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The date and time the system reads; set to any moment, back or forth (tests revisit a morning).</summary>
    public DateTimeOffset Now
    {
        get => GetUtcNow();
        set => AdjustTime(value.ToUniversalTime());
    }

    /// <summary>Whether timers are scheduled to fire (at their distance from <see cref="Now"/>), or never.</summary>
    public bool TimersFire { get; set; }

    public DateTimeOffset FireAt(DateTimeOffset due) => TimersFire ? DateTimeOffset.UtcNow + (due - Now) : Never;

    public override long GetTimestamp() => TimeProvider.System.GetTimestamp();

    public override long TimestampFrequency => TimeProvider.System.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        TimeProvider.System.CreateTimer(callback, state, dueTime, period);
}

/// <summary>The server as ops/run builds it, on a real Kestrel port of 127.0.0.1, with the test database and clock.</summary>
public sealed class TestServer : IAsyncDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly WebApplication _app;

    private readonly StaffTokens _tokens;
    private readonly string _keyFile;

    /// <summary>The file of the key this server signs tokens with (for the operator's commands, which read it).</summary>
    public string KeyFile => _keyFile;

    private TestDatabase _db = null!;

    private TestServer(WebApplication app, HttpClient http, TestClock clock, StaffTokens tokens, string keyFile)
    {
        _app = app;
        Http = http;
        Clock = clock;
        _tokens = tokens;
        _keyFile = keyFile;
    }

    /// <summary>Sends a token of the municipality in the request's path, with <see cref="Role"/>, unless the request has one.</summary>
    public HttpClient Http { get; }

    /// <summary>The role the tokens are issued for; null sends no token.</summary>
    public StaffRole? Role { get => _tokens.Role; set => _tokens.Role = value; }

    public string Token(StaffRole role, string municipality, string staffId = "clerk-1", string office = "shimin-ka") =>
        _tokens.Issue(role, municipality, staffId, office);

    /// <summary>
    /// A hash-chain check (a case's, or every page of /api/{m}/integrity, 5,000 cases a page, summed:
    /// the pages' counts added, their breaks listed together, the last page's anchors), as a
    /// supervisor: the checks are for those who audit.
    /// </summary>
    public async Task<System.Text.Json.JsonElement> IntegrityAsync(string municipality, Guid? caseId = null)
    {
        if (caseId is { } id) return (await IntegrityPageAsync($"/api/{municipality}/cases/{id}/integrity", municipality)).RootElement.Clone();
        System.Text.Json.Nodes.JsonObject? all = null;
        string? after = null;
        do
        {
            var page = System.Text.Json.Nodes.JsonNode.Parse(
                (await IntegrityPageAsync($"/api/{municipality}/integrity?limit=5000{(after is null ? "" : "&after=" + after)}", municipality)).RootElement.GetRawText())!.AsObject();
            if (all is null) all = page;
            else
            {
                foreach (var count in (string[])["streamsChecked", "eventsChecked"]) all[count] = all[count]!.GetValue<long>() + page[count]!.GetValue<long>();
                foreach (var list in (string[])["breaks", "anchorBreaks"])
                {
                    foreach (var item in page[list]!.AsArray().ToList()) all[list]!.AsArray().Add(item!.DeepClone());
                }
                all["isIntact"] = all["isIntact"]!.GetValue<bool>() && page["isIntact"]!.GetValue<bool>();
                all["anchors"] = page["anchors"]?.DeepClone();
            }
            after = page["next"]?.GetValue<string>();
        }
        while (after is not null);
        all!["next"] = null;
        return System.Text.Json.JsonDocument.Parse(all.ToJsonString()).RootElement.Clone();
    }

    private async Task<System.Text.Json.JsonDocument> IntegrityPageAsync(string path, string municipality)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token(StaffRole.Supervisor, municipality, "supervisor-1"));
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"{request.RequestUri}: {(int)response.StatusCode} {text}");
        return System.Text.Json.JsonDocument.Parse(text);
    }

    /// <summary>Anchors now (POST /api/{m}/integrity/anchors), as a supervisor; the answer.</summary>
    public async Task<System.Text.Json.JsonElement> AnchorAsync(string municipality)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/{municipality}/integrity/anchors");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token(StaffRole.Supervisor, municipality, "supervisor-1"));
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"{request.RequestUri}: {(int)response.StatusCode} {text}");
        return System.Text.Json.JsonDocument.Parse(text).RootElement.Clone();
    }

    public TestClock Clock { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>The anchor log of this server (CASES_ANCHOR_LOG), in the test's own folder.</summary>
    public string AnchorLog => Path.Combine(Path.GetDirectoryName(_keyFile)!, "anchors.jsonl");

    /// <param name="settings">Configuration set before the server's services are added (an anchor setting, say).</param>
    public static async Task<TestServer> StartAsync(TestDatabase db, DateTimeOffset now, Action<WebApplication>? map = null,
        Action<WebApplicationBuilder>? configure = null, bool timersFire = false, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["CASES_DB"] = db.ConnectionString;
        // Settings read while the services are added (configure runs after that).
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) builder.Configuration[key] = value;
        // A key of the test's own: never the user's real one.
        var keyFile = Path.Combine(Path.GetTempPath(), "casesystem-test-" + Guid.NewGuid().ToString("N"), "token.key");
        builder.Configuration["CASES_TOKEN_KEY_FILE"] = keyFile;
        // Anchored as ops/run does, in the test's folder (the key made on start), on demand only unless a test sets a period.
        builder.Configuration["CASES_ANCHOR_KEY"] = Path.Combine(Path.GetDirectoryName(keyFile)!, "anchor-key.pem");
        builder.Configuration["CASES_ANCHOR_LOG"] = Path.Combine(Path.GetDirectoryName(keyFile)!, "anchors.jsonl");
        builder.Configuration["CASES_ANCHOR_EVERY"] = "off";
        foreach (var (name, value) in settings ?? new Dictionary<string, string?>()) builder.Configuration[name] = value;
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var clock = new TestClock(now);
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddCases(builder.Configuration);
        configure?.Invoke(builder);
        clock.TimersFire = timersFire;
        var app = builder.Build();
        app.UseExceptionHandler();
        app.MapCases();
        map?.Invoke(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var tokens = new StaffTokens(app.Services.GetRequiredService<StaffTokenSigner>(), clock) { InnerHandler = new HttpClientHandler() };
        return new TestServer(app, new HttpClient(tokens) { BaseAddress = new Uri(address) }, clock, tokens, keyFile) { _db = db };
    }

    /// <summary>
    /// Moves the clock to <paramref name="to"/> and brings the timers' schedule (Wolverine's, which
    /// runs on the real clock) forward by as much; then waits until Wolverine has fired every
    /// timer that is due by then.
    /// </summary>
    public async Task AdvanceClockAsync(DateTimeOffset to)
    {
        var delta = to - Clock.Now;
        Clock.Now = to;
        await _db.ExecuteAsync(
            "update cases.wolverine_incoming_envelopes set execution_time = execution_time - $1 where status = 'Scheduled'", delta);
        await WaitForDueTimersAsync();
    }

    /// <summary>Waits until no timer is due and unfired (none scheduled at or before now, none taken and not yet handled).</summary>
    public async Task WaitForDueTimersAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await _db.ScalarAsync<long>(
                   "select count(*) from cases.wolverine_incoming_envelopes " +
                   "where (status = 'Scheduled' and execution_time <= now()) or status = 'Incoming'") > 0)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("due timers were not fired within 60 s");
            await Task.Delay(50);
        }
    }

    /// <summary>The timers set on a case and not fired yet.</summary>
    public Task<long> PendingTimersAsync(Guid caseId) => _db.ScalarAsync<long>(
        "select count(*) from cases.wolverine_incoming_envelopes where status = 'Scheduled' and position(convert_to($1, 'UTF8') in body) > 0",
        caseId.ToString());

    public async Task<HttpResponseMessage> PostAsync(string path, object body, string? ifMatch = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: Json) };
        if (ifMatch is not null) request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ifMatch));
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await Http.SendAsync(request);
    }

    /// <summary>A case opened at the counter through the API (as a clerk); its path and ETag.</summary>
    public async Task<(string Path, string ETag)> OpenCaseAsync(string municipality = "saku", string office = "shimin-ka",
        string birthDate = "1980-06-15", string userExpiry = "2026-06-15", string? signingExpiry = "2026-06-15",
        string nameKanji = "佐藤 一郎", string nameKana = "サトウ イチロウ")
    {
        var response = await PostAsync($"/api/{municipality}/cases", new
        {
            holder = new { nameKanji, nameKana, birthDate, registeredAddress = "長野県佐久市中込3056" },
            expiry = new { userAuthenticationExpiry = userExpiry, signingExpiry },
            office,
        }, idempotencyKey: Guid.NewGuid().ToString());
        Xunit.Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (response.Headers.Location!.ToString(), response.Headers.ETag!.Tag);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(Path.GetDirectoryName(_keyFile)!, recursive: true);
    }

    private sealed class StaffTokens(StaffTokenSigner signer, TimeProvider clock) : DelegatingHandler
    {
        public StaffRole? Role { get; set; } = StaffRole.Clerk;

        public string Issue(StaffRole role, string municipality, string staffId, string office) =>
            signer.Issue(new StaffIdentity(staffId, role, municipality, office, clock.GetUtcNow().AddHours(8)));

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var segments = request.RequestUri!.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (request.Headers.Authorization is null && Role is { } role && segments is ["api", var municipality, ..])
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Issue(role, municipality, "clerk-1", "shimin-ka"));
            }
            return base.SendAsync(request, ct);
        }
    }
}
