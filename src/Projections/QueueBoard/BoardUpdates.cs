using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CaseSystem.Projections.QueueBoard;

/// <summary>
/// Pushes queue boards to their subscribers. The queue board's projection NOTIFYs an office's key
/// in the daemon's batch that changes its board (from whichever process owns the projection); this
/// process LISTENs and wakes that office's subscribers, each of which reads the board anew and sends it.
/// </summary>
public sealed class BoardUpdates(NpgsqlDataSource db, ILogger<BoardUpdates> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Channel<bool>, byte>> _subscribers = new();

    public static string Key(string municipality, string office) => municipality + "/" + office;

    private (Channel<bool> Channel, IDisposable Subscription) Subscribe(string key)
    {
        var channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        var set = _subscribers.GetOrAdd(key, _ => new());
        set[channel] = 0;
        return (channel, new Unsubscribe(() => set.TryRemove(channel, out _)));
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var conn = await db.OpenConnectionAsync(ct);
                conn.Notification += (_, n) =>
                {
                    if (_subscribers.TryGetValue(n.Payload, out var set))
                    {
                        foreach (var channel in set.Keys) channel.Writer.TryWrite(true);
                    }
                };
                await using (var listen = new NpgsqlCommand($"listen {QueueBoardProjection.ChangedChannel}", conn))
                {
                    await listen.ExecuteNonQueryAsync(ct);
                }
                // Whatever changed while this session was not listening: every subscriber reads again.
                foreach (var set in _subscribers.Values)
                {
                    foreach (var channel in set.Keys) channel.Writer.TryWrite(true);
                }
                while (!ct.IsCancellationRequested) await conn.WaitAsync(ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                logger.LogWarning(e, "queue board LISTEN session broke; subscribers are refreshed every few seconds until it is back");
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
    }

    /// <summary>Streams the office's board as Server-Sent Events ("board" events of JSON) until the client goes.</summary>
    public async Task StreamAsync(HttpContext http, QueueBoardQuery query, string municipality, string office, TimeProvider clock,
        JsonSerializerOptions json, CancellationToken ct)
    {
        http.Response.Headers.ContentType = "text/event-stream; charset=utf-8";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        var (channel, subscription) = Subscribe(Key(municipality, office));
        using var _ = subscription;
        var id = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var board = await query.BoardAsync(municipality, office, clock.GetUtcNow(), ct);
                await http.Response.WriteAsync($"id: {++id}\nevent: board\ndata: {JsonSerializer.Serialize(board, json)}\n\n", ct);
                await http.Response.Body.FlushAsync(ct);
                // Woken by a change; otherwise every 15 s, which refreshes the waited minutes and keeps proxies from closing an idle stream.
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(15));
                try
                {
                    await channel.Reader.ReadAsync(timeout.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private sealed class Unsubscribe(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
