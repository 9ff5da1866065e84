using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CaseSystem.Cases.Telemetry;

/// <summary>
/// Issue 15: every 5xx answer is logged once, with its trace id, whether an exception made it (the
/// exception handler logs those with the exception) or an endpoint returned it (anchoring not
/// configured, the identity provider away): the operator finds each one the trace id a user quotes.
/// The problem's type, never its detail (which may name what the request carried).
/// </summary>
public static class ServerErrors
{
    private static readonly object Logged = new();

    /// <summary>This request's 5xx is logged already (by the exception handler, with its exception).</summary>
    public static void MarkLogged(HttpContext http) => http.Items[Logged] = true;

    /// <summary>Logs a 5xx problem being written, unless it was logged already.</summary>
    public static void LogOnce(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var status = context.ProblemDetails.Status ?? http.Response.StatusCode;
        if (status < 500 || http.Items.ContainsKey(Logged)) return;
        MarkLogged(http);
        var trace = context.ProblemDetails.Extensions.TryGetValue("traceId", out var id) && id is string text
            ? text
            : System.Diagnostics.Activity.Current?.Id ?? http.TraceIdentifier;
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ServerErrors).FullName!);
        logger.Log(status == StatusCodes.Status500InternalServerError ? LogLevel.Error : LogLevel.Warning,
            "answered {Status} {Type} to {Method} {Path} (trace {TraceId})", status, context.ProblemDetails.Type, http.Request.Method, http.Request.Path, trace);
    }
}
