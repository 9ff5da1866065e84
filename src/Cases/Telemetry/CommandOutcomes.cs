using CaseSystem.Cases.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CaseSystem.Cases.Telemetry;

/// <summary>Counts a case command's outcome (<see cref="CaseMetrics"/>) around its decision.</summary>
internal static class CommandOutcomes
{
    public static async Task RecordAsync(HttpContext http, Func<Task> decide)
    {
        var metrics = http.RequestServices.GetService<CaseMetrics>();
        if (metrics is null)
        {
            await decide();
            return;
        }
        // The route's template, not the path: the path holds the case's id.
        var command = $"{http.Request.Method} {(http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "?"}";
        var municipality = http.GetRouteValue("municipality") as string;
        try
        {
            await decide();
        }
        catch (Renewal.RuleViolation violation)
        {
            metrics.Command(command, municipality, "refused", violation.Rule.Id);
            throw;
        }
        catch (Exception e)
        {
            metrics.Command(command, municipality, Problems.For(e)?.Status switch
            {
                StatusCodes.Status400BadRequest => "invalid",
                StatusCodes.Status409Conflict or StatusCodes.Status412PreconditionFailed => "conflict",
                _ => "error",
            });
            throw;
        }
        metrics.Command(command, municipality, http.Response.StatusCode switch
        {
            >= 200 and < 300 when !CaseCommandAttribute.WasDecided(http) && CaseCommandAttribute.KeyOf(http) is not null => "replayed",
            >= 200 and < 300 => "accepted",
            StatusCodes.Status400BadRequest or StatusCodes.Status413PayloadTooLarge or StatusCodes.Status415UnsupportedMediaType => "invalid",
            StatusCodes.Status409Conflict or StatusCodes.Status412PreconditionFailed or StatusCodes.Status428PreconditionRequired => "conflict",
            StatusCodes.Status422UnprocessableEntity => "refused",
            _ => "error",
        });
    }
}
