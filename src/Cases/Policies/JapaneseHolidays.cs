using System.Collections.Concurrent;

namespace CaseSystem.Cases.Policies;

/// <summary>
/// Japanese national holidays computed by the rules of 国民の祝日に関する法律 (Act No. 178 of 1948, as amended),
/// including the special-law exceptions of 2019 (accession), 2020 and 2021 (Tokyo Olympics).
/// </summary>
public static class JapaneseHolidays
{
    public const int MinYear = 2000;
    public const int MaxYear = 2099;

    public const string SubstituteHoliday = "振替休日";
    public const string CitizensHoliday = "国民の休日";

    private static readonly ConcurrentDictionary<int, YearTable> Cache = new();

    /// <summary>True for a national holiday, a substitute holiday or a citizens' holiday.</summary>
    public static bool IsHoliday(DateOnly date) => For(date.Year).ByDate.ContainsKey(date);

    /// <summary>The Japanese name of the holiday on <paramref name="date"/>, or null if it is not a holiday.</summary>
    public static string? NameOf(DateOnly date) => For(date.Year).ByDate.GetValueOrDefault(date);

    /// <summary>All holidays of <paramref name="year"/>, in date order.</summary>
    public static IReadOnlyList<(DateOnly Date, string Name)> In(int year) => For(year).List;

    private static YearTable For(int year)
    {
        if (year is < MinYear or > MaxYear)
        {
            throw new ArgumentOutOfRangeException(nameof(year), year, $"Japanese holidays are computed for {MinYear}–{MaxYear} only.");
        }
        return Cache.GetOrAdd(year, Compute);
    }

    private static YearTable Compute(int year)
    {
        // 国民の祝日 proper (Article 2, plus days the special laws treat as such).
        var national = new SortedDictionary<DateOnly, string>();
        void Add(int month, int day, string name) => national.Add(new DateOnly(year, month, day), name);
        void AddDate(DateOnly date, string name) => national.Add(date, name);

        Add(1, 1, "元日");
        AddDate(NthMonday(year, 1, 2), "成人の日");
        Add(2, 11, "建国記念の日");
        if (year >= 2020)
        {
            Add(2, 23, "天皇誕生日");
        }
        Add(3, VernalEquinoxDay(year), "春分の日");
        Add(4, 29, year >= 2007 ? "昭和の日" : "みどりの日");
        Add(5, 3, "憲法記念日");
        if (year >= 2007)
        {
            Add(5, 4, "みどりの日");
        }
        Add(5, 5, "こどもの日");

        switch (year)
        {
            case 2020:
                Add(7, 23, "海の日");
                Add(7, 24, "スポーツの日");
                Add(8, 10, "山の日");
                break;
            case 2021:
                Add(7, 22, "海の日");
                Add(7, 23, "スポーツの日");
                Add(8, 8, "山の日");
                break;
            default:
                if (year >= 2003)
                {
                    AddDate(NthMonday(year, 7, 3), "海の日");
                }
                else
                {
                    Add(7, 20, "海の日");
                }
                if (year >= 2016)
                {
                    Add(8, 11, "山の日");
                }
                AddDate(NthMonday(year, 10, 2), year >= 2020 ? "スポーツの日" : "体育の日");
                break;
        }

        if (year >= 2003)
        {
            AddDate(NthMonday(year, 9, 3), "敬老の日");
        }
        else
        {
            Add(9, 15, "敬老の日");
        }
        Add(9, AutumnalEquinoxDay(year), "秋分の日");
        Add(11, 3, "文化の日");
        Add(11, 23, "勤労感謝の日");
        if (year <= 2018)
        {
            Add(12, 23, "天皇誕生日");
        }

        if (year == 2019)
        {
            // 天皇の即位の日及び即位礼正殿の儀の行われる日を休日とする法律 (Act No. 99 of 2018): treated as 国民の祝日.
            Add(5, 1, "即位の日");
            Add(10, 22, "即位礼正殿の儀");
        }

        var all = new SortedDictionary<DateOnly, string>(national);

        // Article 3(2). Since 2007: the nearest following day that is not a 国民の祝日.
        // Before 2007 it was simply the next day; the two rules agree for 2000–2006.
        foreach (var (date, _) in national)
        {
            if (date.DayOfWeek != DayOfWeek.Sunday)
            {
                continue;
            }
            var substitute = date.AddDays(1);
            while (national.ContainsKey(substitute))
            {
                substitute = substitute.AddDays(1);
            }
            all.TryAdd(substitute, SubstituteHoliday);
        }

        // Article 3(3): a day whose previous and next days are both 国民の祝日 (substitute days do not count).
        // Before 2007 a Sunday did not qualify.
        foreach (var (date, _) in national)
        {
            var between = date.AddDays(1);
            if (national.ContainsKey(date.AddDays(2))
                && !all.ContainsKey(between)
                && (year >= 2007 || between.DayOfWeek != DayOfWeek.Sunday))
            {
                all.Add(between, CitizensHoliday);
            }
        }

        var list = all.Select(h => (Date: h.Key, Name: h.Value)).ToArray();
        return new YearTable(list, list.ToDictionary(h => h.Date, h => h.Name));
    }

    private static DateOnly NthMonday(int year, int month, int n)
    {
        var first = new DateOnly(year, month, 1);
        var offset = ((int)DayOfWeek.Monday - (int)first.DayOfWeek + 7) % 7;
        return first.AddDays(offset + 7 * (n - 1));
    }

    // The standard approximation, valid for 1980–2099. Decimal keeps the arithmetic exact.
    private static int VernalEquinoxDay(int year) => EquinoxDay(20.8431m, year);

    private static int AutumnalEquinoxDay(int year) => EquinoxDay(23.2488m, year);

    private static int EquinoxDay(decimal constant, int year)
    {
        var elapsed = year - 1980;
        return (int)decimal.Floor(constant + 0.242194m * elapsed - elapsed / 4);
    }

    private sealed record YearTable(IReadOnlyList<(DateOnly Date, string Name)> List, IReadOnlyDictionary<DateOnly, string> ByDate);
}
