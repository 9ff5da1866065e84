using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CaseSystem.CardStation.Card;
using CaseSystem.CardStation.Outbox;
using CaseSystem.CardStation.Server;
using CaseSystem.CardStation.Station;
using CaseSystem.Cases;
using CaseSystem.Cases.Api;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Tests.Support;
using CaseSystem.Projections;
using CaseSystem.Projections.Daemon;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Wolverine.Http;
using Wolverine.Http.Runtime;

namespace CaseSystem.CardStation.Tests.Station;

/// <summary>A test database with the event store's (Marten's) and the projections' schemas.</summary>
public sealed class StationDatabase : TestDatabase
{
    protected override void ConfigureStore(StoreOptions options)
    {
        new ReadModels().Configure(options);
        // The server runs the daemon; Solo keeps Marten from warning that this store's is disabled.
        options.Projections.AsyncMode = JasperFx.Events.Daemon.DaemonMode.Solo;
    }
}

/// <summary>
/// The real server (with the projections) on a real database, and stations of the test's making:
/// each with a station token and its data folder, reaching the server through a switch that
/// the test turns to a closed port to take the server away and back to bring it back.
/// </summary>
public sealed class StationHarness : IAsyncLifetime
{
    public static readonly DateTimeOffset Monday10 = new(2026, 3, 16, 10, 0, 0, JapanTime.Offset);
    private readonly StationDatabase _db = new();
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cardstation-test-" + Guid.NewGuid().ToString("N"));

    public TestServer Server { get; private set; } = null!;
    public StationDatabase Db => _db;
    public string DataFolder => _folder;

    /// <summary>False: every connection of the stations goes to a port where nothing listens.</summary>
    public bool ServerUp { get; set; } = true;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        Server = await TestServer.StartAsync(_db, Monday10, app => app.MapProjections(), builder => builder.Services.AddProjections(builder.Configuration));
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await _db.DisposeAsync();
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    public StationOptions Options(string stationId = "station-1") => new(
        new Uri("http://127.0.0.1:1/"), Server.Token(StaffRole.Station, "saku", stationId, "shimin-ka"), "saku", stationId, "shimin-ka", _folder);

    /// <summary>The environment a station process would get.</summary>
    public Func<string, string?> Environment(string? server = null) => name => name switch
    {
        StationOptions.ServerVariable => server ?? Server.Http.BaseAddress!.ToString(),
        StationOptions.TokenVariable => Server.Token(StaffRole.Station, "saku", "station-1", "shimin-ka"),
        StationOptions.MunicipalityVariable => "saku",
        StationOptions.StationIdVariable => "station-1",
        StationOptions.OfficeVariable => "shimin-ka",
        StationOptions.DataVariable => _folder,
        _ => null,
    };

    /// <summary>A station process: its own server client and outbox over the shared data folder.</summary>
    public CounterSession Station(ICardTerminal terminal, string stationId = "station-1")
    {
        var options = Options(stationId);
        // The station observes on the server's clock, as a deployed station and server share the time.
        return new CounterSession(terminal, new CaseServer(options, Switch()), new DurableOutbox(Path.Combine(_folder, "outbox"), Server.Clock), options, Server.Clock);
    }

    private SocketsHttpHandler Switch() => new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(2),
        // A new connection for every request, so that turning the switch takes effect at once.
        PooledConnectionLifetime = TimeSpan.Zero,
        ConnectCallback = async (context, ct) =>
        {
            var port = ServerUp ? Server.Http.BaseAddress!.Port : ClosedPort();
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async Task CaughtUpAsync()
    {
        await _db.CaughtUpAsync(Server.Services.GetRequiredService<IDocumentStore>());
    }

    /// <summary>A notice imported by a clerk; the case's path.</summary>
    public async Task<string> NoticeAsync(string noticeNumber, string nameKanji = "佐藤 一郎", string nameKana = "サトウ イチロウ",
        string birthDate = "1980-06-15", string expiry = "2026-06-15")
    {
        var csv = "notice_number,name_kanji,name_kana,birth_date,registered_address,user_authentication_expiry,signing_expiry\n"
            + $"{noticeNumber},{nameKanji},{nameKana},{birthDate},長野県佐久市中込3056,{expiry},{expiry}\n";
        var response = await Server.Http.PostAsync("/api/saku/notices?batch=JLIS-2026-03", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return "/api/saku/cases/" + CaseIds.ForNotice("saku", noticeNumber);
    }

    /// <summary>The clerk starts the holder's visit: PIN checks need one with identity accepted.</summary>
    public async Task HolderVisitsAsync(Guid caseId) => await OkAsync($"/api/saku/cases/{caseId}/visits",
        new { office = "shimin-ka", whoCame = "Holder", documents = Array.Empty<object>() });

    public async Task<JsonElement> OkAsync(string path, object body)
    {
        var response = await Server.PostAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    public async Task<JsonElement> CaseAsync(Guid caseId)
    {
        var response = await Server.Http.GetAsync($"/api/saku/cases/{caseId}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    /// <summary>The case's events as stored: type, data, the staff member who acted (Marten's user_name) and the command (a header).</summary>
    public async Task<IReadOnlyList<(string Type, JsonElement Data, string? Actor, string? Command)>> EventsAsync(Guid caseId)
    {
        var events = await _db.EventsAsync("saku", caseId);
        return events.Select(e => (e.EventTypeName, JsonSerializer.SerializeToElement(e.Data, e.Data.GetType(), TestServer.Json), e.UserName, e.Command())).ToList();
    }

    /// <summary>
    /// The entry's Idempotency-Key as Wolverine's <c>[DeduplicatedWithResponse]</c> stores it (scoped
    /// by municipality and endpoint, then hashed; claimed in the command's own transaction): the
    /// status of the response it holds for that key, or null when it holds none.
    /// </summary>
    public async Task<int?> StoredResponseStatusAsync(OutboxEntry entry)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = HttpMethods.Post;
        http.Request.Path = entry.Path;
        var scoped = HttpHandler.ScopeDeduplicationId(http, entry.IdempotencyKey, DeduplicationScope.Tenant | DeduplicationScope.Endpoint, entry.Municipality);
        await using var cmd = _db.DataSource.CreateCommand("select status_code from cases.wolverine_deduplicated_responses where deduplication_id = $1");
        cmd.Parameters.AddWithValue(DeduplicatedResponses.StorageIdFor(scoped!));
        return await cmd.ExecuteScalarAsync() is int status ? status : null;
    }
}
