using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Store;
using CaseSystem.Cases.Tests.Support;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CaseSystem.Projections.Tests.Daemon;

/// <summary>The daemon tests' stores, daemons, hosts, appends and reads of the log and the progression.</summary>
public sealed partial class DaemonTests
{
    private static RenewalEvent Opened() => new RenewalEvent.CaseOpenedAtCounter(
        new Holder("佐藤 一郎", "サトウ イチロウ", new DateOnly(1980, 6, 15), "長野県佐久市"), new CertificateDates(new DateOnly(2026, 6, 15), null), "shimin-ka", At);

    private static RenewalEvent Arrived(string ticket) => new RenewalEvent.ArrivedAtOffice("shimin-ka", ticket, At.AddMinutes(5));

    private static RenewalEvent Called(string counter) => new RenewalEvent.CalledToCounter("shimin-ka", counter, "clerk-1", At.AddMinutes(10));

    /// <summary>A store that runs only the test projection, under the server's daemon settings, its sessions named <paramref name="process"/>.</summary>
    private async Task<DocumentStore> SeenStoreAsync(SeenProjection seen, string process = "daemon-test")
    {
        var store = DocumentStore.For(o => ConfigureSeen(o, seen, process));
        _disposables.Add(store);
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        return store;
    }

    private void ConfigureSeen(StoreOptions options, SeenProjection seen, string process)
    {
        CaseStore.Configure(options, new NpgsqlConnectionStringBuilder(_db.ConnectionString) { ApplicationName = process }.ConnectionString);
        // With the server's daemon settings (ReadModels.ConfigureDaemon, by Register), its stale-gap
        // threshold among them: these tests show it passes a rollback's gap and holds before a live one.
        seen.Register(options);
    }

    private async Task<IProjectionDaemon> StartDaemonAsync(IDocumentStore store, ILogger? log = null)
    {
        var daemon = await store.BuildProjectionDaemonAsync(logger: log ?? TestDatabase.DaemonLog());
        _disposables.Add(daemon);
        await daemon.StartAllAsync();
        return daemon;
    }

    /// <summary>A process as the server runs the daemon (HotCold), with only the test projection.</summary>
    private async Task<IHost> StartHostAsync(string process)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        if (TestDatabase.DaemonLog() is not null) builder.Logging.AddSimpleConsole();
        var seen = new SeenProjection();
        builder.Services.AddMarten(o => ConfigureSeen(o, seen, process)).AddAsyncDaemon(DaemonMode.HotCold).ApplyAllDatabaseChangesOnStartup();
        var host = builder.Build();
        _hosts.Add(host);
        await host.StartAsync();
        return host;
    }

    private static IReadOnlyList<ISubscriptionAgent> Running(IHost host) =>
        [.. host.Services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase().CurrentAgents().Where(a => a.Status == JasperFx.AgentStatus.Running)];

    /// <summary>The application name of the session holding the shard's HotCold lock (as ProjectionAdmin finds the owner), or null.</summary>
    private async Task<string?> OwnerAsync(IDocumentStore store, ShardName shard)
    {
        var lockId = ProjectionLockIds.Compute(store.Options.Events.DatabaseSchemaName, shard, ((StoreOptions)store.Options).Projections.DaemonLockId);
        var owner = await _db.ScalarAsync<string>("""
            select coalesce((select a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid
                where l.locktype = 'advisory' and l.granted and l.classid = 0 and l.objsubid = 1 and l.objid = $1::oid
                  and l.database = (select oid from pg_database where datname = current_database()) limit 1), '')
            """, (long)lockId);
        return owner.Length == 0 ? null : owner;
    }

    /// <summary>
    /// Appends one arrival through Marten: to a new stream, or to the given one at the version just
    /// read (as the command endpoints do), so that concurrent appends to it race on the version and
    /// the losers roll back. False when the append rolled back.
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
        catch (Exception e) when (Injected(e) || e is JasperFx.ConcurrencyException or Marten.Exceptions.ExistingStreamIdCollisionException
            or JasperFx.Events.ExistingStreamIdCollisionException)
        {
            return false;
        }
    }

    private async Task AppendManyAsync(int from, int to) =>
        await Parallel.ForEachAsync(Enumerable.Range(from, to - from), new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (i, _) => Assert.True(await AppendAsync($"J{i}")));

    /// <summary>The jitter trigger's injected rollback, however Marten wraps it.</summary>
    private static bool Injected(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is PostgresException { MessageText: "injected rollback" }) return true;
        }
        return false;
    }

    /// <summary>Waits until the store's shards have reached the head of the log; on a timeout, says where each one stands.</summary>
    private async Task CaughtUpAsync(IDocumentStore store)
    {
        try
        {
            await _db.CaughtUpAsync(store, TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException e)
        {
            var progress = await _db.ScalarAsync<string>(
                "select coalesce(string_agg(format('%s at %s, %s %s', name, last_seq_id, agent_status, pause_reason), '; '), 'none') from cases.mt_event_progression");
            throw new TimeoutException($"{e.Message} (progression: {progress})", e);
        }
    }

    private Task<long> HeadAsync() => _db.ScalarAsync<long>("select coalesce(max(seq_id), 0) from cases.mt_events");

    private Task<long> PositionAsync(ShardName shard) =>
        _db.ScalarAsync<long>("select coalesce((select last_seq_id from cases.mt_event_progression where name = $1), 0)", shard.Identity);

    private Task<long> CountAsync(string table) => _db.ScalarAsync<long>($"select count(*) from {table}");

    private async Task<long[]> SeqsAsync(string table) =>
        await _db.ScalarAsync<long[]>($"select coalesce(array_agg(seq order by seq), '{{}}') from {table}");

    /// <summary>The test projection's rows and its shard's position, read in one snapshot.</summary>
    private async Task<(long Rows, long Position)> RowsAndPositionAsync(SeenProjection seen)
    {
        var both = await _db.ScalarAsync<long[]>(
            $"select array[(select count(*) from {seen.Table}), coalesce((select last_seq_id from cases.mt_event_progression where name = $1), 0)]",
            seen.Shard.Identity);
        return (both[0], both[1]);
    }

    /// <summary>Events in the log that the table lacks, plus rows it has that the log lacks.</summary>
    private Task<long> MismatchAsync(string table) => _db.ScalarAsync<long>(
        $"select count(*) from {table} s full join cases.mt_events e on e.seq_id = s.seq where s.seq is null or e.seq_id is null");

    private Task<string> TicketsOfAsync(Guid caseId) => _db.ScalarAsync<string>(
        $"select coalesce(string_agg(coalesce(ticket, '-') || '@' || coalesce(counter, '-'), ',' order by number), '') from {_board.Tickets} where case_id = $1",
        caseId);

    /// <summary>Sessions of this test's database waiting on a lock (a row, a key or an advisory lock).</summary>
    private Task<long> WaitingOnLocksAsync() => _db.ScalarAsync<long>(
        "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'");

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var until = DateTimeOffset.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTimeOffset.UtcNow > until) throw new TimeoutException($"not within 30 s: {what}");
            await Task.Delay(20);
        }
    }
}
