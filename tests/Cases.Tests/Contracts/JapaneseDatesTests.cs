using System.Text.Json;
using CaseSystem.Contracts;

namespace CaseSystem.Cases.Tests.Contracts;

/// <summary>
/// Dates as written at a counter (issue 13): the cases in tests/Shared/japanese-dates.json, which
/// the pages' wareki.js must read and show the same way (Web.Tests).
/// </summary>
public sealed class JapaneseDatesTests
{
    private static readonly JsonElement Cases = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Shared", "japanese-dates.json"))).RootElement;

    public static IEnumerable<object?[]> Reads() => Cases.GetProperty("read").EnumerateArray()
        .Select(c => new object?[] { c.GetProperty("text").GetString(), c.GetProperty("date").GetString() });

    public static IEnumerable<object?[]> Shows() => Cases.GetProperty("show").EnumerateArray()
        .Select(c => new object?[] { c.GetProperty("date").GetString(), c.GetProperty("wareki").GetString(), c.GetProperty("withWareki").GetString() });

    [Theory]
    [MemberData(nameof(Reads))]
    public void A_date_is_read_as_a_person_types_it_in_wareki_or_western_form(string text, string? expected)
    {
        var reading = JapaneseDates.Parse(text);
        Assert.Equal(expected, reading.Date?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        if (expected is null)
        {
            Assert.False(string.IsNullOrEmpty(reading.ProblemJa));
            Assert.False(string.IsNullOrEmpty(reading.ProblemEn));
        }
    }

    [Theory]
    [MemberData(nameof(Shows))]
    public void A_date_is_shown_with_its_wareki(string date, string wareki, string withWareki)
    {
        var d = DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(wareki, JapaneseDates.Wareki(d));
        Assert.Equal(withWareki, JapaneseDates.WithWareki(d));
    }

    [Fact]
    public void A_day_outside_its_era_is_refused_with_the_day_it_would_be()
    {
        var reading = JapaneseDates.Parse("H31.5.1");
        Assert.Null(reading.Date);
        Assert.Contains("令和元年5月1日", reading.ProblemJa);
    }
}
