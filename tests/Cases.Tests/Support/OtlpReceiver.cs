using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace CaseSystem.Cases.Tests.Support;

/// <summary>
/// A stand-in OTLP collector over HTTP (http/protobuf) on loopback: keeps every body posted to it
/// by path and answers each with an empty export response (an empty protobuf message), as a
/// collector that took everything does. The bodies are searched as bytes: protobuf keeps strings
/// (span names, attribute values, the service's name) as UTF-8.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _received = new();
    private readonly Task _serving;

    public OtlpReceiver()
    {
        var port = FreePort();
        Endpoint = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Endpoint + "/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public string Endpoint { get; }

    public IEnumerable<byte[]> Bodies => _received.Select(r => r.Body);

    /// <summary>The first body posted to the path that holds, waited for.</summary>
    public async Task<byte[]> WaitForAsync(string path, Func<byte[], bool> holds, TimeSpan within)
    {
        var until = DateTimeOffset.UtcNow + within;
        while (DateTimeOffset.UtcNow < until)
        {
            foreach (var (p, body) in _received)
            {
                if (p == path && holds(body)) return body;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"nothing that holds was posted to {path} within {within.TotalSeconds:0} s; got: " +
            string.Join(", ", _received.Select(r => $"{r.Path} ({r.Body.Length} bytes)")));
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            _received.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.ContentLength64 = 0;
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { });
    }
}
