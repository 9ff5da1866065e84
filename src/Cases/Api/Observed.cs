using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace CaseSystem.Cases.Api;

/// <summary>
/// When a station observed what it sends (issue 12): a card read or PIN check held in the
/// station's outbox while the server was unreachable arrives late. The station says how long ago
/// (<c>Observed-Age</c>, seconds by its own clock, so station and server need not agree on the
/// time); the command carries the moment it happened (the event's <c>at</c>, which the timeline
/// and the report use), and the store's timestamp keeps when it was recorded.
/// </summary>
public static class Observed
{
    public const string AgeHeader = "Observed-Age";

    /// <summary>How long a station may hold an observation: a counter closed over a long weekend (domain default).</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(7);

    public static DateTimeOffset At(HttpContext http, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        if (http.Request.Headers[AgeHeader] is not [{ } text]) return now;
        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) || seconds > MaxAge.TotalSeconds)
        {
            throw new BadHttpRequestException(
                $"{AgeHeader}: 観測からの経過秒数(0〜{MaxAge.TotalSeconds:0})を指定してください。/ {AgeHeader} must be the seconds since the observation, 0 to {MaxAge.TotalSeconds:0}.");
        }
        return now - TimeSpan.FromSeconds(seconds);
    }
}
