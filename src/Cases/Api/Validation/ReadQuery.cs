using System.Globalization;
using System.Text.RegularExpressions;
using CaseSystem.Cases.Policies;

namespace CaseSystem.Cases.Api.Validation;

/// <summary>
/// The query parameters of the reads (the case finder, the queue board), checked as the command
/// edge checks a body: collected in a <see cref="RequestErrors"/>, answered with the same 400
/// invalid-request problem naming each parameter, never its value.
/// </summary>
public static partial class ReadQuery
{
    public const string Active = "active";
    public const string Closed = "closed";

    /// <summary>The case finder's hits: 50 unless asked, at most 200.</summary>
    public const int DefaultLimit = 50;

    public const int MaxLimit = 200;

    /// <summary>The errors of a read of this municipality (the group's filter has refused one this system does not serve).</summary>
    public static RequestErrors Errors(string municipality, TimeProvider clock) =>
        new(MunicipalPolicies.For(municipality), JapanTime.DateOf(clock.GetUtcNow()));

    /// <summary>A count from 1 to <paramref name="max"/> in ASCII digits; <paramref name="fallback"/> when absent.</summary>
    public static int Limit(RequestErrors errors, string path, string? text, int fallback, int max)
    {
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 1 && value <= max) return value;
        errors.Add(path, FieldError.OutOfRange(1, max));
        return fallback;
    }

    /// <summary>A moment in ISO 8601 with its offset, as a command's body takes one (a moment without its offset is not one); null when absent.</summary>
    public static DateTimeOffset? Moment(RequestErrors errors, string path, string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (IsoMoment().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var moment)) return moment;
        errors.Add(path, FieldError.Moment);
        return null;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex IsoMoment();
}
