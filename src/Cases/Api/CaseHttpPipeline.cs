using CaseSystem.Cases.Auth;
using JasperFx;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CaseSystem.Cases.Api;

/// <summary>
/// The request steps around the Wolverine endpoints that ASP.NET Core's endpoint filters give the
/// minimal-API ones: the municipality and staff checks (from <see cref="StaffAttribute"/>), and
/// for case commands the retry of a lost race and the replay marker.
/// </summary>
public static class CaseHttpPipeline
{
    /// <summary>
    /// How long a command that keeps losing its race to other writers of the same case is decided
    /// again. Each lost race means another writer's command went in, so the case always moves on;
    /// a count of tries would not do: with 16 clerks at once the last one loses 15 times
    /// (CI failed on 10 tries, 2026-12-02).
    /// </summary>
    public static readonly TimeSpan RetryFor = TimeSpan.FromSeconds(30);

    public static IApplicationBuilder UseCaseHttpPipeline(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Request.Path.StartsWithSegments("/api")) http.Response.OnStarting(NotKept, http);
        var endpoint = http.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<StaffAttribute>() is { } staff)
        {
            var refused = Municipalities.Unknown(http) ?? await StaffAuthentication.CheckAsync(http, staff.Roles);
            if (refused is not null)
            {
                await refused.ExecuteAsync(http);
                return;
            }
        }
        if (endpoint?.Metadata.GetMetadata<CaseCommandAttribute>() is null)
        {
            await next(http);
            return;
        }
        if (Validation.RequestBodyLimit.Refuse(http) is { } tooLarge)
        {
            await tooLarge.ExecuteAsync(http);
            return;
        }

        // A replay is answered by Wolverine from the stored first response (status, body,
        // Location), without the endpoint: the answer is held here to mark it as a replay and to
        // give it the ETag of the version its body names, as the first answer had.
        var replayable = CaseCommandAttribute.KeyOf(http) is not null;
        var body = http.Response.Body;
        using var held = replayable ? new MemoryStream() : null;
        if (held is not null) http.Response.Body = held;
        try
        {
            await Telemetry.CommandOutcomes.RecordAsync(http, () => DecideAsync(http, next));
        }
        finally
        {
            if (held is not null)
            {
                http.Response.Body = body;
                if (http.Response.StatusCode is >= 200 and < 300 && !CaseCommandAttribute.WasDecided(http))
                {
                    http.Response.Headers[CaseCommandAttribute.ReplayedHeader] = "true";
                    if (VersionIn(held) is { } version) ETags.Set(http, version);
                }
                held.Position = 0;
                await held.CopyToAsync(body, http.RequestAborted);
            }
        }
    });

    /// <summary>
    /// The API's answers carry residents' names, birth dates and case histories: no cache, the
    /// browser's or a proxy's, keeps one (an endpoint that says otherwise, the board's event stream,
    /// keeps its own), and no browser reads one as anything but its declared type (issue 14).
    /// Set as the answer starts, so that a problem written after a failure has them too.
    /// </summary>
    private static Task NotKept(object state)
    {
        var headers = ((HttpContext)state).Response.Headers;
        if (string.IsNullOrEmpty(headers.CacheControl)) headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";
        return Task.CompletedTask;
    }

    private static long? VersionIn(MemoryStream json)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(json.ToArray());
            return document.RootElement.TryGetProperty("version", out var v) && v.TryGetInt64(out var version) ? version : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static async Task DecideAsync(HttpContext http, RequestDelegate next)
    {
        // Without If-Match the client did not ask for optimistic concurrency: a race lost to
        // anything else (a timer firing, a second clerk, the station) is decided again on the
        // fresh case, so that such a client never sees 409. With If-Match the 409 is its answer.
        http.Request.EnableBuffering();
        var until = DateTime.UtcNow + RetryFor;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await next(http);
                return;
            }
            catch (ConcurrencyException) when (!ETags.HasIfMatch(http) && !http.Response.HasStarted && DateTime.UtcNow < until)
            {
                // A short random pause spreads the losers out, so that they do not all meet again.
                await Task.Delay(Random.Shared.Next(1, Math.Min(2 << Math.Min(attempt, 5), 50)), http.RequestAborted);
                http.Request.Body.Position = 0;
                http.Response.Headers.Clear();
                http.Response.StatusCode = StatusCodes.Status200OK;
            }
        }
    }
}
