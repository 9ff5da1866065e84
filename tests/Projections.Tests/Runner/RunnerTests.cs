using CaseSystem.Cases.EventStore;
using CaseSystem.Cases.Renewal;
using CaseSystem.Projections.Runner;
using CaseSystem.Projections.Tests.Support;
using Marten;
using Marten.Exceptions;
using Npgsql;

namespace CaseSystem.Projections.Tests.Runner;

/// <summary>The runner against a real PostgreSQL, with appends that commit out of sequence order and roll back.</summary>
public sealed class RunnerTests : IAsyncLifetime
{
    private readonly ProjectionsDatabase _db = new();
    private readonly EventTypeRegistry _types = EventTypeRegistry.ForRenewalEvents();
    private static readonly DateTimeOffset At = new(2026, 3, 16, 10, 0, 0, TimeSpan.FromHours(9));
    private const long HoldLock = 4242;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        // Jitter in every append's transaction after its insert (on Marten's mt_events): commits
        // land out of sequence order; tickets named "FAIL…" roll back after taking their numbers;
        // "SLOW…" take 1.5 s; "HOLD…" wait until the test releases advisory lock HoldLock.
        await _db.ExecuteAsync($$"""
            create function public.test_jitter() returns trigger language plpgsql as $$
            begin
              if NEW.data->>'ticketNumber' like 'HOLD%' then perform pg_advisory_xact_lock_shared({{HoldLock}}); end if;
              if NEW.data->>'ticketNumber' like 'SLOW%' then perform pg_sleep(1.5); end if;
              if NEW.data->>'ticketNumber' like '%FAIL%' then raise exception 'injected rollback'; end if;
              if NEW.data->>'ticketNumber' like 'J%' then perform pg_sleep(random() * 0.004); end if;
              return NEW;
            end $$;
            create trigger test_jitter after insert on cases.mt_events for each row execute function public.test_jitter();
            """);
    }

    public Task DisposeAsync() => _db.DisposeAsync();

    private ProjectionDaemon Daemon(params IProjection[] projections) =>
        new(_db.DataSource, _types, projections, new ProjectionOptions
        {
            ElectionInterval = TimeSpan.FromMilliseconds(200),
            PollInterval = TimeSpan.FromMilliseconds(200),
            LiveBatchSize = 50,
            CatchUpBatchSize = 300,
            CatchUpFlushEvents = 1000,
            RetiredGrace = TimeSpan.FromHours(1),
        }, Environment.GetEnvironmentVariable("PROJECTIONS_TEST_LOG") is { } log ? new FileLogger<ProjectionDaemon>(log) : null);

    /// <summary>
    /// Appends one arrival through Marten: to a new stream, or to the given one at the version
    /// just read (as the command endpoints do), so that concurrent appends to it race on the
    /// version and the losers roll back. False when the append rolled back.
    /// </summary>
    private async Task<bool> AppendAsync(string ticket, Guid? stream = null)
    {
        var arrived = new RenewalEvent.ArrivedAtOffice("shimin-ka", ticket, At);
        try
        {
            await using var session = _db.Store.LightweightSession("saku");
            if (stream is { } id && await session.Events.FetchStreamStateAsync(id) is { } state)
            {
                session.Events.Append(id, state.Version + 1, arrived);
            }
            else
            {
                session.Events.StartStream(stream ?? Guid.NewGuid(), arrived);
            }
            await session.SaveChangesAsync();
            return true;
        }
        catch (Exception e) when (Injected(e))
        {
            return false;
        }
        catch (JasperFx.ConcurrencyException)
        {
            return false;
        }
        catch (ExistingStreamIdCollisionException)
        {
            return false;
        }
    }

    /// <summary>The jitter trigger's injected rollback, however Marten wraps it.</summary>
    private static bool Injected(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is Npgsql.PostgresException { MessageText: "injected rollback" }) return true;
        }
        return false;
    }

    private Task<long> HeadAsync() => _db.ScalarAsync<long>("select coalesce(max(seq_id), 0) from cases.mt_events");

    /// <summary>Events in the log that the generation's table lacks, plus rows it has that the log lacks.</summary>
    private Task<long> MismatchAsync(string schema) => _db.ScalarAsync<long>(
        $"select count(*) from {schema}.seen s full join cases.mt_events e on e.seq_id = s.seq where s.seq is null or e.seq_id is null");

    [Fact]
    public async Task Every_committed_event_is_applied_exactly_once_while_appends_commit_out_of_order_and_roll_back()
    {
        var projection = new SeenProjection();
        await using var daemon = Daemon(projection);
        await daemon.StartAsync();

        var committed = 0;
        var rolledBack = 0;
        var random = new Random(7);
        var tickets = Enumerable.Range(0, 1200).Select(i => random.Next(10) == 0 ? $"J{i}-FAIL" : $"J{i}").ToList();
        var contended = Guid.NewGuid();
        await Parallel.ForEachAsync(tickets, new ParallelOptions { MaxDegreeOfParallelism = 12 }, async (ticket, _) =>
        {
            // A share go to one stream, so version races roll back appends too.
            var ok = await AppendAsync(ticket, ticket.EndsWith('7') ? contended : null);
            Interlocked.Increment(ref ok ? ref committed : ref rolledBack);
        });

        var head = await HeadAsync();
        await daemon.WaitForCheckpointAsync(head, TimeSpan.FromSeconds(30));

        var total = await _db.ScalarAsync<long>("select count(*) from cases.mt_events");
        Assert.Equal(committed, total);
        Assert.True(rolledBack > 50, $"only {rolledBack} appends rolled back");
        Assert.True(head > total, "the log should have gaps from the rollbacks");
        Assert.Equal(total, await _db.ScalarAsync<long>("select count(*) from seen.seen"));
        Assert.Equal(0, await MismatchAsync("seen"));
    }

    [Fact]
    public async Task The_reader_waits_at_a_gap_a_running_transaction_holds_and_applies_it_when_it_commits()
    {
        var reader = new LogReader(_db.DataSource, _types);
        Assert.True(await AppendAsync("first"));
        var slow = AppendAsync("SLOW-commits");
        await Task.Delay(300);
        Assert.True(await AppendAsync("after-the-slow-one"));

        var read = await reader.ReadAsync(0, 100, default);
        Assert.Single(read.Events);
        Assert.True(read.WaitingOnGap);
        Assert.Equal(2, reader.WaitingAt);

        Assert.True(await slow);
        read = await reader.ReadAsync(read.Settled, 100, default);
        Assert.Equal(["SLOW-commits", "after-the-slow-one"], read.Events.Select(e => ((RenewalEvent.ArrivedAtOffice)e.Data).TicketNumber));
        Assert.False(read.WaitingOnGap);
    }

    [Fact]
    public async Task The_reader_waits_at_a_gap_held_by_a_transaction_newer_than_every_one_that_has_ended()
    {
        // A snapshot lists only the running transactions older than the newest one that has
        // ended (its xmax is that one's id + 1): one that got its id later is running, yet not
        // listed. Here "older" gets its id, then waits (its stream's row is held by another
        // transaction); "HOLD-newer" gets a later id and takes number 1; "older" then takes
        // number 2 and commits. A snapshot now shows 2, not 1, and no running transaction
        // below its xmax: the gap must still be waited for.
        // (On a cluster where other databases' transactions end meanwhile, xmax moves past
        // "HOLD-newer" and the snapshot lists it: then this passes even against a reader that
        // trusts xmin = xmax. ops/db's private test cluster is quiet enough when this class runs alone.)
        var reader = new LogReader(_db.DataSource, _types);
        var stream = Guid.NewGuid();
        await using var rowHolder = await _db.DataSource.OpenConnectionAsync();
        await using var rowHolderTx = await rowHolder.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand("insert into cases.mt_streams (tenant_id, id, version) values ('saku', $1, 0)", rowHolder, rowHolderTx))
        {
            insert.Parameters.AddWithValue(stream);
            await insert.ExecuteNonQueryAsync();
        }
        await using var lockHolder = await _db.DataSource.OpenConnectionAsync();
        await using (var take = new NpgsqlCommand($"select pg_advisory_lock({HoldLock})", lockHolder))
        {
            await take.ExecuteNonQueryAsync();
        }

        var older = AppendAsync("older", stream);
        await WaitUntilAsync(async () => await WaitingOnLocksAsync() == 1);
        var newer = AppendAsync("HOLD-newer");
        await WaitUntilAsync(async () => await WaitingOnLocksAsync() == 2);
        await rowHolderTx.RollbackAsync();
        Assert.True(await older);
        Assert.Equal(2, await HeadAsync());

        var read = await reader.ReadAsync(0, 100, default);
        Assert.Empty(read.Events);
        Assert.True(read.WaitingOnGap);
        Assert.Equal(1, reader.WaitingAt);

        await using (var release = new NpgsqlCommand($"select pg_advisory_unlock({HoldLock})", lockHolder))
        {
            await release.ExecuteNonQueryAsync();
        }
        Assert.True(await newer);
        read = await reader.ReadAsync(0, 100, default);
        Assert.Equal(["HOLD-newer", "older"], read.Events.Select(e => ((RenewalEvent.ArrivedAtOffice)e.Data).TicketNumber));
        Assert.False(read.WaitingOnGap);
    }

    /// <summary>Sessions of this test's database waiting on a lock (a row, a key or an advisory lock).</summary>
    private Task<long> WaitingOnLocksAsync() => _db.ScalarAsync<long>(
        "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'");

    [Fact]
    public async Task The_reader_passes_a_gap_once_the_transaction_that_held_it_rolled_back()
    {
        var reader = new LogReader(_db.DataSource, _types);
        var slow = AppendAsync("SLOW-FAIL");
        await Task.Delay(300);
        Assert.True(await AppendAsync("after-the-failing-one"));

        var read = await reader.ReadAsync(0, 100, default);
        Assert.Empty(read.Events);
        Assert.True(read.WaitingOnGap);

        Assert.False(await slow);
        read = await reader.ReadAsync(0, 100, default);
        var only = Assert.Single(read.Events);
        Assert.Equal(2, only.Sequence);
        Assert.False(read.WaitingOnGap);
    }

    [Fact]
    public async Task A_gap_left_by_a_rollback_is_passed_once_the_transactions_running_then_have_ended()
    {
        Assert.False(await AppendAsync("FAIL-now"));
        Assert.True(await AppendAsync("next"));
        // Snapshots are cluster-wide: tests in other databases of the same cluster may have a
        // transaction running when the gap is first seen, and the reader rightly waits for it.
        var reader = new LogReader(_db.DataSource, _types);
        var read = await reader.ReadAsync(0, 100, default);
        var until = DateTimeOffset.UtcNow.AddSeconds(10);
        while (read.WaitingOnGap && DateTimeOffset.UtcNow < until)
        {
            await Task.Delay(20);
            read = await reader.ReadAsync(0, 100, default);
        }
        Assert.Equal(2, Assert.Single(read.Events).Sequence);
        Assert.Equal(2, read.Settled);
    }

    [Fact]
    public async Task A_crash_before_the_commit_loses_nothing_and_applies_nothing_twice()
    {
        for (var i = 0; i < 400; i++) Assert.True(await AppendAsync($"J{i}"));
        var projection = new SeenProjection();
        await using (var crashing = Daemon(projection))
        {
            var commits = 0;
            crashing.Fault = _ => ++commits % 3 == 0 ? throw new IOException("the runner died mid-batch") : Task.CompletedTask;
            await crashing.StartAsync();
            for (var i = 400; i < 700; i++) Assert.True(await AppendAsync($"J{i}"));
            await Task.Delay(500);
        }

        await using var restarted = Daemon(projection);
        await restarted.StartAsync();
        for (var i = 700; i < 800; i++) Assert.True(await AppendAsync($"J{i}"));
        await restarted.WaitForCheckpointAsync(await HeadAsync(), TimeSpan.FromSeconds(30));
        Assert.Equal(0, await MismatchAsync("seen"));
        Assert.Equal(800, await _db.ScalarAsync<long>("select count(*) from seen.seen"));
    }

    [Fact]
    public async Task Only_one_of_two_runners_applies_and_the_other_takes_over_when_it_dies()
    {
        var first = Daemon(new SeenProjection());
        await first.StartAsync();
        await WaitUntilAsync(() => first.Owned.Count == 1);
        await using var second = Daemon(new SeenProjection());
        await second.StartAsync();

        for (var i = 0; i < 200; i++) Assert.True(await AppendAsync($"J{i}"));
        await first.WaitForCheckpointAsync(await HeadAsync(), TimeSpan.FromSeconds(30));
        Assert.Empty(second.Owned);

        await first.DisposeAsync();
        var stopped = DateTimeOffset.UtcNow;
        await WaitUntilAsync(() => second.Owned.Count == 1);
        Assert.True(DateTimeOffset.UtcNow - stopped < TimeSpan.FromSeconds(5));

        for (var i = 200; i < 300; i++) Assert.True(await AppendAsync($"J{i}"));
        await second.WaitForCheckpointAsync(await HeadAsync(), TimeSpan.FromSeconds(30));
        Assert.Equal(300, await _db.ScalarAsync<long>("select count(*) from seen.seen"));
        Assert.Equal(0, await MismatchAsync("seen"));
    }

    [Fact]
    public async Task A_pausing_projection_stops_at_the_event_it_cannot_apply_and_the_others_go_on_until_an_operator_resumes_it()
    {
        var pausing = new SeenProjection("pausing") { FailOn = e => e.Data is RenewalEvent.ArrivedAtOffice { TicketNumber: "bad" } };
        var parking = new SeenProjection("parking", FailurePolicy.DeadLetter) { FailOn = pausing.FailOn };
        var healthy = new SeenProjection("healthy");
        await using var daemon = Daemon(pausing, parking, healthy);
        await daemon.StartAsync();
        var admin = new ProjectionAdmin(_db.DataSource, [pausing, parking, healthy]);

        for (var i = 0; i < 10; i++) Assert.True(await AppendAsync($"J{i}"));
        Assert.True(await AppendAsync("bad"));
        for (var i = 10; i < 20; i++) Assert.True(await AppendAsync($"J{i}"));
        var head = await HeadAsync();
        await WaitUntilAsync(async () => (await admin.StatusAsync()).SingleOrDefault(s => s.Name == "healthy")?.Checkpoint == head);
        await WaitUntilAsync(async () => (await admin.StatusAsync()).SingleOrDefault(s => s.Name == "parking")?.Checkpoint == head);

        var status = (await admin.StatusAsync()).ToDictionary(s => s.Name);
        Assert.Equal("paused", status["pausing"].Status);
        Assert.Equal(11, status["pausing"].PausedAt);
        Assert.Equal(10, status["pausing"].Checkpoint);
        Assert.Contains("refuses event 11", status["pausing"].LastError);
        Assert.Equal(11, status["pausing"].LagEvents);
        Assert.Equal("running", status["parking"].Status);
        Assert.Equal(1, status["parking"].DeadLetters);
        Assert.Equal(11, Assert.Single(await admin.DeadLettersAsync("parking")).Sequence);
        Assert.Equal(20, await _db.ScalarAsync<long>("select count(*) from parking.seen"));
        Assert.Equal(21, await _db.ScalarAsync<long>("select count(*) from healthy.seen"));
        Assert.NotNull(status["healthy"].Owner);

        // Resumed without a fix it stops at the same event again; after the fix it goes on.
        Assert.Equal(1, await admin.ResumeAsync("pausing", skip: false));
        await Task.Delay(600);
        Assert.Equal("paused", (await admin.StatusAsync()).Single(s => s.Name == "pausing").Status);
        pausing.FailOn = _ => false;
        Assert.Equal(1, await admin.ResumeAsync("pausing", skip: false));
        await WaitUntilAsync(async () => (await admin.StatusAsync()).Single(s => s.Name == "pausing").Checkpoint == head);
        Assert.Equal(21, await _db.ScalarAsync<long>("select count(*) from pausing.seen"));
    }

    [Fact]
    public async Task Resume_with_skip_parks_the_event_and_goes_on()
    {
        var pausing = new SeenProjection("pausing") { FailOn = e => e.Data is RenewalEvent.ArrivedAtOffice { TicketNumber: "bad" } };
        await using var daemon = Daemon(pausing);
        await daemon.StartAsync();
        var admin = new ProjectionAdmin(_db.DataSource, [pausing]);
        Assert.True(await AppendAsync("J1"));
        Assert.True(await AppendAsync("bad"));
        Assert.True(await AppendAsync("J2"));
        await WaitUntilAsync(async () => (await admin.StatusAsync()).SingleOrDefault()?.Status == "paused");

        await admin.ResumeAsync("pausing", skip: true);
        await WaitUntilAsync(async () => (await admin.StatusAsync()).Single().Checkpoint == 3);
        Assert.Equal(2, await _db.ScalarAsync<long>("select count(*) from pausing.seen"));
        Assert.Equal(2, Assert.Single(await admin.DeadLettersAsync("pausing")).Sequence);
    }

    [Fact]
    public async Task A_rebuild_under_load_serves_the_old_generation_until_the_new_one_takes_over_with_equal_results()
    {
        for (var i = 0; i < 3000; i++) Assert.True(await AppendAsync($"J{i}"));
        var projection = new SeenProjection();
        await using var daemon = Daemon(projection);
        await daemon.StartAsync();
        var admin = new ProjectionAdmin(_db.DataSource, [projection]);
        await daemon.WaitForCheckpointAsync(await HeadAsync(), TimeSpan.FromSeconds(30));

        using var load = new CancellationTokenSource();
        var appended = 3000;
        var writer = Task.Run(async () =>
        {
            while (!load.IsCancellationRequested)
            {
                if (await AppendAsync($"J{appended}")) Interlocked.Increment(ref appended);
            }
        });

        var generation = await admin.RebuildAsync("seen");
        Assert.Equal(2, generation);
        // Until the takeover the views read generation 1, which keeps up with the load.
        var servedWhileBuilding = 0;
        while ((await admin.StatusAsync()).Single(s => s.Generation == 2).State == "building")
        {
            var served = await _db.ScalarAsync<long>("select count(*) from seen.seen");
            var g1 = await _db.ScalarAsync<long>("select count(*) from seen_g1.seen");
            Assert.True(served >= g1 - 5 && served <= g1 + 5 || served == g1);
            servedWhileBuilding++;
            await Task.Delay(20);
        }
        await load.CancelAsync();
        await writer;

        var head = await HeadAsync();
        await daemon.WaitForCheckpointAsync(head, TimeSpan.FromSeconds(30));
        var status = await admin.StatusAsync();
        Assert.Equal("active", status.Single(s => s.Generation == 2).State);
        Assert.Equal("retired", status.Single(s => s.Generation == 1).State);
        Assert.Equal(0, await MismatchAsync("seen_g2"));
        Assert.Equal(0, await MismatchAsync("seen"));
        Assert.Equal(appended, await _db.ScalarAsync<long>("select count(*) from seen.seen"));
        Assert.True(servedWhileBuilding > 0);
    }

    [Fact]
    public async Task A_new_code_version_is_built_beside_the_serving_one_and_takes_over()
    {
        for (var i = 0; i < 500; i++) Assert.True(await AppendAsync($"J{i}"));
        var v1 = new SeenProjection();
        await using (var old = Daemon(v1))
        {
            await old.StartAsync();
            await old.WaitForCheckpointAsync(await HeadAsync(), TimeSpan.FromSeconds(30));
        }
        var v2 = new SeenProjection { Version = 2 };
        await using var upgraded = Daemon(v2);
        await upgraded.StartAsync();
        var admin = new ProjectionAdmin(_db.DataSource, [v2]);
        await WaitUntilAsync(async () => (await admin.StatusAsync()).Any(s => s.CodeVersion == 2 && s.State == "active"));
        Assert.Equal(0, await MismatchAsync("seen"));
        Assert.Equal("retired", (await admin.StatusAsync()).Single(s => s.CodeVersion == 1).State);
    }

    private static async Task WaitUntilAsync(Func<bool> condition) => await WaitUntilAsync(() => Task.FromResult(condition()));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var until = DateTimeOffset.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            if (DateTimeOffset.UtcNow > until) throw new TimeoutException("condition not met within 20 s");
            await Task.Delay(20);
        }
    }
}
