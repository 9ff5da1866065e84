using Scalar.AspNetCore;

namespace CaseSystem.Server.Pages;

/// <summary>
/// The API reference for integrators (issue 15): Scalar's page over the OpenAPI document
/// (/openapi/v1.json), at /api-reference. Public like the document itself: it describes the API
/// and holds no data; trying a request needs a staff token as always. Its script is served from
/// the package (no CDN), under the page's own path.
/// </summary>
public static class ApiReference
{
    public const string Path = "/api-reference";

    public static IEndpointRouteBuilder MapApiReference(this IEndpointRouteBuilder app)
    {
        app.MapScalarApiReference(Path, o => o.WithTitle("CaseSystem API リファレンス / API reference"));
        return app;
    }
}
