using System.Net;
using CaseSystem.Cases.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CaseSystem.Cases.Telemetry;

/// <summary>
/// OpenTelemetry (issue 15): traces and metrics of ASP.NET Core, HttpClient, the runtime, Npgsql,
/// Marten and Wolverine (their own sources and meters) and the domain's Meter "CaseSystem";
/// exported by OTLP only when OTEL_EXPORTER_OTLP_ENDPOINT is set (the standard variables configure
/// it), and as Prometheus text at /metrics always.
/// </summary>
public static class TelemetryModule
{
    /// <summary>Serve /metrics to any client without a token (behind a network that keeps it private).</summary>
    public const string PublicSetting = "Cases:Metrics:Public";

    public static IServiceCollection AddCaseTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<CaseMetrics>();
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var builder = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(configuration["OTEL_SERVICE_NAME"] ?? "casesystem"))
            .WithTracing(t =>
            {
                t.AddAspNetCoreInstrumentation(o => o.Filter = http => !IsProbe(http.Request.Path))
                    .AddHttpClientInstrumentation()
                    // Npgsql 9's own source ("Npgsql"), Marten's ("Marten"), Wolverine's ("Wolverine").
                    .AddSource("Npgsql", "Marten", "Wolverine");
                if (otlp) t.AddOtlpExporter();
            })
            .WithMetrics(m =>
            {
                m.AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    // Wolverine's meter is "Wolverine:" + its service name; Marten's is "Marten".
                    .AddMeter("Npgsql", "Marten", "Wolverine*", CaseMetrics.MeterName)
                    .AddPrometheusExporter();
                if (otlp) m.AddOtlpExporter();
            });
        _ = builder;
        return services;
    }

    private static bool IsProbe(PathString path) => path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics");

    /// <summary>
    /// /metrics: counts only, no personal data, but the traffic and the queues of every municipality,
    /// so it is served without a token on loopback (a collector on the host, ops) or when
    /// <see cref="PublicSetting"/> is true, and otherwise to an admin's token only.
    /// </summary>
    public static WebApplication MapCaseTelemetry(this WebApplication app)
    {
        // The timers' gauge exists once CaseMetrics is made: made now, not at the first command.
        _ = app.Services.GetRequiredService<CaseMetrics>();
        var open = app.Configuration.GetValue<bool>(PublicSetting);
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/metrics"), branch => branch.Use(async (http, next) =>
        {
            if (open || http.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip))
            {
                await next(http);
                return;
            }
            var result = await http.AuthenticateAsync(StaffAuthentication.Scheme);
            if (result.Principal.FindStaff() is { Role: StaffRole.Admin })
            {
                await next(http);
                return;
            }
            http.Response.StatusCode = result.Succeeded ? StatusCodes.Status403Forbidden : StatusCodes.Status401Unauthorized;
        }));
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}
