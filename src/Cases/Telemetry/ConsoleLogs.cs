using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace CaseSystem.Cases.Telemetry;

/// <summary>
/// The console log's format (issue 15): one JSON object a line when stdout is not a terminal (a
/// service manager, a container, a pipe: what a log collector reads), with the scopes, so every
/// line of a request carries its TraceId and SpanId (ASP.NET Core's activity tracking) to join it to
/// its trace and its problem answer; plain text on a terminal, for a person. CASES_LOG_FORMAT=json|text
/// chooses either way.
/// </summary>
public static class ConsoleLogs
{
    public const string Setting = "CASES_LOG_FORMAT";

    public static bool Json(IConfiguration configuration) => configuration[Setting]?.Trim().ToLowerInvariant() switch
    {
        "json" => true,
        "text" => false,
        null or "" => Console.IsOutputRedirected,
        var other => throw new InvalidOperationException($"{Setting} is 'json' or 'text', not '{other}'."),
    };

    public static ILoggingBuilder AddCaseConsole(this ILoggingBuilder logging, IConfiguration configuration)
    {
        if (Json(configuration))
        {
            logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                // Japanese as it is, not as \uXXXX: the lines are read by people too (a log line is no HTML).
                o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            });
        }
        else
        {
            logging.AddSimpleConsole(o => o.IncludeScopes = false);
        }
        return logging;
    }
}
