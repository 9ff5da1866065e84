using CaseSystem.Cases.Renewal;

namespace CaseSystem.Cases.Policies;

/// <summary>Reception from <see cref="Opens"/> up to and including the minute <see cref="Closes"/>.</summary>
public sealed record ReceptionHours(TimeOnly Opens, TimeOnly Closes)
{
    public bool Contains(TimeOnly minute) => minute >= Opens && minute <= Closes;

    public override string ToString() => $"{Opens:HH\\:mm}–{Closes:HH\\:mm}";
}

/// <summary>No reception from <see cref="From"/> until (not including) <see cref="To"/>.</summary>
public sealed record ReceptionBreak(string RuleId, string Source, TimeOnly From, TimeOnly To)
{
    public bool Contains(TimeOnly minute) => minute >= From && minute < To;

    public Rule Rule => new(RuleId, Source,
        $"{JapanTime.Ja(From)}から{JapanTime.Ja(To)}までは受付を行っていません",
        $"No reception from {From:HH\\:mm} to {To:HH\\:mm}");
}

public enum ClosureKind
{
    /// <summary>National holidays (国民の祝日, 振替休日, 国民の休日).</summary>
    NationalHolidays,

    /// <summary>29 December to 3 January.</summary>
    YearEnd,

    /// <summary>The third Saturday of the month and the Sunday after it.</summary>
    ThirdWeekend,
}

public sealed record OfficeClosure(ClosureKind Kind, string RuleId, string Source, string? NoteJa);

/// <summary>A day the office opens although it would be closed (e.g. a holiday opening at 高槻市役所本館).</summary>
public sealed record SpecialOpening(DateOnly Date, ReceptionHours Hours);

/// <summary>A counter (窓口) of a municipality, with its reception calendar.</summary>
public sealed record OfficePolicy(
    string Municipality,
    string Id,
    OfficeKind Kind,
    string NameJa,
    string HoursSource,
    IReadOnlyDictionary<DayOfWeek, ReceptionHours> Hours,
    ReceptionHours? NationalHolidayHours,
    IReadOnlyList<ReceptionBreak> Breaks,
    IReadOnlyList<OfficeClosure> Closures,
    bool SpecialOpeningsPossible,
    IReadOnlyList<SpecialOpening> SpecialOpenings)
{
    /// <summary>The ward whose residents this ward office serves, where that matters (004: 住所地の区役所); null elsewhere.</summary>
    public string? Ward { get; init; }

    /// <summary>
    /// The counters (窓口) a clerk calls tickets to, by the names the wall display shows. No seed
    /// names them: a profile lists an office's own, else it has <see cref="DefaultCounters"/>.
    /// </summary>
    public IReadOnlyList<string> Counters { get; init; } = DefaultCounters;

    /// <summary>The longest counter name a profile may list, and a call may name.</summary>
    public const int MaxCounterNameLength = 32;

    /// <summary>Three numbered counters: what an office has when its profile lists none (not from a seed).</summary>
    public static IReadOnlyList<string> DefaultCounters { get; } = ["1番窓口", "2番窓口", "3番窓口"];

    /// <summary>
    /// Whether the office receives visitors at <paramref name="at"/>, judged in Japan time to the minute:
    /// a listed special opening first, then closed days (year-end, national holidays, the third weekend),
    /// then the day's hours, then breaks.
    /// </summary>
    public ReceptionDecision ReceptionAt(DateTimeOffset at)
    {
        var (date, minute) = JapanTime.Of(at);
        var hours = SpecialOpenings.FirstOrDefault(o => o.Date == date)?.Hours;
        if (hours is null)
        {
            if (ClosedOn(date) is { } closed) return closed;
            hours = NationalHolidayHours is not null && JapaneseHolidays.IsHoliday(date)
                ? NationalHolidayHours
                : Hours.GetValueOrDefault(date.DayOfWeek);
            if (hours is null)
            {
                var day = JapanTime.WeekdayJa(date.DayOfWeek);
                return ReceptionDecision.Closed(
                    new Rule($"{Municipality}-{Id}-reception-days", HoursSource, $"{day}は受付を行っていません", $"No reception on {date.DayOfWeek}s"),
                    $"{JapanTime.Ja(date)}({day})は受付日ではありません。{NameJa}の受付時間は{HoursSummaryJa}です");
            }
        }

        if (!hours.Contains(minute))
        {
            return ReceptionDecision.Closed(
                new Rule($"{Municipality}-{Id}-reception-hours", HoursSource, $"受付時間は{HoursSummaryJa}です", $"Reception hours are {HoursSummaryEn}"),
                $"{JapanTime.Ja(minute)}は受付時間外です。{NameJa}のこの日の受付時間は{JapanTime.Ja(hours.Opens)}から{JapanTime.Ja(hours.Closes)}です");
        }

        foreach (var pause in Breaks)
        {
            if (pause.Contains(minute))
            {
                return ReceptionDecision.Closed(pause.Rule,
                    $"{JapanTime.Ja(pause.From)}から{JapanTime.Ja(pause.To)}までは受付を休止しています。{JapanTime.Ja(pause.To)}から受付を再開します");
            }
        }
        return ReceptionDecision.Open;
    }

    private ReceptionDecision? ClosedOn(DateOnly date)
    {
        var dateJa = JapanTime.Ja(date);
        if (Closure(ClosureKind.YearEnd) is { } yearEnd && (date is { Month: 12, Day: >= 29 } or { Month: 1, Day: <= 3 }))
        {
            return ReceptionDecision.Closed(
                new Rule(yearEnd.RuleId, yearEnd.Source, "年末年始(12月29日から1月3日まで)は受付を行っていません", "No reception from 29 December to 3 January"),
                $"{dateJa}は年末年始のため{NameJa}は受付を行っていません{Note(yearEnd)}");
        }
        if (Closure(ClosureKind.NationalHolidays) is { } holidays && JapaneseHolidays.IsHoliday(date))
        {
            return ReceptionDecision.Closed(
                new Rule(holidays.RuleId, holidays.Source, "祝日は受付を行っていません", "No reception on national holidays"),
                $"{dateJa}は{JapaneseHolidays.NameOf(date) ?? "祝日"}のため{NameJa}は受付を行っていません{Note(holidays)}");
        }
        if (Closure(ClosureKind.ThirdWeekend) is { } third && IsThirdWeekend(date))
        {
            return ReceptionDecision.Closed(
                new Rule(third.RuleId, third.Source, "毎月第3土曜日・日曜日は休業日です", "Closed on the third Saturday and Sunday of every month"),
                $"{dateJa}({JapanTime.WeekdayJa(date.DayOfWeek)})は{NameJa}の休業日です(毎月第3土日{(third.NoteJa is null ? "" : "、" + third.NoteJa)})");
        }
        return null;
    }

    private OfficeClosure? Closure(ClosureKind kind) => Closures.FirstOrDefault(c => c.Kind == kind);

    private static string Note(OfficeClosure closure) => closure.NoteJa is null ? "" : $"({closure.NoteJa})";

    private static bool IsThirdWeekend(DateOnly date) => date.DayOfWeek switch
    {
        DayOfWeek.Saturday => date.Day is >= 15 and <= 21,
        DayOfWeek.Sunday => date.Day is >= 16 and <= 22,
        _ => false,
    };

    /// <summary>E.g. 「平日8時30分から18時30分、土日祝日8時30分から16時30分」.</summary>
    public string HoursSummaryJa => string.Join("、", Summary().Select(s => $"{s.Ja}{JapanTime.Ja(s.Hours.Opens)}から{JapanTime.Ja(s.Hours.Closes)}"));

    public string HoursSummaryEn => string.Join(", ", Summary().Select(s => $"{s.En} {s.Hours}"));

    private List<(string Ja, string En, ReceptionHours Hours)> Summary()
    {
        var segments = new List<(string Ja, string En, ReceptionHours Hours)>();
        void Group(DayOfWeek[] days, string ja, string en)
        {
            var first = Hours.GetValueOrDefault(days[0]);
            if (first is not null && days.All(d => Hours.GetValueOrDefault(d) == first))
            {
                segments.Add((ja, en, first));
                return;
            }
            foreach (var d in days)
            {
                if (Hours.GetValueOrDefault(d) is { } h) segments.Add((JapanTime.WeekdayJa(d), d + "s", h));
            }
        }
        Group([DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday], "平日", "weekdays");
        Group([DayOfWeek.Saturday, DayOfWeek.Sunday], "土日", "weekends");
        if (NationalHolidayHours is { } holiday)
        {
            if (segments.Count > 0 && segments[^1] is ("土日", _, var weekend) && weekend == holiday)
            {
                segments[^1] = ("土日祝日", "weekends and holidays", holiday);
            }
            else
            {
                segments.Add(("祝日", "holidays", holiday));
            }
        }
        return segments;
    }
}

/// <summary>Japan Standard Time is UTC+9 all year (no daylight saving), so no time zone database is needed.</summary>
