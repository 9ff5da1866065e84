using CaseSystem.Projections.CaseFinder;
using CaseSystem.Projections.QueueBoard;
using CaseSystem.Projections.RenewalRates;
using CaseSystem.Projections.Worklists;
using JasperFx.Events.Projections;
using Marten;

namespace CaseSystem.Projections.Daemon;

/// <summary>The read models Marten's async daemon runs, and how the store is set up to run them.</summary>
public sealed class ReadModels(QueueBoardProjection queueBoard, CaseFinderProjection caseFinder, RenewalReportProjection renewalReport,
    WorklistsProjection? worklists = null)
{
    public ReadModels() : this(new QueueBoardProjection(), new CaseFinderProjection(), new RenewalReportProjection(), new WorklistsProjection())
    {
    }

    public QueueBoardProjection QueueBoard { get; } = queueBoard;
    public CaseFinderProjection CaseFinder { get; } = caseFinder;
    public RenewalReportProjection RenewalReport { get; } = renewalReport;
    public WorklistsProjection Worklists { get; } = worklists ?? new WorklistsProjection();

    /// <summary>
    /// The three read models that fold every case's notice and visits, run as one projection over
    /// one reading of the log (issue 12); the queue board reads other events and runs on its own.
    /// </summary>
    public ReadModelGroup CaseViews => _caseViews ??= new ReadModelGroup(CaseViewsName, CaseFinder.Version, CaseFinder, RenewalReport, Worklists);

    private ReadModelGroup? _caseViews;

    public const string CaseViewsName = "case-views";

    /// <summary>What the daemon runs and the operators act on: a shard each.</summary>
    public IReadOnlyList<IReadModel> All => [QueueBoard, CaseViews];

    /// <summary>A read model by its name; a member of a group by its own name is its group.</summary>
    public IReadModel? Named(string name) =>
        All.FirstOrDefault(m => m.Name == name) ?? (CaseViews.Members.Any(m => m.Name == name) ? CaseViews : null);

    /// <summary>
    /// Registers every read model as an async projection, with its tables in the store's schema
    /// (Weasel creates and migrates them with Marten's own), and sets the daemon up.
    /// </summary>
    public void Configure(StoreOptions opts)
    {
        foreach (var model in All) Register(opts, model);
        ConfigureDaemon(opts);
    }

    /// <summary>One read model as an async projection, its tables in the store's schema.</summary>
    public static void Register(StoreOptions opts, IReadModel model)
    {
        foreach (var table in model.Tables)
        {
            opts.Storage.ExtendedSchemaObjects.Add(table);
            // Marten's rebuild empties the tables before it replays the log into them.
            ((ProjectionBase)model).Options.DeleteDataInTableOnTeardown(table.Identifier.QualifiedName);
        }
        opts.Projections.Add(model, ProjectionLifecycle.Async);
    }

    /// <summary>How the daemon runs any projection of the store (the tests run theirs under the same settings).</summary>
    public static void ConfigureDaemon(StoreOptions opts)
    {
        // The daemon wakes on every append (pg_notify from the appending transaction) instead of
        // waiting for its next poll: a command's effect reaches the board in milliseconds.
        opts.Events.UseListenNotifyForEventAppends = true;
        // Marten's listener drops a notification that arrives while the high-water agent is reading
        // the log (PostgresqlListenWakeup empties its signal before it waits), and the agent then
        // sleeps its full polling time. ops/bench freshness, 1000 commands, 2026-12-02 (load average
        // about 6 on 2 cores): Marten's 250 ms / 1 s: p50 14 ms, p99 1024 ms; 100 ms: p50 12.6 ms,
        // p99 120.6 ms; 50 ms (with the page loads by key): p50 16.0 ms, p99 77.3 ms, none over 100 ms
        // at a load average of 5.8. Polling every 50 ms costs the owning process twenty small
        // queries a second when idle.
        opts.Projections.FastPollingTime = TimeSpan.FromMilliseconds(50);
        opts.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(50);
        // Each shard's state, pause reason and failing event in mt_event_progression, so that
        // every process (and ops/projections) sees what the owning process's daemon is doing.
        opts.Events.EnableExtendedProgressionTracking = true;
        // A process waiting to take over tries for each shard's lock every second (Marten's
        // default is 5 s): the goal is an owner again within 2 s of the last one's death (issue 11).
        opts.Projections.LeadershipPollingTime = 1000;
        // A shard that fails on something other than an event (PostgreSQL restarting, a connection
        // reset) is paused, and the daemon starts it again once it has been paused this long; with
        // Marten's 5 s every read model stood still for about 5 s after PostgreSQL was back (ops/chaos,
        // 2026-12-03). A shard that fails again at once is paused again: a second between tries.
        opts.Projections.HealthCheckPollingTime = TimeSpan.FromSeconds(1);
        // A gap in the log that no live transaction can fill any more (appends rolled back when
        // PostgreSQL restarted or a server process was killed mid-append) is passed once it is this
        // old; before, the read models wait at it. Marten's default, 3 s, held every read model 3 s at
        // such a gap after a fast restart of PostgreSQL under load (ops/chaos, 2026-12-03, load average
        // 12–17 on 2 cores; 4.4–5.1 s behind in all), against issue 14's goal of 5 s. Marten fills
        // most such gaps with tombstones at once, but not those of a killed process, nor while the
        // database is still down. Shorter is safe here: Marten looks at the
        // gap's transactions before it passes (UseTransactionEvidenceForGapSkipping, 9.59's default)
        // and holds at a gap a live transaction may still fill, however old (no
        // SkipStaleGapsDespiteLiveTransactionsAfter). Lost races burn no number (CaseStore), so a gap
        // this old is rare and the extra look costs little (tests/Projections.Tests/Daemon/DaemonTests).
        opts.Projections.StaleSequenceThreshold = TimeSpan.FromSeconds(1);
        // An event a read model cannot apply is set aside as a dead letter, live and in a rebuild
        // alike; it never stops the read model for other cases (issue 11).
        opts.Projections.Errors.SkipApplyErrors = true;
        opts.Projections.RebuildErrors.SkipApplyErrors = true;
    }
}
