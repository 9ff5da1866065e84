using CaseSystem.Cases.Timers;
using Microsoft.Extensions.Configuration;

namespace CaseSystem.Cases.Demo;

/// <summary>
/// The demo (issue 13: <c>ops/run --demo</c>): a server anyone may try outside Japanese office
/// hours, with sample cases of all five municipalities and a clock the demo may move forward,
/// shown on every page. A moved clock records moved times in the event log, so it exists only
/// here: a normal start refuses CASES_CLOCK_OFFSET.
/// </summary>
public static class DemoMode
{
    public const string Setting = "CASES_DEMO";

    /// <summary>CASES_DEMO_SEED=0: a demo clock without the sample cases (the tests' server processes).</summary>
    public const string SeedSetting = "CASES_DEMO_SEED";

    public static bool IsOn(IConfiguration configuration) => Truthy(configuration[Setting]);

    public static bool Seeds(IConfiguration configuration) =>
        IsOn(configuration) && configuration[SeedSetting]?.Trim().ToLowerInvariant() is not ("0" or "false" or "no" or "off");

    private static bool Truthy(string? value) => value?.Trim().ToLowerInvariant() is "1" or "true" or "yes" or "on";

    /// <summary>
    /// The clock a start asks for: none outside the demo (where an offset refuses the start), and
    /// in the demo the offset asked for, or one that puts a start outside reception hours on the
    /// next weekday at 10:00 Japan time, so that the counter can be tried at once.
    /// </summary>
    public static ShiftedClock? Clock(IConfiguration configuration, DateTimeOffset realNow)
    {
        var shifted = ShiftedClock.FromConfiguration(configuration);
        if (!IsOn(configuration))
        {
            return shifted is null ? null : throw new InvalidOperationException(
                $"{ShiftedClock.Setting} はデモ環境({Setting}=1、ops/run --demo)でのみ使えます。時計をずらすと記録の時刻がずれるためです。" +
                $" / {ShiftedClock.Setting} is taken only in demo mode ({Setting}=1, ops/run --demo): a shifted clock records shifted times.");
        }
        if (shifted is not null) return shifted;
        var japan = realNow.ToOffset(JapanTime.Offset);
        var open = japan.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && japan.Hour is >= 9 and < 16;
        if (open) return new ShiftedClock(TimeSpan.Zero);
        var day = japan.Date.AddDays(japan.Hour >= 9 ? 1 : 0);
        while (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) day = day.AddDays(1);
        var tenOClock = new DateTimeOffset(day.AddHours(10), JapanTime.Offset);
        return new ShiftedClock(tenOClock - realNow);
    }
}
