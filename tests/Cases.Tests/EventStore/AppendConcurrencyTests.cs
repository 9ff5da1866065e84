using CaseSystem.Cases.EventStore;
using CaseSystem.Cases.Tests.Support;

namespace CaseSystem.Cases.Tests.EventStore;

public sealed class AppendConcurrencyTests(TestDatabase db) : IClassFixture<TestDatabase>
{
    [Fact]
    public async Task Two_writers_at_the_same_expected_version_exactly_one_wins_every_time()
    {
        var store = db.CreateStore().For("saku");
        var stream = Guid.NewGuid();
        await store.AppendAsync(stream, ExpectedVersion.NoStream, [Samples.Opened()]);
        const int rounds = 150;

        for (var round = 0; round < rounds; round++)
        {
            var version = round + 1;
            using var start = new Barrier(2);
            var writers = Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
            {
                start.SignalAndWait();
                try
                {
                    await store.AppendAsync(stream, ExpectedVersion.Exactly(version), [Samples.Arrived(w)]);
                    return true;
                }
                catch (ConcurrencyException e)
                {
                    Assert.Equal(stream, e.StreamId);
                    Assert.Equal(ExpectedVersion.Exactly(version), e.Expected);
                    Assert.Equal((version + 1).ToString(), e.Actual);
                    return false;
                }
            })).ToArray();
            var won = await Task.WhenAll(writers);
            Assert.Equal(1, won.Count(w => w));
        }

        var slice = await store.ReadStreamAsync(stream);
        Assert.Equal(rounds + 1, slice.Version);
        Assert.Equal(Enumerable.Range(1, rounds + 1).Select(v => (long)v), slice.Events.Select(e => e.Version));
        Assert.Equal(slice.Events.Count, slice.Events.Select(e => e.Sequence).Distinct().Count());
        Assert.True((await store.VerifyStreamAsync(stream)).IsIntact);
    }

    [Fact]
    public async Task Two_writers_creating_the_same_stream_exactly_one_wins()
    {
        var store = db.CreateStore().For("saku");
        for (var round = 0; round < 50; round++)
        {
            var stream = Guid.NewGuid();
            using var start = new Barrier(2);
            var outcomes = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
            {
                start.SignalAndWait();
                try { await store.AppendAsync(stream, ExpectedVersion.NoStream, [Samples.Opened()]); return true; }
                catch (ConcurrencyException) { return false; }
            })));
            Assert.Equal(1, outcomes.Count(o => o));
            Assert.Single((await store.ReadStreamAsync(stream)).Events);
        }
    }

    [Fact]
    public async Task Many_events_in_one_append_get_consecutive_versions_and_increasing_sequence()
    {
        var store = db.CreateStore().For("saku");
        var stream = Guid.NewGuid();
        var result = await store.AppendAsync(stream, ExpectedVersion.NoStream, [Samples.Opened(), Samples.Arrived(1), Samples.Mismatch(2)]);
        Assert.Equal((1, 3, false), (result.FirstVersion, result.LastVersion, result.Repeated));

        var events = (await store.ReadStreamAsync(stream)).Events;
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Version));
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence));
        Assert.Equal(result.LastSequence, events[^1].Sequence);
    }

    [Fact]
    public async Task Expecting_a_version_the_stream_does_not_have_writes_nothing()
    {
        var store = db.CreateStore().For("saku");
        var stream = Guid.NewGuid();
        await store.AppendAsync(stream, ExpectedVersion.NoStream, [Samples.Opened()]);

        var ahead = await Assert.ThrowsAsync<ConcurrencyException>(() => store.AppendAsync(stream, ExpectedVersion.Exactly(5), [Samples.Arrived(1)]));
        Assert.Equal("1", ahead.Actual);
        await Assert.ThrowsAsync<ConcurrencyException>(() => store.AppendAsync(stream, ExpectedVersion.NoStream, [Samples.Arrived(1)]));
        await Assert.ThrowsAsync<ConcurrencyException>(() => store.AppendAsync(Guid.NewGuid(), ExpectedVersion.Exactly(1), [Samples.Arrived(1)]));

        Assert.Equal(1, (await store.ReadStreamAsync(stream)).Version);
    }

    [Fact]
    public async Task Any_appends_whatever_the_version_and_creates_the_stream_when_missing()
    {
        var store = db.CreateStore().For("saku");
        var stream = Guid.NewGuid();
        await store.AppendAsync(stream, ExpectedVersion.Any, [Samples.Opened()]);
        await store.AppendAsync(stream, ExpectedVersion.Any, [Samples.Arrived(1)]);
        Assert.Equal(2, (await store.ReadStreamAsync(stream)).Version);
    }
}
