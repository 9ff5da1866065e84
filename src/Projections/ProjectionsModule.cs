using CaseSystem.Cases.Policies;
using System.Text.Json;
using CaseSystem.Cases;
using CaseSystem.Cases.Api;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Renewal;
using CaseSystem.Contracts;
using CaseSystem.Cases.Api.OpenApi;
using CaseSystem.Cases.Api.Validation;
using CaseSystem.Projections.AuditTrail;
using CaseSystem.Projections.CaseFinder;
using CaseSystem.Projections.CaseTimeline;
using CaseSystem.Projections.QueueBoard;
using CaseSystem.Projections.RenewalRates;
using CaseSystem.Projections.ExpiryForecast;
using CaseSystem.Projections.Daemon;
using CaseSystem.Projections.Worklists;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Marten;
using Npgsql;

namespace CaseSystem.Projections;

public static class ProjectionsModule
{
    /// <summary>
    /// The read models, run by Marten's async daemon (HotCold: one process owns each, another
    /// takes over when it dies; CASES_PROJECTIONS=off makes a process that only serves), their
    /// queries, the queue board's push and the operators' commands.
    /// </summary>
    public static IServiceCollection AddProjections(this IServiceCollection services, IConfiguration configuration)
    {
        var models = new ReadModels();
        // The daemon logs every page it commits at Information (70 lines a second under the http
        // benchmark's load, 2026-12-02); its warnings and errors (a paused shard, a failed batch) stay.
        services.AddLogging(b => b.AddFilter("Marten.Events.Daemon.Coordination.ProjectionCoordinator", LogLevel.Warning));
        services.AddSingleton(models);
        services.AddSingleton(models.QueueBoard);
        services.AddSingleton(models.CaseFinder);
        services.AddSingleton(models.RenewalReport);
        services.AddSingleton(models.Worklists);
        services.ConfigureMarten(models.Configure);
        services.AddSingleton<ProjectionAdmin>();
        services.AddSingleton<ProjectionMetrics>();
        services.AddSingleton<QueueBoardQuery>();
        services.AddSingleton<CaseFinderQuery>();
        services.AddSingleton<AuditTrailQuery>();
        services.AddSingleton<WorklistsQuery>();
        services.AddSingleton(sp => new RenewalReportQuery(sp.GetRequiredService<NpgsqlDataSource>(), models.RenewalReport, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new ExpiryForecastQuery(sp.GetRequiredService<NpgsqlDataSource>(), models.CaseFinder,
            sp.GetRequiredService<RenewalReportQuery>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new WeeklySeriesQuery(sp.GetRequiredService<NpgsqlDataSource>(), models.RenewalReport, models.QueueBoard,
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<BoardUpdates>();
        services.AddHostedService(sp => sp.GetRequiredService<BoardUpdates>());
        if (CasesModule.RunsProjections(configuration)) services.AddHostedService<ProjectionControl>();
        var runs = CasesModule.RunsProjections(configuration);
        services.AddHealthChecks().Add(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckRegistration("projections",
            sp => new ProjectionsHealthCheck(sp.GetRequiredService<ProjectionAdmin>(), runs), failureStatus: null, tags: [CaseSystem.Cases.Health.HealthModule.Ready]));
        return services;
    }

    public static IEndpointRouteBuilder MapProjections(this IEndpointRouteBuilder app)
    {
        // The gauges exist once made: made now, so a scrape before the first use of the read models has them.
        _ = app.ServiceProvider.GetRequiredService<ProjectionMetrics>();
        var tenant = app.MapGroup("/api/{municipality}").AddEndpointFilter(Municipalities.RequireKnown);

        // asOf as a moment with its offset (2026-03-16T10:15:00+09:00), read here so that a malformed one is a 400 naming it, not the framework's binding error.
        tenant.MapGet("/offices/{office}/board", async (string municipality, string office, string? asOf, HttpContext http,
            QueueBoardQuery boards, TimeProvider clock, CancellationToken ct) =>
        {
            if (OtherOffice(http, office) is { } refused) return refused;
            var errors = ReadQuery.Errors(municipality, clock);
            errors.Office("office", office);
            var moment = ReadQuery.Moment(errors, "asOf", asOf);
            if (!errors.IsEmpty) return Results.Problem(InvalidRequest.Problem(errors.ByPath));
            return Results.Ok(await boards.BoardAsync(municipality, office, moment ?? clock.GetUtcNow(), ct));
        }).Produces<Board>().Refuses(DisplayOfOtherOffice).RequireStaff(StaffRole.Clerk, StaffRole.Supervisor, StaffRole.Station, StaffRole.Display);

        // An office the municipality does not have is a 400 naming it, not a stream of an empty board.
        tenant.MapGet("/offices/{office}/board/stream", async (string municipality, string office, HttpContext http, BoardUpdates updates,
            QueueBoardQuery boards, TimeProvider clock, IOptions<JsonOptions> json, CancellationToken ct) =>
        {
            if (OtherOffice(http, office) is { } refused) return refused;
            var errors = ReadQuery.Errors(municipality, clock);
            errors.Office("office", office);
            if (!errors.IsEmpty) return Results.Problem(InvalidRequest.Problem(errors.ByPath));
            await updates.StreamAsync(http, boards, municipality, office, clock, json.Value.SerializerOptions, ct);
            return Results.Empty;
        }).Produces<string>(StatusCodes.Status200OK, "text/event-stream").Refuses(DisplayOfOtherOffice).RequireStaff(StaffRole.Clerk, StaffRole.Supervisor, StaffRole.Station, StaffRole.Display);

        // birthDate as a person types it, 和暦 too (S55.1.20, 昭和55年1月20日): the station passes what the clerk typed.
        // Every parameter is checked as the command edge checks a body (400 naming each field, never its value): name and
        // noticeNumber by the edge's bounds, status active|closed, an office of the profile, limit 1–200 (default 50).
        tenant.MapGet("/cases", async (string municipality, string? name, string? birthDate, string? noticeNumber, string? status,
            string? office, string? limit, CaseFinderQuery finder, TimeProvider clock, CancellationToken ct) =>
        {
            var errors = ReadQuery.Errors(municipality, clock);
            DateOnly? born = null;
            if (!string.IsNullOrWhiteSpace(birthDate))
            {
                var reading = JapaneseDates.Parse(birthDate);
                if (reading.Date is null) errors.Add("birthDate", new FieldError(reading.ProblemJa ?? "", reading.ProblemEn ?? ""));
                born = reading.Date;
            }
            if (!string.IsNullOrWhiteSpace(name)) errors.Text("name", name, RequestBounds.Name);
            if (!string.IsNullOrWhiteSpace(noticeNumber)) errors.Text("noticeNumber", noticeNumber.Trim(), RequestBounds.NoticeNumber);
            if (!string.IsNullOrWhiteSpace(status) && status is not (ReadQuery.Active or ReadQuery.Closed)) errors.Add("status", FieldError.OneOf(ReadQuery.Active, ReadQuery.Closed));
            if (!string.IsNullOrWhiteSpace(office)) errors.Office("office", office.Trim());
            var count = ReadQuery.Limit(errors, "limit", limit, ReadQuery.DefaultLimit, ReadQuery.MaxLimit);
            if (!errors.IsEmpty) return Results.Problem(InvalidRequest.Problem(errors.ByPath));
            return Results.Ok(await finder.SearchAsync(municipality, new CaseSearch(name, born, noticeNumber, status, office, count),
                JapanTime.DateOf(clock.GetUtcNow()), ct));
        }).Produces<IReadOnlyList<CaseHit>>().RequireStaff(StaffRole.Clerk, StaffRole.Supervisor, StaffRole.Station);

        tenant.MapGet("/cases/{caseId:guid}/audit", async (string municipality, Guid caseId, HttpContext http, AuditTrailQuery audit,
            CaseViewLog views, CancellationToken ct) =>
        {
            if (await audit.ForCaseAsync(municipality, caseId, ct) is not { } trail) return Problems.Result(Problems.StreamNotFound);
            await views.RecordAsync(http, municipality, caseId, "audit", ct);
            return Results.Ok(trail);
        }).Produces<AuditTrailView>().RequireStaff(StaffRole.Supervisor);

        tenant.MapGet("/cases/{caseId:guid}/timeline", async (string municipality, Guid caseId, DateTimeOffset? asOf, HttpContext http,
            IDocumentStore store, CaseViewLog views, TimeProvider clock, CancellationToken ct) =>
        {
            var moment = asOf ?? clock.GetUtcNow();
            var loaded = await LoadedCase.ReadAsync(store, municipality, caseId, ct);
            if (!loaded.Exists) return Problems.Result(Problems.StreamNotFound);
            await views.RecordAsync(http, municipality, caseId, "timeline", ct);
            return Results.Ok(ActivationTimeline.Of(loaded.Events.Select(e => e.Data).OfType<RenewalEvent>(), moment,
                MunicipalPolicies.For(municipality).InsuranceRegistrationClosedDaysBeforeExpiry));
        }).Produces<ActivationTimelineView>().RequireStaff(StaffRole.Clerk, StaffRole.Supervisor);

        // No personal data: analysts read these, and small groups show no rates.
        tenant.MapGet("/reports/renewals", async (string municipality, [AsParameters] ReportQuery q, HttpContext http, RenewalReportQuery reports,
            TimeProvider clock, CancellationToken ct) =>
        {
            var errors = ReadQuery.Errors(municipality, clock);
            var filter = q.ToFilter(errors, http.Staff()?.Role);
            if (!errors.IsEmpty) return Results.Problem(InvalidRequest.Problem(errors.ByPath));
            return Results.Ok(await reports.QueryAsync(municipality, filter, ct));
        }).Produces<RenewalReport>().RequireStaff(StaffRole.Analyst, StaffRole.Supervisor);
        tenant.MapGet("/reports/renewals.csv", async (string municipality, [AsParameters] ReportQuery q, HttpContext http, RenewalReportQuery reports,
            TimeProvider clock, CancellationToken ct) =>
        {
            var errors = ReadQuery.Errors(municipality, clock);
            var filter = q.ToFilter(errors, http.Staff()?.Role);
            if (!errors.IsEmpty) return Results.Problem(InvalidRequest.Problem(errors.ByPath));
            // Offices by the profile's name; a case never visited has none yet (未定).
            var offices = MunicipalPolicies.For(municipality).Offices;
            var csv = RenewalReport.ToCsv(await reports.QueryAsync(municipality, filter, ct),
                id => id is null ? "未定" : offices.FirstOrDefault(o => o.Id == id)?.NameJa ?? id);
            // With a BOM, so that Excel opens the Japanese headers as UTF-8.
            return Results.File(System.Text.Encoding.UTF8.GetPreamble().Concat(System.Text.Encoding.UTF8.GetBytes(csv)).ToArray(),
                "text/csv; charset=utf-8", $"renewal-report-{municipality}.csv");
        }).Produces<string>(StatusCodes.Status200OK, "text/csv").RequireStaff(StaffRole.Analyst, StaffRole.Supervisor);

        // Renewals, lapses and waits per ISO week (Japan time), the current week last; weeks 1–104 (default 26).
        tenant.MapGet("/reports/weekly", async (string municipality, string? weeks, WeeklySeriesQuery series, TimeProvider clock, CancellationToken ct) =>
        {
            var errors = ReadQuery.Errors(municipality, clock);
            var count = ReadQuery.Limit(errors, "weeks", weeks, 26, 104);
            if (!errors.IsEmpty) return Results.Problem(InvalidRequest.Problem(errors.ByPath));
            return Results.Ok(await series.QueryAsync(municipality, count, MunicipalPolicies.For(municipality).ReportSuppressBelow, ct));
        }).Produces<WeeklySeries>().RequireStaff(StaffRole.Analyst, StaffRole.Supervisor);

        // The expiry wave ahead: counts per office and week, capacity from the profile (ExpiryForecastQuery says how).
        tenant.MapGet("/forecast", async (string municipality, ExpiryForecastQuery forecast, CancellationToken ct) =>
            Results.Ok(await forecast.ForecastAsync(municipality, ct)))
            .Produces<CaseSystem.Projections.ExpiryForecast.ExpiryForecast>().RequireStaff(StaffRole.Analyst, StaffRole.Supervisor);

        tenant.MapNextCall();
        tenant.MapProjectionOps();
        tenant.MapAuditSearch();
        tenant.MapWorklists();
        return app;
    }

    public static readonly Problems.Kind DisplayOfOtherOffice = new("urn:casesystem:problem:display-other-office", StatusCodes.Status403Forbidden,
        "表示端末は自分の窓口の呼出し状況だけを表示できます。/ A display shows its own office's queue only.");

    /// <summary>A display token reads its own office's board only; staff read every office's of their municipality.</summary>
    private static IResult? OtherOffice(HttpContext http, string office) =>
        http.Staff() is { Role: StaffRole.Display } display && display.Office != office
            ? Problems.Result(DisplayOfOtherOffice, $"この表示端末の窓口: {display.Office} / This display's office: {display.Office}")
            : null;

    /// <summary>
    /// The report's query string: cohortFrom, cohortTo (yyyy-MM-dd), office, whoCame, ageBand, groupBy (comma-separated:
    /// cohortMonth, office, whoCame, ageBand), suppressBelow. Named here as the README and the OpenAPI document name them
    /// ([AsParameters] would take the properties' PascalCase names into the document).
    /// </summary>
    public sealed record ReportQuery(
        [property: Microsoft.AspNetCore.Mvc.FromQuery(Name = "cohortFrom")] DateOnly? CohortFrom,
        [property: Microsoft.AspNetCore.Mvc.FromQuery(Name = "cohortTo")] DateOnly? CohortTo,
        [property: Microsoft.AspNetCore.Mvc.FromQuery(Name = "office")] string? Office,
        [property: Microsoft.AspNetCore.Mvc.FromQuery(Name = "whoCame")] string? WhoCame,
        [property: Microsoft.AspNetCore.Mvc.FromQuery(Name = "ageBand")] string? AgeBand,
        [property: Microsoft.AspNetCore.Mvc.FromQuery(Name = "groupBy")] string? GroupBy,
        [property: Microsoft.AspNetCore.Mvc.FromQuery(Name = "suppressBelow")] string? SuppressBelow)
    {
        /// <summary>The largest suppressBelow asked for: beyond it every group of a municipality would be hidden anyway.</summary>
        public const int MaxSuppressBelow = 100_000;

        public ReportFilter ToFilter(RequestErrors errors, StaffRole? role) => new()
        {
            CohortFrom = CohortFrom,
            CohortTo = CohortTo,
            Office = Office,
            WhoCame = WhoCame,
            AgeBand = AgeBand,
            GroupBy = (GroupBy ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                // By name only (Enum.TryParse would take "7"), and the value is never repeated back.
                .Select(d => Enum.GetValues<ReportDimension>().FirstOrDefault(v => string.Equals(v.ToString(), d, StringComparison.OrdinalIgnoreCase)) is var dimension
                    && string.Equals(dimension.ToString(), d, StringComparison.OrdinalIgnoreCase)
                    ? dimension
                    : throw new BadHttpRequestException("groupBy は cohortMonth, office, whoCame, ageBand のいずれか(カンマ区切り)です。/ groupBy takes cohortMonth, office, whoCame, ageBand (comma-separated)."))
                .Distinct().ToList(),
            SuppressBelow = SmallestGroupShown(errors, role),
        };

        /// <summary>
        /// The municipality's floor (its profile's reportSuppressBelow) unless a higher one is asked
        /// for. A lower one is refused to analysts, whom the suppression protects residents from (issue
        /// 14: suppressBelow=1 lifted it); a supervisor, who may read every case's audit trail, learns
        /// nothing from a small group that the cases do not already show, and may ask down to 1.
        /// </summary>
        private int SmallestGroupShown(RequestErrors errors, StaffRole? role)
        {
            var floor = errors.Policy.ReportSuppressBelow;
            var asked = ReadQuery.Limit(errors, "suppressBelow", SuppressBelow, floor, MaxSuppressBelow);
            if (asked >= floor || role == StaffRole.Supervisor) return asked;
            errors.Add("suppressBelow", FieldError.BelowSuppressionFloor(errors.Policy));
            return floor;
        }
    }
}
