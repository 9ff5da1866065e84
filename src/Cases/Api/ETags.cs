using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using Wolverine.Http;

namespace CaseSystem.Cases.Api;

/// <summary>A case's ETag is its stream version; a command's If-Match must be the version it is decided on.</summary>
public static class ETags
{
    public static string Of(long version) => "\"" + version.ToString(CultureInfo.InvariantCulture) + "\"";

    public static void Set(HttpContext http, long version) => http.Response.Headers.ETag = Of(version);

    public static bool HasIfMatch(HttpContext http) => http.Request.Headers.ContainsKey(HeaderNames.IfMatch);

    /// <summary>The version an If-Match names; null when none was sent; a problem when it is not a version.</summary>
    public static (long? Version, ProblemDetails? Problem) IfMatch(HttpContext http)
    {
        var header = http.Request.Headers[HeaderNames.IfMatch].ToString();
        if (string.IsNullOrEmpty(header)) return (null, null);
        var text = header.Trim();
        if (text.StartsWith("W/", StringComparison.Ordinal)) text = text[2..];
        return text.Length > 2 && text[0] == '"' && text[^1] == '"'
               && long.TryParse(text[1..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? (version, null)
            : (null, Problems.Details(Problems.BadIfMatch, $"If-Match: {header}"));
    }

    /// <summary>Wolverine's continuation: no problem, or 400 for an unreadable If-Match, 409 for a stale one.</summary>
    public static ProblemDetails CheckIfMatch(HttpContext http, long loadedVersion)
    {
        var (expected, problem) = IfMatch(http);
        if (problem is not null) return problem;
        return expected is { } version && version != loadedVersion
            ? Problems.Details(Problems.ConcurrencyConflict,
                $"If-Match {Of(version)} ですが、案件は版 {loadedVersion} です。/ If-Match was {Of(version)} but the case is at version {loadedVersion}.")
            : WolverineContinue.NoProblems;
    }
}
