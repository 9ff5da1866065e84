using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CaseSystem.Cases.Health;

/// <summary>
/// The probes (issue 15): /health/live answers while the process is up and does no I/O, so a
/// database outage never makes an orchestrator kill a process that would recover by itself;
/// /health/ready runs the checks tagged <see cref="Ready"/> (the database, the timers' agent, and
/// the read models' owners when the projections module is in) and is 503 while any fails, so a
/// load balancer sends no request to a process that cannot answer it. /health stays as ready's
/// alias for the scripts that used it.
/// </summary>
public static class HealthModule
{
    public const string Ready = "ready";

    public static IServiceCollection AddCaseHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [Ready])
            .AddCheck<TimersHealthCheck>("timers", tags: [Ready]);
        return services;
    }

    public static IEndpointRouteBuilder MapCaseHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        var ready = new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = WriteAsync };
        app.MapHealthChecks("/health/ready", ready);
        app.MapHealthChecks("/health", ready);
        return app;
    }

    // Readable apostrophes and Japanese (a probe's body is no HTML).
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Each check by name with its status and a fixed description: never an exception's message,
    /// which can name a host, a port or a user.
    /// </summary>
    private static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.Select(e => new
            {
                name = e.Key,
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
            }),
        };
        return http.Response.WriteAsync(JsonSerializer.Serialize(body, Json));
    }
}
