using System.Text.Json.Serialization;
using CaseSystem.Cases.Api;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.EventStore;
using CaseSystem.Cases.Policies;
using CaseSystem.Cases.Renewal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace CaseSystem.Cases;

public static class CasesModule
{
    /// <summary>The event store on the database named by CASES_DB (an Npgsql connection string), its schema, and the case API's services.</summary>
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
        services.AddSingleton(_ => CasesDataSource.Create(connectionString));
        services.AddSingleton(_ => RenewalEvent.RegisterAll(new EventTypeRegistry()));
        services.AddSingleton<AppendNotifier>();
        services.AddSingleton(sp => new PostgresEventStore(
            sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<EventTypeRegistry>(), sp.GetRequiredService<AppendNotifier>()));
        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton<CaseApplication>();
        services.AddSingleton<CaseViewLog>();
        services.AddSingleton<TimerRunner>();
        services.AddSingleton<CaseTimers>();
        services.AddHostedService<CaseTimerService>();
        services.AddStaffAuthentication(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        // A body that does not bind raises, so the exception handler answers it as a problem.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddHostedService<SchemaMigrationService>();
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "CaseSystem API (マイナンバーカード電子証明書更新 案件管理)";
            return Task.CompletedTask;
        }));
        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemDetailsExceptionHandler>();
        return services;
    }

    public static IEndpointRouteBuilder MapCases(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi("/openapi/v1.json");
        app.MapGet("/health", async (NpgsqlDataSource db, CancellationToken ct) =>
        {
            await using var cmd = db.CreateCommand("select 1");
            await cmd.ExecuteScalarAsync(ct);
            return Results.Ok(new { status = "ok" });
        });

        var tenant = app.MapGroup("/api/{municipality}").AddEndpointFilter(Municipalities.RequireKnown);
        tenant.MapGet("/integrity", async (string municipality, PostgresEventStore store, CancellationToken ct) =>
            Results.Ok(await store.For(municipality).VerifyAllAsync(ct)));
        tenant.MapCaseEndpoints();
        tenant.MapGet("/cases/{caseId:guid}/integrity", async (string municipality, Guid caseId, PostgresEventStore store, CancellationToken ct) =>
            Results.Ok(await store.For(municipality).VerifyStreamAsync(caseId, ct)));
        return app;
    }

    /// <summary>Applies the schema migrations before anything else starts, the web server included.</summary>
    private sealed class SchemaMigrationService(SchemaMigrator migrator) : IHostedLifecycleService
    {
        public Task StartingAsync(CancellationToken ct) =>
            migrator.MigrateAsync(Migration.EmbeddedIn(typeof(CasesModule).Assembly), ct);

        public Task StartAsync(CancellationToken ct) => Task.CompletedTask;
        public Task StartedAsync(CancellationToken ct) => Task.CompletedTask;
        public Task StoppingAsync(CancellationToken ct) => Task.CompletedTask;
        public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
        public Task StoppedAsync(CancellationToken ct) => Task.CompletedTask;
    }
}
