namespace CaseSystem.Cases;

/// <summary>Japan time: UTC+9 all year (no daylight saving), without the machine's time-zone database.</summary>
public static class JapanTime
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(9);

    public static DateOnly DateOf(DateTimeOffset moment) => DateOnly.FromDateTime(moment.ToOffset(Offset).DateTime);

    /// <summary>The Japanese calendar date and the wall-clock minute (seconds dropped) of <paramref name="at"/>.</summary>
    public static (DateOnly Date, TimeOnly Minute) Of(DateTimeOffset at)
    {
        var local = at.ToOffset(Offset);
        return (DateOnly.FromDateTime(local.DateTime), new TimeOnly(local.Hour, local.Minute));
    }

    public static string Ja(TimeOnly time) => $"{time.Hour}時{time.Minute:00}分";

    public static string Ja(DateOnly date) => $"{date.Year}年{date.Month}月{date.Day}日";

    public static string WeekdayJa(DayOfWeek day) => "日月火水木金土"[(int)day] + "曜日";
}
