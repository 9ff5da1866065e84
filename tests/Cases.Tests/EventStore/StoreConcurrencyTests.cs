using CaseSystem.Cases.Store;
using CaseSystem.Cases.Store.HashChain;
using CaseSystem.Cases.Tests.Support;
using JasperFx;
using Marten;

namespace CaseSystem.Cases.Tests.EventStore;

/// <summary>Marten as configured here (quick append, the stream row locked before a sequence number is taken): a lost race writes nothing and burns no number.</summary>
public sealed class StoreConcurrencyTests(TestDatabase db) : IClassFixture<TestDatabase>
{
    [Fact]
    public async Task Two_writers_at_the_same_version_exactly_one_wins_every_time_and_the_loser_burns_no_sequence_number()
    {
        var stream = Guid.NewGuid();
        await db.AppendAsync("saku", stream, [Samples.Opened()]);
        const int rounds = 60;

        for (var round = 0; round < rounds; round++)
        {
            using var start = new Barrier(2);
            var writers = Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
            {
                await using var session = db.Store.LightweightSession("saku");
                var loaded = await session.Events.FetchForWriting<RenewalCase>(stream);
                loaded.AppendOne(Samples.Arrived(w));
                start.SignalAndWait();
                try
                {
                    await session.SaveChangesAsync();
                    return true;
                }
                catch (ConcurrencyException)
                {
                    return false;
                }
            })).ToArray();
            Assert.Equal(1, (await Task.WhenAll(writers)).Count(w => w));
        }

        var events = await db.EventsAsync("saku", stream);
        Assert.Equal(Enumerable.Range(1, rounds + 1).Select(v => (long)v), events.Select(e => e.Version));
        // No gap in the global sequence: the losers failed on the version check before nextval().
        var sequences = await SequencesAsync(stream);
        Assert.Equal(Enumerable.Range(0, rounds + 1).Select(i => sequences[0] + i), sequences);
        Assert.True((await new ChainVerifier(db.DataSource).VerifyStreamAsync("saku", stream))!.IsIntact);
    }

    private async Task<List<long>> SequencesAsync(Guid stream)
    {
        await using var cmd = db.DataSource.CreateCommand("select seq_id from cases.mt_events where stream_id = $1 order by seq_id");
        cmd.Parameters.AddWithValue(stream);
        var list = new List<long>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) list.Add(r.GetInt64(0));
        return list;
    }

    [Fact]
    public async Task A_case_of_another_municipality_is_not_there()
    {
        var stream = Guid.NewGuid();
        await db.AppendAsync("saku", stream, [Samples.Opened()]);
        Assert.Empty(await db.EventsAsync("kawasaki", stream));
        await using var session = db.Store.LightweightSession("kawasaki");
        session.Events.Append(stream, Samples.Arrived(1));
        await Assert.ThrowsAnyAsync<Exception>(() => session.SaveChangesAsync());
        Assert.Single(await db.EventsAsync("saku", stream));
    }
}
