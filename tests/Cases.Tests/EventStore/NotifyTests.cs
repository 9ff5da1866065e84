using CaseSystem.Cases.EventStore;
using CaseSystem.Cases.Store;
using CaseSystem.Cases.Tests.Support;
using Marten;
using Npgsql;

namespace CaseSystem.Cases.Tests.EventStore;

public sealed class NotifyTests(TestDatabase db) : IClassFixture<TestDatabase>
{
    [Fact]
    public async Task A_commit_that_appends_wakes_a_listener_with_the_sequence_it_reached()
    {
        await using var listener = await db.DataSource.OpenConnectionAsync();
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        listener.Notification += (_, n) => { if (n.Channel == AppendNotifier.Channel) received.TrySetResult(n.Payload); };
        await using (var listen = new NpgsqlCommand($"listen {AppendNotifier.Channel}", listener)) await listen.ExecuteNonQueryAsync();

        await using var notifier = new AppendNotifier(db.DataSource);
        using var store = DocumentStore.For(o =>
        {
            CaseStore.Configure(o, db.ConnectionString);
            o.Listeners.Add(new AppendNotifierListener(notifier));
        });
        var stream = Guid.NewGuid();
        await using (var session = store.LightweightSession("saku"))
        {
            session.Events.StartStream(stream, Samples.Opened(), Samples.Arrived(1));
            await session.SaveChangesAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var wait = listener.WaitAsync(timeout.Token);
        var payload = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(await db.ScalarAsync<long>("select max(seq_id) from cases.mt_events where stream_id = $1", stream), long.Parse(payload));
    }
}
