using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Store;
using CaseSystem.Projections.CaseFinder;
using CaseSystem.Projections.Daemon;
using CaseSystem.Projections.RenewalRates;
using JasperFx.Events.Daemon;
using Marten;
using ReadModelsOfStore = CaseSystem.Projections.Daemon.ReadModels;

namespace CaseSystem.Projections.Tests.Daemon;

/// <summary>A group of read models (ReadModelGroup, as the case views run) under the daemon.</summary>
public sealed partial class DaemonTests
{
    [Fact]
    public async Task An_event_one_member_of_a_group_cannot_apply_is_the_groups_dead_letter_no_member_applies_it_and_a_replay_refolds_the_case_in_every_member()
    {
        // Protects: a group is one shard, so a member's failing fold sets the event aside for all its
        // members (none holds a half-applied page: they commit together), the other cases go on in
        // every member, and the group's replay after the fix mends the case in every member, as a
        // group built anew from the log has it.
        var counting = new CountingMember(9) { FailOn = e => e.Data is RenewalEvent.ArrivedAtOffice { TicketNumber: "BAD" } };
        var group = new ReadModelGroup("test-views", 9, counting, new CaseFinderProjection(9), new RenewalReportProjection(9));
        var store = await GroupStoreAsync(group);
        var daemon = await StartDaemonAsync(store);
        var (good, bad) = (Guid.NewGuid(), Guid.NewGuid());
        await _db.AppendAsync("saku", good, [Opened(), Arrived("A-1")]);
        await _db.AppendAsync("saku", bad, [Opened(), Arrived("BAD"), Called("1番窓口")]);
        var badSeq = await _db.ScalarAsync<long>("select seq_id from cases.mt_events where data->>'ticketNumber' = 'BAD'");

        await CaughtUpAsync(store);
        await WaitUntilAsync(async () => (await LettersAsync(store)).Count == 1, "the letter is stored");
        var letter = Assert.Single(await LettersAsync(store));
        Assert.Equal((badSeq, "test-views"), (letter.EventSequence, letter.ProjectionName));
        Assert.Contains($"the counting member refuses event {badSeq}", letter.ExceptionMessage);
        Assert.Equal("2 A-1;|2 ", await CountedAsync(counting, good, bad));

        // A group built anew from the log by members that fold everything: what the cases should be.
        var reference = new ReadModelGroup("test-views", 10, new CountingMember(10), new CaseFinderProjection(10), new RenewalReportProjection(10));
        var referenceStore = await GroupStoreAsync(reference);
        await StartDaemonAsync(referenceStore);
        await CaughtUpAsync(referenceStore);
        Assert.Equal("2 A-1;|3 BAD;", await CountedAsync((CountingMember)reference.Members[0], good, bad));
        foreach (var (mine, whole) in group.Members.Zip(reference.Members))
        {
            Assert.Equal(0, await DifferingRowsAsync(mine, whole, good));
        }
        // The report, a member that had no fault, did not apply the arrival either.
        Assert.True(await DifferingRowsAsync(group.Members[2], reference.Members[2], bad) > 0, "the report applied the set-aside arrival");

        // As ProjectionAdmin replays a group's letters: the shard stopped, the case's whole stream folded by the group.
        await daemon.StopAgentAsync(group.Shard.Identity);
        counting.FailOn = _ => false;
        await using (var session = store.LightweightSession("saku"))
        {
            await group.RefoldAsync(session, await session.Events.FetchStreamAsync(bad), CancellationToken.None);
        }
        foreach (var (mine, whole) in group.Members.Zip(reference.Members))
        {
            Assert.Equal(0, await DifferingRowsAsync(mine, whole, bad));
        }
        await daemon.StartAgentAsync(group.Shard.Identity, CancellationToken.None);
        await _db.AppendAsync("saku", bad, [Called("2番窓口")]);
        await CaughtUpAsync(store);
        await CaughtUpAsync(referenceStore);
        foreach (var (mine, whole) in group.Members.Zip(reference.Members))
        {
            Assert.Equal(0, await DifferingRowsAsync(mine, whole, bad));
        }
    }

    [Fact]
    public void The_case_views_members_are_known_by_their_own_names_as_their_group()
    {
        // Protects: ops/projections and the admin endpoints take a member's name for its group's shard.
        var models = _db.Models;
        Assert.Equal([models.QueueBoard.Name, ReadModelsOfStore.CaseViewsName], models.All.Select(m => m.Name));
        foreach (var member in new IReadModel[] { models.CaseFinder, models.RenewalReport, models.Worklists })
        {
            Assert.Same(models.CaseViews, models.Named(member.Name));
            Assert.Equal(models.CaseViews.Version, member.Version);
        }
        Assert.Null(models.Named("no-such-model"));
        Assert.Throws<ArgumentException>(() => new ReadModelGroup("mixed", 4, new CountingMember(4), new CaseFinderProjection(5)));
    }

    private async Task<DocumentStore> GroupStoreAsync(ReadModelGroup group)
    {
        var store = DocumentStore.For(o =>
        {
            CaseStore.Configure(o, _db.ConnectionString);
            ReadModelsOfStore.Register(o, group);
            ReadModelsOfStore.ConfigureDaemon(o);
        });
        _disposables.Add(store);
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        return store;
    }

    private static async Task<IReadOnlyList<DeadLetterEvent>> LettersAsync(IDocumentStore store)
    {
        await using var session = store.QuerySession();
        return await session.Query<DeadLetterEvent>().ToListAsync();
    }

    private Task<string> CountedAsync(CountingMember member, Guid first, Guid second) => _db.ScalarAsync<string>(
        $"select string_agg(events || ' ' || tickets, '|' order by case when case_id = $1 then 0 else 1 end) from {member.Cases}", first, second);

    /// <summary>The case's rows in each of a member's tables that the other version's tables lack, and the other way round.</summary>
    private async Task<long> DifferingRowsAsync(IReadModel mine, IReadModel whole, Guid caseId)
    {
        long differing = 0;
        foreach (var (a, b) in mine.Tables.Zip(whole.Tables))
        {
            var (aName, bName) = (a.Identifier.QualifiedName, b.Identifier.QualifiedName);
            differing += await _db.ScalarAsync<long>(
                $"select count(*) from ((select t::text from {aName} t where case_id = $1 except all select t::text from {bName} t where case_id = $1) " +
                $"union all (select t::text from {bName} t where case_id = $1 except all select t::text from {aName} t where case_id = $1)) d", caseId);
        }
        return differing;
    }
}
