using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Store;
using CaseSystem.Cases.Tests.Support;
using CaseSystem.Projections.CaseFinder;
using CaseSystem.Projections.Daemon;
using CaseSystem.Projections.QueueBoard;
using CaseSystem.Projections.RenewalRates;
using CaseSystem.Projections.Tests.Support;
using CaseSystem.Projections.Worklists;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ReadModelsOfStore = CaseSystem.Projections.Daemon.ReadModels;

namespace CaseSystem.Projections.Tests.Daemon;

/// <summary>
/// The hand-written runner's hard tests, kept and run against Marten's async daemon under the
/// server's daemon settings (<see cref="ReadModelsOfStore.ConfigureDaemon"/>): appends that commit
/// out of sequence order, roll back or hold a sequence number open; a daemon stopped mid-page;
/// two hosts sharing the work HotCold; an event a read model cannot apply; a new version built
/// beside the serving one.
/// </summary>
public sealed partial class DaemonTests : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2026, 3, 16, 10, 0, 0, TimeSpan.FromHours(9));
    // "HOLD" tickets wait for this advisory lock; the two-key form cannot clash with the daemon's bigint locks.
    private const int HoldKey = 4242;
    private readonly RefusingQueueBoard _board = new();
    private readonly ProjectionsDatabase _db;
    private readonly List<IDisposable> _disposables = [];
    private readonly List<IHost> _hosts = [];

    public DaemonTests() =>
        _db = new ProjectionsDatabase(new ReadModelsOfStore(_board, new CaseFinderProjection(), new RenewalReportProjection()));

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        // Jitter in every append's transaction after its insert: commits land out of sequence
        // order; tickets with "FAIL" roll back after taking their numbers; "HOLD…" wait until the
        // test releases the advisory lock HoldKey.
        await _db.ExecuteAsync($$"""
            create function public.test_jitter() returns trigger language plpgsql as $$
            begin
              if NEW.data->>'ticketNumber' like 'HOLD%' then perform pg_advisory_xact_lock_shared({{HoldKey}}, {{HoldKey}}); end if;
              if NEW.data->>'ticketNumber' like '%FAIL%' then raise exception 'injected rollback'; end if;
              if NEW.data->>'ticketNumber' like 'J%' then perform pg_sleep(random() * 0.004); end if;
              return NEW;
            end $$;
            create trigger test_jitter after insert on cases.mt_events for each row execute function public.test_jitter();
            """);
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync();
            host.Dispose();
        }
        foreach (var disposable in Enumerable.Reverse(_disposables)) disposable.Dispose();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Every_committed_event_is_applied_exactly_once_while_appends_commit_out_of_order_and_roll_back()
    {
        // Protects: no event lost at a gap that a slower commit fills later, none applied twice,
        // none invented by a rolled-back append, under parallel appends with version races.
        var seen = new SeenProjection(batchSize: 100);
        var store = await SeenStoreAsync(seen);
        await StartDaemonAsync(store);

        var committed = 0;
        var rolledBack = 0;
        var random = new Random(7);
        var tickets = Enumerable.Range(0, 1200).Select(i => random.Next(10) == 0 ? $"J{i}-FAIL" : $"J{i}").ToList();
        var contended = Guid.NewGuid();
        await Parallel.ForEachAsync(tickets, new ParallelOptions { MaxDegreeOfParallelism = 12 }, async (ticket, _) =>
        {
            // A share go to one stream at the version just read, so version races roll appends back too.
            var ok = await AppendAsync(ticket, ticket.EndsWith('7') ? contended : null);
            Interlocked.Increment(ref ok ? ref committed : ref rolledBack);
        });

        await CaughtUpAsync(store);
        var total = await _db.ScalarAsync<long>("select count(*) from cases.mt_events");
        Assert.Equal(committed, total);
        Assert.True(rolledBack > 50, $"only {rolledBack} appends rolled back");
        Assert.True(await HeadAsync() > total, "the log should have gaps from the rollbacks");
        Assert.Equal(total, await CountAsync(seen.Table));
        Assert.Equal(0, await MismatchAsync(seen.Table));
    }

    [Fact]
    public async Task The_daemon_waits_at_a_gap_a_running_transaction_holds_past_the_stale_threshold_and_applies_it_when_it_commits()
    {
        // Protects: a sequence number taken by a transaction that is still running is not taken
        // for a rolled-back one once StaleSequenceThreshold has passed (the event would be lost).
        var seen = new SeenProjection();
        var store = await SeenStoreAsync(seen);
        var log = new LogCapture(TestDatabase.DaemonLog());
        await StartDaemonAsync(store, log);
        Assert.True(await AppendAsync("first"));
        await using var holder = await _db.DataSource.OpenConnectionAsync();
        await ExecuteAsync(holder, $"select pg_advisory_lock({HoldKey}, {HoldKey})");
        var held = AppendAsync("HOLD-commits-late");
        await WaitUntilAsync(async () => await WaitingOnLocksAsync() == 1, "the held append waits with number 2 taken");
        Assert.True(await AppendAsync("after-the-held-one"));
        Assert.Equal(3, await HeadAsync());

        // The daemon's own word that it looked at the gap after the threshold (1 s, the server's) and held
        // (or its moving past the gap, which the assertion then reports).
        await WaitUntilAsync(async () => log.Saw("holding before the sequence gap above 1") || await PositionAsync(seen.Shard) > 1,
            "the daemon holds before the gap above 1");
        await WaitUntilAsync(async () => await PositionAsync(seen.Shard) >= 1, "event 1 applied");
        Assert.Equal(1, await PositionAsync(seen.Shard));
        Assert.Equal([1L], (await SeqsAsync(seen.Table)).AsEnumerable());

        await ExecuteAsync(holder, $"select pg_advisory_unlock({HoldKey}, {HoldKey})");
        Assert.True(await held);
        await CaughtUpAsync(store);
        Assert.Equal([1L, 2L, 3L], (await SeqsAsync(seen.Table)).AsEnumerable());
    }

    [Fact]
    public async Task A_gap_left_by_a_rollback_is_passed_and_so_is_one_whose_transaction_rolled_back_while_the_daemon_held_before_it()
    {
        // Protects: the daemon does not stop for good at a number that will never be filled,
        // whether the append had rolled back before the daemon saw the gap or while it waited.
        var seen = new SeenProjection();
        var store = await SeenStoreAsync(seen);
        var log = new LogCapture(TestDatabase.DaemonLog());
        await StartDaemonAsync(store, log);
        Assert.False(await AppendAsync("FAIL-now"));
        Assert.True(await AppendAsync("next"));
        await CaughtUpAsync(store);
        Assert.Equal([2L], (await SeqsAsync(seen.Table)).AsEnumerable());

        await using var holder = await _db.DataSource.OpenConnectionAsync();
        await ExecuteAsync(holder, $"select pg_advisory_lock({HoldKey}, {HoldKey})");
        var failing = AppendAsync("HOLD-then-FAIL");
        await WaitUntilAsync(async () => await WaitingOnLocksAsync() == 1, "the held append waits with number 3 taken");
        Assert.True(await AppendAsync("after-the-failing-one"));
        await WaitUntilAsync(async () => log.Saw("holding before the sequence gap above 2") || await PositionAsync(seen.Shard) > 2,
            "the daemon holds before the gap above 2");
        Assert.Equal(2, await PositionAsync(seen.Shard));

        await ExecuteAsync(holder, $"select pg_advisory_unlock({HoldKey}, {HoldKey})");
        Assert.False(await failing);
        await CaughtUpAsync(store);
        Assert.Equal(4, await PositionAsync(seen.Shard));
        Assert.Equal([2L, 4L], (await SeqsAsync(seen.Table)).AsEnumerable());
    }

    [Fact]
    public async Task A_daemon_stopped_in_the_middle_of_a_page_loses_nothing_and_applies_nothing_twice_when_another_starts()
    {
        // Protects: a page's rows and the daemon's progress commit together, so a daemon that
        // dies mid-page leaves neither, and the next one starts exactly where the last commit was.
        await AppendManyAsync(0, 400);
        var first = new SeenProjection(batchSize: 50);
        var pages = 0;
        var inThirdPage = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        first.BeforePage = async (_, ct) =>
        {
            if (Interlocked.Increment(ref pages) < 3) return;
            inThirdPage.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        };
        var daemon = await StartDaemonAsync(await SeenStoreAsync(first, "daemon-1"));
        await inThirdPage.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await WaitUntilAsync(async () => await PositionAsync(first.Shard) > 0, "the first daemon commits a page");
        // Disposed without draining: the page in hand is dropped, as in a process that dies.
        daemon.Dispose();
        var (rows, position) = await RowsAndPositionAsync(first);
        Assert.Equal(position, rows);
        Assert.InRange(position, 1, 399);

        var second = new SeenProjection(batchSize: 50);
        var store = await SeenStoreAsync(second, "daemon-2");
        await StartDaemonAsync(store);
        await AppendManyAsync(400, 700);
        await CaughtUpAsync(store);
        Assert.Equal(700, await CountAsync(second.Table));
        Assert.Equal(0, await MismatchAsync(second.Table));
    }

    [Fact]
    public async Task Of_two_hot_cold_hosts_only_one_applies_and_the_other_takes_over_when_it_stops_with_nothing_lost_or_doubled()
    {
        // Protects: HotCold ownership: one process applies a shard at a time (two would apply
        // events twice), and the shard goes on in the other when the owner goes, under load.
        var shard = new SeenProjection().Shard;
        var table = new SeenProjection().Table;
        var a = await StartHostAsync("daemon-a");
        var aStore = a.Services.GetRequiredService<IDocumentStore>();
        await WaitUntilAsync(async () => await OwnerAsync(aStore, shard) == "daemon-a", "host a owns the shard");
        var b = await StartHostAsync("daemon-b");
        var bStore = b.Services.GetRequiredService<IDocumentStore>();

        await AppendManyAsync(0, 200);
        await CaughtUpAsync(aStore);
        Assert.Equal("daemon-a", await OwnerAsync(aStore, shard));
        Assert.Single(Running(a));
        Assert.Empty(Running(b));
        Assert.Equal(200, await CountAsync(table));

        using var load = new CancellationTokenSource();
        var appended = 200;
        var writer = Task.Run(async () =>
        {
            while (!load.IsCancellationRequested)
            {
                if (await AppendAsync($"J{appended}")) Interlocked.Increment(ref appended);
            }
        });
        await a.StopAsync();
        await WaitUntilAsync(async () => await OwnerAsync(bStore, shard) == "daemon-b", "host b takes the shard over");
        // B applies events appended after the takeover, not only the backlog.
        var takenOverAt = await HeadAsync();
        await WaitUntilAsync(async () => await PositionAsync(shard) > takenOverAt, "host b applies new events");
        await load.CancelAsync();
        await writer;

        await CaughtUpAsync(bStore);
        Assert.Single(Running(b));
        Assert.Equal(appended, await CountAsync(table));
        Assert.Equal(0, await MismatchAsync(table));
    }

    [Fact]
    public async Task An_event_the_queue_board_cannot_apply_is_a_dead_letter_the_board_goes_on_and_after_the_fix_a_replay_folds_the_case_anew()
    {
        // Protects: one bad event stops neither other cases nor another municipality; the
        // operators see it (status, dead letters); a replay after the fix mends the case's rows
        // and clears the letter, while one before the fix keeps it.
        _board.FailOn = e => e.Data is RenewalEvent.ArrivedAtOffice { TicketNumber: "BAD" };
        var admin = new ProjectionAdmin(_db.Store, _db.DataSource, _db.Models);
        var daemon = await StartDaemonAsync(_db.Store);
        var (good, bad, later, elsewhere) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await _db.AppendAsync("saku", good, [Opened(), Arrived("A-1")]);
        await _db.AppendAsync("saku", bad, [Opened(), Arrived("BAD"), Called("1番窓口")]);
        await _db.AppendAsync("saku", later, [Opened(), Arrived("A-2")]);
        await _db.AppendAsync("takatsuki", elsewhere, [Opened(), Arrived("T-1")]);
        var badSeq = await _db.ScalarAsync<long>("select seq_id from cases.mt_events where data->>'ticketNumber' = 'BAD'");

        await CaughtUpAsync(_db.Store);
        await WaitUntilAsync(async () => (await admin.StatusAsync()).Single(s => s.Name == _board.Name).DeadLetters == 1, "the letter is stored");
        var status = (await admin.StatusAsync()).ToDictionary(s => s.Name);
        Assert.Equal(await HeadAsync(), status[_board.Name].Position);
        Assert.Equal("running", status[_board.Name].State);
        Assert.Equal(0, status[ReadModelsOfStore.CaseViewsName].DeadLetters);
        var letter = Assert.Single(await admin.DeadLettersAsync(_board.Name));
        Assert.Equal<(long, string?, Guid?, string?)>((badSeq, "saku", bad, "ArrivedAtOffice"), (letter.Sequence, letter.Municipality, letter.CaseId, letter.EventType));
        Assert.Contains($"refuses event {badSeq}", letter.Error);
        Assert.Equal("A-1@saku,A-2@saku,T-1@takatsuki", await _db.ScalarAsync<string>(
            $"select string_agg(ticket || '@' || municipality, ',' order by ticket) from {_board.Tickets} where ticket is not null"));
        // The bad case's call went on without its arrival: a ticket of its own, with no number.
        Assert.Equal("-@1番窓口", await TicketsOfAsync(bad));

        // As ProjectionControl does it: the shard stopped while its cases are folded anew.
        await daemon.StopAgentAsync(_board.Shard.Identity);
        await Assert.ThrowsAsync<InvalidOperationException>(() => admin.ReplayDeadLettersAsync(_board.Name));
        Assert.Single(await admin.DeadLettersAsync(_board.Name));
        _board.FailOn = _ => false;
        Assert.Equal(1, await admin.ReplayDeadLettersAsync(_board.Name));
        await daemon.StartAgentAsync(_board.Shard.Identity, CancellationToken.None);

        Assert.Empty(await admin.DeadLettersAsync(_board.Name));
        Assert.Equal(0, (await admin.StatusAsync()).Single(s => s.Name == _board.Name).DeadLetters);
        Assert.Equal("BAD@1番窓口", await TicketsOfAsync(bad));
        // The daemon goes on from the mended rows.
        await _db.AppendAsync("saku", bad, [Called("2番窓口")]);
        await CaughtUpAsync(_db.Store);
        Assert.Equal("BAD@2番窓口", await TicketsOfAsync(bad));
        Assert.Equal("A-1@1", await _db.ScalarAsync<string>(
            $"select string_agg(ticket || '@' || number, ',') from {_board.Tickets} where case_id = $1", good));
    }

    [Fact]
    public async Task A_new_version_of_the_read_models_is_built_from_the_start_of_the_log_beside_the_serving_one_whose_tables_stay()
    {
        // Protects: Marten's blue/green: the next version (schema *_v{n+1}, shard name:V{n+1}:All) is built from
        // event 1 in its own tables while the serving version keeps serving and stays whole; both agree.
        await StartDaemonAsync(_db.Store);
        for (var i = 0; i < 30; i++) await _db.AppendAsync(i % 3 == 0 ? "takatsuki" : "saku", Guid.NewGuid(), [Opened(), Arrived($"A-{i}")]);
        await CaughtUpAsync(_db.Store);

        // The case views' members take their group's version: all three move to the next one together.
        var views = _db.Models.CaseViews.Version + 1;
        var v2 = new ReadModelsOfStore(new QueueBoardProjection(_db.Models.QueueBoard.Version + 1), new CaseFinderProjection(views), new RenewalReportProjection(views),
            new WorklistsProjection(views));
        var v2Store = DocumentStore.For(o =>
        {
            CaseStore.Configure(o, _db.ConnectionString);
            v2.Configure(o);
        });
        _disposables.Add(v2Store);
        await v2Store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await StartDaemonAsync(v2Store);
        for (var i = 30; i < 40; i++) await _db.AppendAsync("saku", Guid.NewGuid(), [Opened(), Arrived($"A-{i}")]);
        await CaughtUpAsync(_db.Store);
        await CaughtUpAsync(v2Store);

        var head = await HeadAsync();
        foreach (var (old, next) in _db.Models.All.Zip(v2.All))
        {
            Assert.Equal($"{old.Name}:V{old.Version + 1}:All", next.Shard.Identity);
            Assert.Equal(head, await PositionAsync(old.Shard));
            Assert.Equal(head, await PositionAsync(next.Shard));
            foreach (var (oldTable, nextTable) in old.Tables.Zip(next.Tables))
            {
                // Each table, a group's members' too, in its read model's schema of the next version.
                Assert.Equal(oldTable.Identifier.Schema.Replace($"_v{old.Version}", $"_v{old.Version + 1}"), nextTable.Identifier.Schema);
                var (v1Name, v2Name) = (oldTable.Identifier.QualifiedName, nextTable.Identifier.QualifiedName);
                Assert.True(await CountAsync(v1Name) > 0 || v1Name.EndsWith("inquiries") || v1Name.EndsWith("reservations"), $"{v1Name} is empty");
                Assert.Equal(await CountAsync(v1Name), await CountAsync(v2Name));
                Assert.Equal(0, await _db.ScalarAsync<long>(
                    $"select count(*) from ((select t::text from {v1Name} t except all select t::text from {v2Name} t) " +
                    $"union all (select t::text from {v2Name} t except all select t::text from {v1Name} t)) d"));
            }
        }
        Assert.Equal(40, await CountAsync(_board.Tickets));
        Assert.All(await new ProjectionAdmin(v2Store, _db.DataSource, v2).StatusAsync(),
            s => Assert.Equal((v2.All.Single(m => m.Name == s.Name).Version, head), (s.Version, s.Position)));
    }
}
