using System.Collections.Concurrent;
using System.Diagnostics;
using CaseSystem.Cases.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CaseSystem.CardStation.Tests.Station;

/// <summary>
/// A real HTTP server on a loopback port that answers the station's requests as the test scripts
/// them (a 503 with Retry-After, a dropped connection), then 201; it notes every request that
/// reached it: when, its Idempotency-Key and its Observed-Age.
/// </summary>
public sealed class ScriptedServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<HttpContext, Task>> _script = new();
    private readonly ConcurrentQueue<Seen> _seen = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public sealed record Seen(TimeSpan At, string Method, string Path, string? IdempotencyKey, double? ObservedAge);

    private ScriptedServer(WebApplication app) => _app = app;

    public Uri Address => new(_app.Urls.First() + "/");

    public IReadOnlyList<Seen> Requests => [.. _seen];

    public static async Task<ScriptedServer> StartAsync()
    {
        var app = LoopbackApp.Create();
        var server = new ScriptedServer(app);
        app.Run(server.AnswerAsync);
        await app.StartAsync();
        return server;
    }

    /// <summary>The next request is answered with <paramref name="status"/> and, when given, Retry-After in seconds.</summary>
    public void ThenAnswer(int status, int? retryAfterSeconds = null) => _script.Enqueue(async http =>
    {
        http.Response.StatusCode = status;
        if (retryAfterSeconds is { } seconds) http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await http.Response.WriteAsJsonAsync(new { title = $"scripted {status}" });
    });

    /// <summary>The next request is taken and its connection dropped, unanswered.</summary>
    public void ThenDrop() => _script.Enqueue(http =>
    {
        http.Abort();
        return Task.CompletedTask;
    });

    private async Task AnswerAsync(HttpContext http)
    {
        var age = http.Request.Headers["Observed-Age"].FirstOrDefault();
        _seen.Enqueue(new Seen(_clock.Elapsed, http.Request.Method, http.Request.Path, http.Request.Headers["Idempotency-Key"].FirstOrDefault(),
            age is null ? null : double.Parse(age, System.Globalization.CultureInfo.InvariantCulture)));
        if (_script.TryDequeue(out var answer))
        {
            await answer(http);
            return;
        }
        http.Response.StatusCode = StatusCodes.Status201Created;
        await http.Response.WriteAsJsonAsync(new { });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
