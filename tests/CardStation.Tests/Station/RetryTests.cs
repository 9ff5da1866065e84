using System.Text.Json.Nodes;
using CaseSystem.CardStation.Card;
using CaseSystem.CardStation.Commands;
using CaseSystem.CardStation.Outbox;
using CaseSystem.CardStation.Server;
using CaseSystem.CardStation.Station;
using CaseSystem.CardStation.Tests.EndToEnd;
using CaseSystem.CardStation.Tui;

namespace CaseSystem.CardStation.Tests.Station;

/// <summary>
/// The station's retries (Polly) against a real HTTP server that answers as scripted: a blip is
/// tried again within the send, with the same Idempotency-Key; the server's Retry-After is waited
/// for; a long one leaves the entry in the outbox, which the screen sends again in the background.
/// </summary>
public sealed class RetryTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cardstation-retry-" + Guid.NewGuid().ToString("N"));
    private ScriptedServer _server = null!;

    public async Task InitializeAsync() => _server = await ScriptedServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private StationOptions Options => new(_server.Address, "cs1.test-token", "saku", "station-1", "shimin-ka", _folder);

    private static OutboxEntry Entry() => new("station-" + Guid.CreateVersion7().ToString("N"), "saku", Guid.CreateVersion7(), OutboxEntry.CardReads,
        new JsonObject { ["stationId"] = "station-1" }, DateTimeOffset.UtcNow, "カード読取り");

    [Fact]
    public async Task A_503_with_a_short_Retry_After_is_waited_for_and_sent_again_with_the_same_key_and_a_later_age()
    {
        _server.ThenAnswer(503, retryAfterSeconds: 1);
        using var server = new CaseServer(Options);
        var entry = Entry();

        var outcome = await server.SendAsync(entry, TimeSpan.FromSeconds(10));

        Assert.IsType<SendOutcome.Sent>(outcome);
        var (first, second) = (_server.Requests[0], _server.Requests[1]);
        Assert.Equal(2, _server.Requests.Count);
        Assert.Equal([entry.IdempotencyKey, entry.IdempotencyKey], _server.Requests.Select(r => r.IdempotencyKey));
        Assert.True(second.At - first.At >= TimeSpan.FromSeconds(0.95), $"tried again after {(second.At - first.At).TotalSeconds:0.00} s, before the server's Retry-After: 1");
        Assert.True(second.ObservedAge >= first.ObservedAge + 0.95, $"the age sent again was not the later one: {first.ObservedAge} then {second.ObservedAge}");
    }

    [Fact]
    public async Task A_connection_dropped_before_the_answer_is_tried_again_at_once_with_the_same_key()
    {
        _server.ThenDrop();
        using var server = new CaseServer(Options);
        var entry = Entry();

        Assert.IsType<SendOutcome.Sent>(await server.SendAsync(entry, TimeSpan.Zero));

        Assert.Equal([entry.IdempotencyKey, entry.IdempotencyKey], _server.Requests.Select(r => r.IdempotencyKey));
    }

    [Fact]
    public async Task A_Retry_After_longer_than_a_clerk_should_wait_and_a_500_are_not_tried_again_within_the_send()
    {
        using var server = new CaseServer(Options);
        _server.ThenAnswer(503, retryAfterSeconds: 30);
        var unavailable = Assert.IsType<SendOutcome.Unreachable>(await server.SendAsync(Entry(), TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromSeconds(30), unavailable.RetryAfter);
        Assert.Single(_server.Requests);

        _server.ThenAnswer(500);
        Assert.IsType<SendOutcome.Unreachable>(await server.SendAsync(Entry(), TimeSpan.Zero));
        Assert.Equal(2, _server.Requests.Count);

        // Through the outbox: the entry waits there, and the report carries the server's word.
        var outbox = new DurableOutbox(Path.Combine(_folder, "outbox"));
        outbox.Add(Entry());
        _server.ThenAnswer(503, retryAfterSeconds: 30);
        var report = await outbox.SendAsync(server);
        Assert.Equal((1, false, TimeSpan.FromSeconds(30)), (report.Pending, report.ServerReachable, report.RetryAfter));
    }

    [Fact]
    public async Task The_screen_sends_what_waits_again_in_the_background_when_the_servers_Retry_After_says_without_a_key()
    {
        var retryAfter = (int)StationRetries.LongestWaitInAction.TotalSeconds + 1;
        _server.ThenAnswer(503, retryAfterSeconds: retryAfter);
        var outbox = new DurableOutbox(Path.Combine(_folder, "outbox"));
        var entry = Entry();
        outbox.Add(entry);
        var session = new CounterSession(new FakeTerminal(null), new CaseServer(Options), outbox, Options);
        var screen = new LiveOutput();
        var keyboard = new TestKeyboard();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var running = new CounterScreen(session, new StationIo(screen, new LiveOutput(), keyboard.ReadKey, keyboard.KeyAvailable, keyboard.ReadLine,
            _ => null, stop.Token)).RunAsync();

        await screen.WaitForAsync("サーバーに接続できません / server unreachable — 未送信 1 件");
        await screen.WaitForAsync("✔ 接続中 / connected — 未送信 0 件", timeout: TimeSpan.FromSeconds(retryAfter + 20));
        keyboard.Type("0");
        Assert.Equal(0, await running.WaitAsync(TimeSpan.FromSeconds(20)));

        Assert.Empty(outbox.Pending);
        Assert.Equal([entry.IdempotencyKey, entry.IdempotencyKey], _server.Requests.Select(r => r.IdempotencyKey));
        var waited = _server.Requests[1].At - _server.Requests[0].At;
        Assert.True(waited >= TimeSpan.FromSeconds(retryAfter - 0.05), $"sent again after {waited.TotalSeconds:0.00} s, before the server's Retry-After: {retryAfter}");
    }
}
