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

    /// <summary>The case's version in the view a station acted on when it tried a PIN on the card (issue 12).</summary>
    public const string VersionHeader = "Observed-Version";

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

    /// <summary>
    /// <c>Observed-Version</c>: the version of the case view the station had read when it sent the
    /// PIN to the card (it asks for the view right before, and tries the PIN only if the view allows
    /// it). Null when not sent (a clerk's own request). The decider records a PIN check on a case
    /// closed after that version: the card's tries changed before the station could know.
    /// </summary>
    public static long? SeenVersion(HttpContext http)
    {
        if (http.Request.Headers[VersionHeader] is not [{ } text]) return null;
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            throw new BadHttpRequestException(
                $"{VersionHeader}: 端末が参照した案件のバージョン(0以上の整数)を指定してください。/ {VersionHeader} must be the case version the station saw, an integer from 0.");
        }
        return version;
    }
}
