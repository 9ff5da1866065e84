using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CaseSystem.Cases.Tests.Support;

/// <summary>
/// A stand-in OTLP collector over HTTP (http/protobuf) on a loopback port, served like the tests'
/// other stand-ins (TestIssuer, ScriptedServer): keeps every body posted to it by path and answers
/// each with an empty export response (an empty protobuf message), as a collector that took
/// everything does. The bodies are searched as bytes: protobuf keeps strings (span names,
/// attribute values, the service's name) as UTF-8.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _received = new();

    private OtlpReceiver(WebApplication app) => _app = app;

    public string Endpoint => _app.Urls.First();

    public IEnumerable<byte[]> Bodies => _received.Select(r => r.Body);

    public static async Task<OtlpReceiver> StartAsync()
    {
        var app = LoopbackApp.Create();
        var receiver = new OtlpReceiver(app);
        app.Run(receiver.ReceiveAsync);
        await app.StartAsync();
        return receiver;
    }

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

    private async Task ReceiveAsync(HttpContext http)
    {
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, http.RequestAborted);
        _received.Enqueue((http.Request.Path.Value ?? "", body.ToArray()));
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/x-protobuf";
        http.Response.ContentLength = 0;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
