using CaseSystem.Cases.Auth.Members;
using CaseSystem.Cases.Api;
using CaseSystem.Cases.Api.Validation;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Health;
using CaseSystem.Cases.Telemetry;
using CaseSystem.Cases.Policies;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Store;
using CaseSystem.Cases.Store.HashChain;
using CaseSystem.Cases.Timers;
using JasperFx;
using JasperFx.Resources;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Npgsql;
using Wolverine;
using Wolverine.ErrorHandling;
using Wolverine.Http;
using Wolverine.Marten;

namespace CaseSystem.Cases;

public static class CasesModule
{
    /// <summary>
    /// The event store (Marten) on the database named by CASES_DB (an Npgsql connection string),
    /// Wolverine with its HTTP endpoints, and the case API's services.
    /// </summary>
    public static IServiceCollection AddCases(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration["CASES_DB"];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "CASES_DB is not set. Start the system with ops/run, which starts a private PostgreSQL, " +
                "or set CASES_DB to an Npgsql connection string (Host=…;Port=…;Username=…;Password=…;Database=…).");
        }
        // The five policy profiles are read and validated now, so a broken one stops the start
        // with its file and field named instead of failing the first request of that municipality.
        _ = MunicipalPolicies.All;

        // CASES_CLOCK_OFFSET: a server living at another time, for the demo, rehearsals and the tests
        // with real processes (ShiftedClock), in demo mode only (DemoMode); registered before anything
        // that falls back on the system clock. A clock registered already (the in-process tests') wins.
        if (Demo.DemoMode.Clock(configuration, TimeProvider.System.GetUtcNow()) is { } shifted && !services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton<TimeProvider>(shifted);
            services.AddSingleton(shifted);
            services.AddHostedService<ShiftedClockWarning>();
        }
        if (Demo.DemoMode.Seeds(configuration)) services.AddHostedService<Demo.DemoSeed>();

        // Our own queries (read models, the view log, the chain verifier) share the database.
        services.AddSingleton(_ => CaseStore.DataSource(connectionString));
        services.AddMarten(_ =>
            {
                var options = new StoreOptions();
                CaseStore.Configure(options, connectionString);
                // Marten's connection spans and its counter of appended events (by event type and tenant, the
                // municipality: no personal data) on its "Marten" source and meter (TelemetryModule listens).
                options.OpenTelemetry.TrackConnections = JasperFx.OpenTelemetry.TrackLevel.Normal;
                options.OpenTelemetry.TrackEventCounters();
                return options;
            })
            .UseLightweightSessions()
            .IntegrateWithWolverine()
            // The read models' projections run in Marten's async daemon, HotCold: each shard is
            // run by the one process that holds its lock, and another takes it over when that
            // process dies. CASES_PROJECTIONS=off makes a process that only serves.
            .AddAsyncDaemon(RunsProjections(configuration) ? DaemonMode.HotCold : DaemonMode.Disabled)
            // Schema changes are applied at start-up under Marten's lock (one migration story for
            // Marten's, Wolverine's and our tables); `db-patch` prints what a change would run.
            .ApplyAllDatabaseChangesOnStartup();

        services.AddWolverine(opts =>
        {
            opts.ApplicationAssembly = typeof(CasesModule).Assembly;
            opts.Policies.AutoApplyTransactions();
            // The timers are scheduled messages to a local queue: durable, so that they are stored
            // with the events that set them and survive any process.
            opts.Policies.UseDurableLocalQueues();
            // Due timers are looked for twice a second (Wolverine's default is every 5 s, first
            // after a random 0.5–5 s; ../shared/critter.md pitfall 11), so one fires within about
            // a second of its time while a process is up.
            opts.Durability.ScheduledJobPollingTime = TimeSpan.FromMilliseconds(500);
            opts.Durability.ScheduledJobFirstExecution = TimeSpan.Zero;
            // A process killed (kill -9, a crash) while firing leaves the due timers it had taken,
            // and Wolverine's durability agent if it ran it, until another process finds it dead and
            // ejects it, which releases them. Wolverine's defaults (a heartbeat every 10 s, dead after
            // 60 s, ejected at the second look) left such timers 77 s late (TimerProcessTests); a
            // heartbeat every second and dead after 5 s without one make it a few seconds. A live
            // process ejected by mistake (starved for 5 s) re-registers at its next heartbeat, and what
            // it was firing, fired again, is decided again to nothing. Needs the servers' clocks
            // within a second or two of the database's (the heartbeat is the database's now()).
            opts.Durability.HealthCheckPollingTime = TimeSpan.FromSeconds(1);
            opts.Durability.StaleNodeTimeout = TimeSpan.FromSeconds(5);
            // A timer or a notice that lost a race with a clerk's command on the same case is decided again on the fresh case.
            opts.OnException<ConcurrencyException>().RetryWithCooldown(
                TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1));
            opts.Durability.EnableDeduplicatedResponses = true;
            // A station's outbox may hold an observation over a weekend's outage.
            opts.Durability.DeduplicationWindow = TimeSpan.FromDays(30);
            // The handlers' code is generated ahead (ops/codegen writes src/Cases/Internal/Generated)
            // and compiled in: no Roslyn at run time, and no first-request compile (../shared/critter.md §9).
            opts.CodeGeneration.TypeLoadMode = JasperFx.CodeGeneration.TypeLoadMode.Static;
        });
        services.AddWolverineHttp();
        // Wolverine migrates its own tables at start-up (AutoBuildMessageStorageOnStartup) and
        // Marten its own (ApplyAllDatabaseChangesOnStartup, above), each under its lock. JasperFx's
        // AddResourceSetupOnStartup would compare both schemas a second time: 1.1 s of every
        // start (ops/run, 2026-12-02).

        services.AddAnchoring(configuration);
        services.AddSingleton(sp => new ChainVerifier(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<AnchorLedger>()));
        services.AddSingleton<IntegrityScans>();
        // The embedded staff directory and the server-side sessions (issue 14).
        services.AddSingleton(sp => new StaffDirectory(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new StaffSessions(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<CaseViewLog>();
        services.AddStaffAuthentication(configuration);
        // Wolverine logs a body it could not read as an error, under the request type's name, with
        // System.Text.Json's message (which can quote the body): the client's 400 names the field;
        // the error log is kept for the server's own faults.
        services.AddLogging(b =>
        {
            foreach (var type in RequestValidationPolicy.RequestTypes) b.AddFilter(type.FullName, LogLevel.None);
        });
        services.TryAddSingleton(TimeProvider.System);
        // Enums by name only, no unknown or missing fields, numbers as numbers (Api/Validation/StrictJson).
        services.ConfigureHttpJsonOptions(o => StrictJson.Configure(o.SerializerOptions));
        // A body that does not bind raises, so the exception handler answers it as a problem.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddOpenApi(o =>
        {
            Api.OpenApi.OpenApiContract.Configure(o);
            o.AddSchemaTransformer(RequestSchemas.TransformAsync);
        });
        services.AddProblemDetails(o => o.CustomizeProblemDetails = Problems.Customize);
        // A reverse proxy on the same host (nginx, IIS ARR) is taken at its word about the client's
        // address and scheme, and only such a proxy: ASP.NET Core trusts forwarded headers from
        // loopback peers alone by default. Without it every request behind the proxy came from
        // loopback (/metrics open to all, one sign-in allowance for the whole municipality) and over
        // plain HTTP (the session cookie without Secure). A client elsewhere cannot pretend.
        services.Configure<Microsoft.AspNetCore.Builder.ForwardedHeadersOptions>(o =>
            o.ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto);
        services.AddExceptionHandler<ProblemDetailsExceptionHandler>();
        services.AddCaseHealth();
        services.AddCaseTelemetry(configuration);
        return services;
    }

    /// <summary>
    /// The anchors of the hash chain (CASES_ANCHOR_KEY, CASES_ANCHOR_LOG, CASES_ANCHOR_EVERY): the
    /// key is read (or made) now, so that a wrong one stops the start naming the file. Without
    /// both, nothing is anchored and a warning says so at start-up.
    /// </summary>
    private static void AddAnchoring(this IServiceCollection services, IConfiguration configuration)
    {
        var options = AnchorOptions.From(configuration);
        services.AddSingleton(options);
        if (options.Configured)
        {
            services.AddSingleton(new AnchorLedger(new FileAnchorLog(options.LogPath!), AnchorKey.LoadOrCreate(options.KeyPath!)));
            services.AddHostedService<AnchorSchedule>();
        }
        else
        {
            services.AddSingleton(AnchorLedger.Unconfigured);
            services.AddHostedService<AnchorOffWarning>();
        }
        services.AddSingleton<Anchorer>();
    }

    /// <summary>Whether this process takes part in running the projections (CASES_PROJECTIONS is not "off").</summary>
    public static bool RunsProjections(IConfiguration configuration) =>
        !string.Equals(configuration["CASES_PROJECTIONS"], "off", StringComparison.OrdinalIgnoreCase);

    public static WebApplication MapCases(this WebApplication app)
    {
        app.UseForwardedHeaders();
        // Before the pipeline, so that it sees the empty 404/405/415 answers after everything else ran.
        app.UseApiStatusProblems();
        app.UseCaseHttpPipeline();
        app.MapOpenApi("/openapi/v1.json");
        app.MapCaseHealth();
        app.MapCaseTelemetry();

        app.MapWolverineEndpoints(opts =>
        {
            opts.TenantId.IsRouteArgumentNamed("municipality");
            opts.ApplyCorrelationIdHeaderToAllEndpoints = true;
            // Every command's body is validated before the case is loaded; a refusal is a 400 problem.
            opts.AddPolicy<RequestValidationPolicy>();
        });

        var tenant = app.MapGroup("/api/{municipality}").AddEndpointFilter(Municipalities.RequireKnown);
        tenant.MapCaseEndpoints();
        tenant.MapStaffDirectory();
        tenant.MapIntegrityEndpoints();
        return app;
    }
}
