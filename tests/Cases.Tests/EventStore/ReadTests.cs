using CaseSystem.Cases.EventStore;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Tests.Support;

namespace CaseSystem.Cases.Tests.EventStore;

public sealed class ReadTests(TestDatabase db) : IClassFixture<TestDatabase>
{
    [Fact]
    public async Task A_stream_reads_back_its_events_and_metadata()
    {
        var store = db.CreateStore().For("hirosaki");
        var stream = Guid.NewGuid();
        var correlation = Guid.NewGuid();
        var metadata = new EventMetadata("clerk-12", "ヒロロ3F", correlation, Guid.NewGuid(), "k-" + stream, "OpenCase");
        await store.AppendAsync(stream, ExpectedVersion.NoStream, [Samples.Opened()], metadata);

        var e = Assert.Single((await store.ReadStreamAsync(stream)).Events);
        Assert.Equal(Samples.Opened().ToString(), e.Data.ToString()); // the holder and dates survive
        Assert.IsType<RenewalEvent.CaseOpenedAtCounter>(e.Data);
        Assert.Equal("CaseOpenedAtCounter", e.EventType);
        Assert.Equal(metadata, e.Metadata);
        Assert.Equal("hirosaki", e.Municipality);
        Assert.InRange(e.RecordedAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
    }

    [Fact]
    public async Task A_stream_reads_up_to_a_version_and_as_it_stood_at_a_moment()
    {
        var store = db.CreateStore().For("hirosaki");
        var stream = Guid.NewGuid();
        await store.AppendAsync(stream, ExpectedVersion.NoStream, [Samples.Opened()]);
        var firstAt = (await store.ReadStreamAsync(stream)).Events[0].RecordedAt;
        await Task.Delay(50);
        await store.AppendAsync(stream, ExpectedVersion.Exactly(1), [Samples.Arrived(1), Samples.Mismatch(2)]);
        await Task.Delay(50);
        await store.AppendAsync(stream, ExpectedVersion.Exactly(3), [Samples.Mismatch(1)]);
        var all = (await store.ReadStreamAsync(stream)).Events;

        var upTo2 = await store.ReadStreamAsync(stream, toVersion: 2);
        Assert.Equal(2, upTo2.Version);
        Assert.Equal([1L, 2L], upTo2.Events.Select(e => e.Version));

        var asOfFirst = await store.ReadStreamAsync(stream, asOf: firstAt);
        Assert.Equal(1, asOfFirst.Version);

        var between = await store.ReadStreamAsync(stream, asOf: all[2].RecordedAt.AddMilliseconds(10));
        Assert.Equal(3, between.Version);

        var before = await store.ReadStreamAsync(stream, asOf: firstAt.AddSeconds(-1));
        Assert.Equal(0, before.Version);
        Assert.Empty(before.Events);
    }

    [Fact]
    public async Task The_log_reads_in_batches_across_streams_in_sequence_order()
    {
        var store = db.CreateStore();
        var from = await db.ScalarAsync<long>("select coalesce(max(seq_id), 0) from event_store.events");
        var streams = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToArray();
        foreach (var s in streams) await store.For("saku").AppendAsync(s, ExpectedVersion.NoStream, [Samples.Opened()]);
        for (var i = 0; i < 4; i++)
            foreach (var s in streams) await store.For("saku").AppendAsync(s, ExpectedVersion.Exactly(i + 1), [Samples.Arrived(i)]);
        var other = Guid.NewGuid();
        await store.For("fujiidera").AppendAsync(other, ExpectedVersion.NoStream, [Samples.Opened()]);

        var batches = new List<IReadOnlyList<StoredEvent>>();
        await foreach (var batch in store.ReadAllAsync(from, batchSize: 4)) batches.Add(batch);

        Assert.All(batches, b => Assert.InRange(b.Count, 1, 4));
        var read = batches.SelectMany(b => b).ToList();
        Assert.Equal(16, read.Count);
        Assert.True(read.Zip(read.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence));
        Assert.Equal(streams.Concat([other]).Order(), read.Select(e => e.StreamId).Distinct().Order());

        var sakuOnly = new List<StoredEvent>();
        await foreach (var batch in store.ReadAllAsync(from, batchSize: 4, municipality: "saku")) sakuOnly.AddRange(batch);
        Assert.Equal(15, sakuOnly.Count);
        Assert.All(sakuOnly, e => Assert.Equal("saku", e.Municipality));

        Assert.Single(await store.For("fujiidera").ReadBatchAsync(from, 100));
    }

    [Fact]
    public async Task A_stream_of_one_municipality_cannot_be_read_or_appended_to_through_another()
    {
        var store = db.CreateStore();
        var stream = Guid.NewGuid();
        await store.For("saku").AppendAsync(stream, ExpectedVersion.NoStream, [Samples.Opened()]);
        var kawasaki = store.For("kawasaki");

        await Assert.ThrowsAsync<StreamNotFoundException>(() => kawasaki.ReadStreamAsync(stream));
        await Assert.ThrowsAsync<StreamNotFoundException>(() => kawasaki.AppendAsync(stream, ExpectedVersion.Exactly(1), [Samples.Arrived(1)]));
        await Assert.ThrowsAsync<StreamNotFoundException>(() => kawasaki.AppendAsync(stream, ExpectedVersion.Any, [Samples.Arrived(1)]));
        await Assert.ThrowsAnyAsync<EventStoreException>(() => kawasaki.AppendAsync(stream, ExpectedVersion.NoStream, [Samples.Arrived(1)]));
        await Assert.ThrowsAsync<StreamNotFoundException>(() => kawasaki.VerifyStreamAsync(stream));
        Assert.DoesNotContain(await kawasaki.ReadBatchAsync(0, 10_000), e => e.StreamId == stream);

        var saku = await store.For("saku").ReadStreamAsync(stream);
        Assert.Equal(1, saku.Version);
        Assert.All(saku.Events, e => Assert.Equal("saku", e.Municipality));
    }

    [Fact]
    public async Task A_missing_stream_is_not_found()
    {
        await Assert.ThrowsAsync<StreamNotFoundException>(() => db.CreateStore().For("saku").ReadStreamAsync(Guid.NewGuid()));
    }

    [Fact]
    public void A_municipality_that_is_not_a_slug_is_refused()
    {
        Assert.Throws<ArgumentException>(() => db.CreateStore().For("Saku; drop table"));
    }
}
