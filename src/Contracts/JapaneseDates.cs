using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace CaseSystem.Contracts;

/// <summary>
/// Dates as they are written at a counter: read in 和暦 or Western form, shown with the 和暦 beside
/// the Western date (issue 13). The eras are a table here, not the runtime's JapaneseCalendar,
/// so the station and the server read a date the same whatever their ICU data; the pages hold the
/// same table (wwwroot/assets/wareki.js), and tests/Shared/japanese-dates.json holds the cases
/// both must agree on.
/// </summary>
public static partial class JapaneseDates
{
    /// <summary>An era, its letter as forms abbreviate it (S55.1.20), its number in the resident register's seven-digit dates (3550120), and its first day.</summary>
    public sealed record Era(string Name, char Letter, int Code, DateOnly Start);

    /// <summary>From the oldest. Meiji from the day of the era's proclamation (1868-10-23 in the Gregorian calendar).</summary>
    public static readonly IReadOnlyList<Era> Eras =
    [
        new("明治", 'M', 1, new DateOnly(1868, 10, 23)),
        new("大正", 'T', 2, new DateOnly(1912, 7, 30)),
        new("昭和", 'S', 3, new DateOnly(1926, 12, 25)),
        new("平成", 'H', 4, new DateOnly(1989, 1, 8)),
        new("令和", 'R', 5, new DateOnly(2019, 5, 1)),
    ];

    /// <summary>The era of a date; null before Meiji.</summary>
    public static Era? EraOf(DateOnly date) => Eras.LastOrDefault(e => e.Start <= date);

    /// <summary>令和8年3月16日; 令和元年5月1日 for an era's first year; the Western date before Meiji.</summary>
    public static string Wareki(DateOnly date) => EraOf(date) is { } era
        ? $"{era.Name}{YearJa(date.Year - era.Start.Year + 1)}年{date.Month}月{date.Day}日"
        : Western(date);

    /// <summary>2026年3月16日(令和8年): the Western date with the era's year beside it.</summary>
    public static string WithWareki(DateOnly date) => EraOf(date) is { } era
        ? $"{Western(date)}({era.Name}{YearJa(date.Year - era.Start.Year + 1)}年)"
        : Western(date);

    public static string Western(DateOnly date) => $"{date.Year}年{date.Month}月{date.Day}日";

    private static string YearJa(int year) => year == 1 ? "元" : year.ToString(CultureInfo.InvariantCulture);

    /// <summary>A date read, or why it cannot be (Japanese and English; never repeating the text).</summary>
    public readonly record struct Reading(DateOnly? Date, string? ProblemJa, string? ProblemEn)
    {
        public bool Ok => Date is not null;
    }

    /// <summary>
    /// A date as a person types it: 1980-01-20, 1980/1/20, 1980.1.20, 1980年1月20日, 19800120;
    /// 昭和55年1月20日, S55.1.20, s55/1/20, 令和元年5月1日, R1.5.1; the register's 3550120 (era
    /// number and yymmdd). Full-width digits and letters and spaces are accepted. A date that does
    /// not exist, or an era's year outside the era (平成31年5月1日 is 令和元年5月1日), is refused
    /// with the reason.
    /// </summary>
    public static Reading Parse(string? text)
    {
        var t = Compact(text);
        if (t.Length == 0) return Refused("日付を入力してください。", "Enter a date.");
        if (WesternForm().Match(t) is { Success: true } w) return Western(Int(w, "y"), Int(w, "m"), Int(w, "d"));
        if (DigitsForm().Match(t) is { Success: true } d) return Western(Int(d, "y"), Int(d, "m"), Int(d, "d"));
        if (EraForm().Match(t) is { Success: true } e)
        {
            var name = e.Groups["era"].Value;
            var era = Eras.FirstOrDefault(x => x.Name == name || (name.Length == 1 && char.ToUpperInvariant(name[0]) == x.Letter));
            var year = e.Groups["year"].Value == "元" ? 1 : Int(e, "year");
            return InEra(era!, year, Int(e, "m"), Int(e, "d"));
        }
        if (RegisterForm().Match(t) is { Success: true } r)
        {
            var code = Int(r, "era");
            return Eras.FirstOrDefault(x => x.Code == code) is { } era
                ? InEra(era, Int(r, "year"), Int(r, "m"), Int(r, "d"))
                : Refused("7桁の日付の先頭は元号の番号(1 明治〜5 令和)です。", "A seven-digit date starts with the era's number (1 Meiji to 5 Reiwa).");
        }
        return Refused("日付として読めません。例: 1980-01-20、昭和55年1月20日、S55.1.20", "Not a date. For example 1980-01-20, 昭和55年1月20日 or S55.1.20.");
    }

    private static Reading InEra(Era era, int year, int month, int day)
    {
        if (year < 1) return Refused($"{era.Name}の年は1(元年)からです。", $"{era.Name} years start at 1.");
        var reading = Western(era.Start.Year + year - 1, month, day);
        if (reading.Date is not { } date) return reading;
        var actual = EraOf(date);
        if (actual != era)
        {
            var right = actual is null ? Western(date) : Wareki(date);
            return Refused($"{era.Name}{YearJa(year)}年{month}月{day}日という日付はありません({right}のことですか)。",
                $"That day is not in the {era.Name} era (did you mean {right}?).");
        }
        return reading;
    }

    private static Reading Western(int year, int month, int day)
    {
        if (year is < 1 or > 9999 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return Refused("存在しない日付です。", "That date does not exist.");
        }
        return new Reading(new DateOnly(year, month, day), null, null);
    }

    private static Reading Refused(string ja, string en) => new(null, ja, en);

    private static int Int(Match m, string group) => int.Parse(m.Groups[group].Value, NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>NFKC (full-width digits and letters to ASCII), without spaces.</summary>
    private static string Compact(string? text)
    {
        var normal = (text ?? "").Normalize(NormalizationForm.FormKC);
        var sb = new StringBuilder(normal.Length);
        foreach (var c in normal) if (!char.IsWhiteSpace(c)) sb.Append(c);
        return sb.ToString();
    }

    [GeneratedRegex(@"^(?<y>[0-9]{4})(?:[-/.](?<m>[0-9]{1,2})[-/.](?<d>[0-9]{1,2})|年(?<m>[0-9]{1,2})月(?<d>[0-9]{1,2})日?)$")]
    private static partial Regex WesternForm();

    [GeneratedRegex(@"^(?<y>[0-9]{4})(?<m>[0-9]{2})(?<d>[0-9]{2})$")]
    private static partial Regex DigitsForm();

    [GeneratedRegex(@"^(?<era>明治|大正|昭和|平成|令和|[MTSHRmtshr])\.?(?<year>[0-9]{1,2}|元)(?:[-/.](?<m>[0-9]{1,2})[-/.](?<d>[0-9]{1,2})|年(?<m>[0-9]{1,2})月(?<d>[0-9]{1,2})日?)$")]
    private static partial Regex EraForm();

    [GeneratedRegex(@"^(?<era>[0-9])(?<year>[0-9]{2})(?<m>[0-9]{2})(?<d>[0-9]{2})$")]
    private static partial Regex RegisterForm();
}
