using CaseSystem.Cases.EventStore;
using CaseSystem.Cases.Tests.Support;
using Npgsql;

namespace CaseSystem.Cases.Tests.EventStore;

public sealed class NotifyTests(TestDatabase db) : IClassFixture<TestDatabase>
{
    [Fact]
    public async Task An_append_wakes_a_listener_with_the_sequence_it_reached()
    {
        await using var listener = await db.DataSource.OpenConnectionAsync();
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        listener.Notification += (_, n) => { if (n.Channel == AppendNotifier.Channel) received.TrySetResult(n.Payload); };
        await using (var listen = new NpgsqlCommand($"listen {AppendNotifier.Channel}", listener)) await listen.ExecuteNonQueryAsync();

        await using var notifier = new AppendNotifier(db.DataSource);
        var result = await db.CreateStore(notifier).For("saku").AppendAsync(Guid.NewGuid(), ExpectedVersion.NoStream, [Samples.Opened()]);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var wait = listener.WaitAsync(timeout.Token);
        var payload = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(result.LastSequence, long.Parse(payload));
    }

    [Fact]
    public async Task A_repeated_command_does_not_notify()
    {
        await using var listener = await db.DataSource.OpenConnectionAsync();
        var payloads = new List<string>();
        listener.Notification += (_, n) => { lock (payloads) payloads.Add(n.Payload); };
        await using (var listen = new NpgsqlCommand($"listen {AppendNotifier.Channel}", listener)) await listen.ExecuteNonQueryAsync();

        var key = new EventMetadata(IdempotencyKey: Guid.NewGuid().ToString());
        var stream = Guid.NewGuid();
        await using (var notifier = new AppendNotifier(db.DataSource))
        {
            var store = db.CreateStore(notifier).For("saku");
            await store.AppendAsync(stream, ExpectedVersion.NoStream, [Samples.Opened()], key);
        }
        await using (var notifier = new AppendNotifier(db.DataSource))
        {
            var store = db.CreateStore(notifier).For("saku");
            Assert.True((await store.AppendAsync(stream, ExpectedVersion.NoStream, [Samples.Opened()], key)).Repeated);
        }
        // Disposing a notifier waits for its sends; anything sent has arrived once a round trip on the listener completes.
        await using (var ping = new NpgsqlCommand("select 1", listener)) await ping.ExecuteScalarAsync();
        Assert.Single(payloads);
    }
}
