using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace CaseSystem.Cases.Api;

/// <summary>
/// The answers under /api that no endpoint writes: routing's 404 (no route) and 405 (a method the
/// route does not take, with its Allow header), Wolverine's 415 and 406 (a body that is not JSON,
/// a client that does not take JSON). They come with an empty body; a client branching on the
/// problem's type, as on every other refusal, gets one here. The pages keep their own error pages.
/// </summary>
public static class ApiStatusProblems
{
    public static Problems.Kind? For(int status) => status switch
    {
        StatusCodes.Status404NotFound => Problems.NotFound,
        StatusCodes.Status405MethodNotAllowed => Problems.MethodNotAllowed,
        StatusCodes.Status406NotAcceptable => Problems.NotAcceptable,
        StatusCodes.Status415UnsupportedMediaType => Problems.UnsupportedMediaType,
        _ => null,
    };

    /// <summary>Status code pages for /api: only an answer still without a body (the middleware checks) gets a problem.</summary>
    public static IApplicationBuilder UseApiStatusProblems(this IApplicationBuilder app) => app.UseStatusCodePages(async context =>
    {
        var http = context.HttpContext;
        if (!http.Request.Path.StartsWithSegments("/api") || For(http.Response.StatusCode) is not { } kind) return;
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        // Typed already, so Problems.Customize leaves it as it is (it would call an untyped 404 case-not-found).
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = Problems.Details(kind) });
    });
}
