using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using CaseSystem.Cases.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CaseSystem.Cases.Tests.Faults;

/// <summary>
/// Issue 14: while PostgreSQL cannot be reached (a restart), the API answers 503 with Retry-After,
/// never a 500, and logs why; once it is back, the same request succeeds. The server reaches the
/// real test database through a TCP relay on loopback that the test cuts and restores.
/// </summary>
public sealed class DatabaseOutageTests : IAsyncLifetime
{
    private readonly RelayedDatabase _db = new();
    private readonly CapturedLogs _logs = new();
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        _server = await TestServer.StartAsync(_db, DateTimeOffset.UtcNow, configure: b => b.Logging.AddProvider(_logs));
    }

    public async Task DisposeAsync()
    {
        _db.Relay.Restore();
        await _server.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task While_the_database_is_unreachable_the_api_answers_503_with_retry_after_and_logs_it_then_recovers()
    {
        var opened = await _server.Http.PostAsJsonAsync("/api/saku/cases", new
        {
            holder = new { nameKanji = "停止 一郎", nameKana = "テイシ イチロウ", birthDate = "1980-06-15", registeredAddress = "長野県佐久市中込3056" },
            expiry = new { userAuthenticationExpiry = "2030-06-15", signingExpiry = "2030-06-15" },
            office = "shimin-ka",
        });
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var path = opened.Headers.Location!.ToString();

        _db.Relay.Cut();
        var refused = await _server.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(Problems.DatabaseRetryAfterSeconds), refused.Headers.RetryAfter?.Delta);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("urn:casesystem:problem:database-unavailable", problem.GetProperty("type").GetString());
        Assert.False(problem.TryGetProperty("detail", out _), "a connection failure names no host or port");
        Assert.Contains(_logs.Lines, l => l.Contains("database unavailable answering GET", StringComparison.Ordinal));

        _db.Relay.Restore();
        var until = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        HttpStatusCode status;
        while ((status = (await _server.Http.GetAsync(path)).StatusCode) != HttpStatusCode.OK && DateTimeOffset.UtcNow < until)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            await Task.Delay(200);
        }
        Assert.Equal(HttpStatusCode.OK, status);
    }

    /// <summary>The test database, reached by the server through <see cref="Relay"/>.</summary>
    private sealed class RelayedDatabase : TestDatabase
    {
        public TcpRelay Relay { get; private set; } = null!;

        public new async Task InitializeAsync()
        {
            await base.InitializeAsync();
            var direct = new NpgsqlConnectionStringBuilder(ConnectionString);
            Relay = TcpRelay.Start(direct.Host!, direct.Port);
            // No pooled connection outlives a cut unnoticed for long; the relay closes them anyway.
            ConnectionString = new NpgsqlConnectionStringBuilder(ConnectionString) { Host = "127.0.0.1", Port = Relay.Port, Timeout = 3 }.ConnectionString;
        }
    }

    private sealed class CapturedLogs : ILoggerProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

        public IEnumerable<string> Lines => _lines;

        public ILogger CreateLogger(string categoryName) => new Logger(_lines);

        public void Dispose()
        {
        }

        private sealed class Logger(System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel)) lines.Enqueue(formatter(state, exception));
            }
        }
    }
}

/// <summary>A TCP relay on loopback to a server; <see cref="Cut"/> drops every connection and refuses new ones until <see cref="Restore"/>.</summary>
internal sealed class TcpRelay
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _host;
    private readonly int _port;
    private readonly List<TcpClient> _open = [];
    private volatile bool _cut;

    private TcpRelay(string host, int port)
    {
        _host = host;
        _port = port;
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static TcpRelay Start(string host, int port)
    {
        var relay = new TcpRelay(host, port);
        relay._listener.Start();
        _ = relay.AcceptAsync();
        return relay;
    }

    public void Cut()
    {
        _cut = true;
        lock (_open)
        {
            foreach (var client in _open) client.Dispose();
            _open.Clear();
        }
    }

    public void Restore() => _cut = false;

    private async Task AcceptAsync()
    {
        while (true)
        {
            var client = await _listener.AcceptTcpClientAsync();
            if (_cut)
            {
                client.Dispose();
                continue;
            }
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        var server = new TcpClient();
        try
        {
            await server.ConnectAsync(_host, _port);
            lock (_open)
            {
                _open.Add(client);
                _open.Add(server);
            }
            var a = client.GetStream().CopyToAsync(server.GetStream());
            var b = server.GetStream().CopyToAsync(client.GetStream());
            await Task.WhenAny(a, b);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Dispose();
            server.Dispose();
        }
    }
}
