using CaseSystem.Cases.EventStore;
using CaseSystem.Cases.Tests.Support;

namespace CaseSystem.Cases.Tests.EventStore;

public sealed class IdempotencyTests(TestDatabase db) : IClassFixture<TestDatabase>
{
    [Fact]
    public async Task A_repeated_command_writes_nothing_and_returns_the_first_outcome()
    {
        var store = db.CreateStore().For("takatsuki");
        var stream = Guid.NewGuid();
        var key = new EventMetadata(ActorId: "clerk-7", IdempotencyKey: "cmd-" + Guid.NewGuid());
        await store.AppendAsync(stream, ExpectedVersion.NoStream, [Samples.Opened()]);

        var first = await store.AppendAsync(stream, ExpectedVersion.Exactly(1), [Samples.Arrived(1), Samples.Mismatch(2)], key);
        // The retry still believes the stream is at version 1: it must not fail, nor write.
        var again = await store.AppendAsync(stream, ExpectedVersion.Exactly(1), [Samples.Arrived(1), Samples.Mismatch(2)], key);

        Assert.False(first.Repeated);
        Assert.True(again.Repeated);
        Assert.Equal(first with { Repeated = true }, again);
        Assert.Equal(3, (await store.ReadStreamAsync(stream)).Version);
    }

    [Fact]
    public async Task A_repeated_stream_creation_returns_the_first_outcome()
    {
        var store = db.CreateStore().For("takatsuki");
        var stream = Guid.NewGuid();
        var key = new EventMetadata(IdempotencyKey: "open-" + stream);
        var first = await store.AppendAsync(stream, ExpectedVersion.NoStream, [Samples.Opened()], key);
        var again = await store.AppendAsync(stream, ExpectedVersion.NoStream, [Samples.Opened()], key);
        Assert.Equal(first with { Repeated = true }, again);
        Assert.Single((await store.ReadStreamAsync(stream)).Events);
    }

    [Fact]
    public async Task Concurrent_repeats_of_one_command_write_it_once()
    {
        var store = db.CreateStore().For("takatsuki");
        for (var round = 0; round < 30; round++)
        {
            var stream = Guid.NewGuid();
            await store.AppendAsync(stream, ExpectedVersion.NoStream, [Samples.Opened()]);
            var key = new EventMetadata(IdempotencyKey: Guid.NewGuid().ToString());
            using var start = new Barrier(4);
            var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                start.SignalAndWait();
                return await store.AppendAsync(stream, ExpectedVersion.Exactly(1), [Samples.Arrived(1)], key);
            })));
            Assert.Equal(1, results.Count(r => !r.Repeated));
            Assert.Single(results.Select(r => (r.FirstVersion, r.LastVersion, r.LastSequence)).Distinct());
            Assert.Equal(2, (await store.ReadStreamAsync(stream)).Version);
        }
    }

    [Fact]
    public async Task A_key_is_scoped_to_its_stream()
    {
        var store = db.CreateStore().For("takatsuki");
        var key = new EventMetadata(IdempotencyKey: Guid.NewGuid().ToString());
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        await store.AppendAsync(first, ExpectedVersion.NoStream, [Samples.Opened()], key);
        var other = await store.AppendAsync(second, ExpectedVersion.NoStream, [Samples.Opened()], key);

        Assert.False(other.Repeated);
        Assert.Equal(1, (await store.ReadStreamAsync(second)).Version);
        Assert.True((await store.AppendAsync(second, ExpectedVersion.NoStream, [Samples.Opened()], key)).Repeated);
    }

    [Fact]
    public async Task The_same_key_in_another_municipality_is_another_command()
    {
        var key = new EventMetadata(IdempotencyKey: Guid.NewGuid().ToString());
        var saku = await db.CreateStore().For("saku").AppendAsync(Guid.NewGuid(), ExpectedVersion.NoStream, [Samples.Opened()], key);
        var kawasaki = await db.CreateStore().For("kawasaki").AppendAsync(Guid.NewGuid(), ExpectedVersion.NoStream, [Samples.Opened()], key);
        Assert.False(saku.Repeated);
        Assert.False(kawasaki.Repeated);
    }
}
