using CaseSystem.Cases.Store.HashChain;
using CaseSystem.Cases.Tests.Support;
using JasperFx.Events;

namespace CaseSystem.Cases.Tests.EventStore;

/// <summary>
/// Issue 14, found by ops/chaos: Marten's tombstones and the hash chain. An append whose transaction
/// fails after its events took their sequence numbers (the commit refused, PostgreSQL restarting)
/// leaves a gap in the log, which Marten fills with tombstone events so that the read models need
/// not wait at it; any failed save establishes the tombstone stream (version 0) first. The stream's
/// id is drawn at random in each process (JasperFx's Tombstone.StreamId). Before: the chain's trigger
/// could not hash a tombstone (timestamp -infinity: "cannot convert infinity to bigint"), so none was
/// written and the read models waited out the gap; and the verifier left out only its own process's
/// tombstone stream, so another process's (a second server, or this one before a restart) was
/// reported as a case with no events: chain "broken" after any failed save elsewhere.
/// </summary>
public sealed class FailedAppendTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly TestDatabase _db = new();
    private readonly Guid _case = Guid.NewGuid();
    private ChainVerifier _chains = null!;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        _chains = new ChainVerifier(_db.DataSource);
        await _db.AppendAsync("saku", _case, [Samples.Opened()], command: "OpenCaseAtCounter");
    }

    public Task DisposeAsync() => _db.DisposeAsync();

    private async Task AssertIntactAsync(long events)
    {
        foreach (var result in new[] { await _chains.VerifyAllAsync("saku"), await _chains.VerifyAllAsync() })
        {
            Assert.True(result.IsIntact, string.Join("; ", result.Breaks));
            Assert.Equal((1L, events), (result.StreamsChecked, result.EventsChecked));
        }
    }

    [Fact]
    public async Task A_failed_commit_leaves_tombstones_in_its_gap_unlinked_and_the_chain_verifies()
    {
        // A commit that fails after everything in the transaction ran: a deferred constraint trigger.
        await _db.ExecuteAsync("create table cases.refuse_commit(id int)");
        await _db.ExecuteAsync("create function cases.refuse_commit() returns trigger language plpgsql as $$ begin raise exception 'commit refused'; end $$");
        await _db.ExecuteAsync("""
            create constraint trigger refuse_commit after insert on cases.refuse_commit deferrable initially deferred
            for each row execute function cases.refuse_commit()
            """);
        await using (var session = _db.Store.LightweightSession("saku"))
        {
            session.Events.Append(_case, Samples.Arrived(3));
            session.QueueSqlCommand("insert into cases.refuse_commit values (1)");
            await Assert.ThrowsAnyAsync<Exception>(() => session.SaveChangesAsync());
        }
        Assert.Equal(1L, await _db.ScalarAsync<long>("select count(*) from cases.mt_events where stream_id = $1", _case));

        // Marten writes the tombstone in the background (its retry block): wait for it, bounded.
        var until = DateTimeOffset.UtcNow + Patience;
        while (await _db.ScalarAsync<long>("select count(*) from cases.mt_events where stream_id = $1 and seq_id = 2", Tombstone.StreamId) == 0)
        {
            Assert.True(DateTimeOffset.UtcNow < until, "Marten's tombstone for the failed append's sequence number 2 was never written");
            await Task.Delay(50);
        }
        Assert.Equal(HashChainFeature.TombstoneType, await _db.ScalarAsync<string>("select type from cases.mt_events where seq_id = 2"));

        await _db.AppendAsync("saku", _case, [Samples.Arrived(4)], command: "RecordArrival");
        await AssertIntactAsync(2);
        Assert.Equal(0L, await _db.ScalarAsync<long>("select count(*) from cases.case_event_chain where stream_id = $1", Tombstone.StreamId));
    }

    [Fact]
    public async Task Another_processes_tombstone_stream_is_no_case()
    {
        // As another server process leaves it (Marten's EstablishTombstoneStream and a tombstone), under its own random id.
        var theirs = Guid.NewGuid();
        await _db.ExecuteAsync("insert into cases.mt_streams (id, tenant_id, version, is_archived) values ($1, 'saku', 0, false)", theirs);
        await _db.ExecuteAsync("""
            insert into cases.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type)
            values (nextval('cases.mt_events_sequence'), gen_random_uuid(), $1, 7, '{}', 'tombstone', '-infinity', 'saku', 'JasperFx.Events.Tombstone, JasperFx.Events')
            """, theirs);
        var other = Guid.NewGuid();
        await _db.ExecuteAsync("insert into cases.mt_streams (id, tenant_id, version, is_archived) values ($1, 'saku', 0, false)", other);

        await AssertIntactAsync(1);
    }

    [Fact]
    public async Task A_case_event_retyped_as_a_tombstone_is_still_named()
    {
        await _db.ExecuteAsync("update cases.mt_events set type = 'tombstone' where stream_id = $1 and version = 1", _case);
        var broken = Assert.Single((await _chains.VerifyAllAsync("saku")).Breaks);
        Assert.Equal((_case, 1L), (broken.StreamId, broken.Version));
        Assert.Contains("no longer matches", broken.Reason);
    }
}
