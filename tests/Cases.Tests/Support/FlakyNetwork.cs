using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace CaseSystem.Cases.Tests.Support;

/// <summary>
/// A TCP relay on 127.0.0.1 in front of a server, for a client to reach it through a network that
/// can fail (a browser the web server, a server process PostgreSQL): <see cref="Drop"/> cuts every
/// open connection (an SSE stream included) and refuses new ones until <see cref="Restore"/>.
/// </summary>
public sealed class FlakyNetwork : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _server;
    private readonly ConcurrentDictionary<TcpClient, byte> _open = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private volatile bool _down;

    public FlakyNetwork(Uri server) : this(server.Host, server.Port)
    {
    }

    public FlakyNetwork(string host, int port)
    {
        _server = new IPEndPoint(IPAddress.Parse(host), port);
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _accepting = AcceptAsync();
    }

    public Uri Address { get; }

    public void Drop()
    {
        _down = true;
        foreach (var client in _open.Keys)
        {
            Reset(client);
        }
        _open.Clear();
    }

    public void Restore() => _down = false;

    /// <summary>Closes with a reset (RST), as a broken network does, not with an orderly FIN.</summary>
    private static void Reset(TcpClient client)
    {
        try
        {
            if (client.Client is { } socket) socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        client.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            if (_down)
            {
                Reset(client);
                continue;
            }
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        var server = new TcpClient();
        _open[client] = 0;
        _open[server] = 0;
        try
        {
            await server.ConnectAsync(_server, _stop.Token);
            var a = client.GetStream();
            var b = server.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            _open.TryRemove(client, out _);
            _open.TryRemove(server, out _);
            client.Dispose();
            server.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        Drop();
        await _accepting;
        _stop.Dispose();
    }
}
