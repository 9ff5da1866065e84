using CaseSystem.Cases;
using CaseSystem.Cases.Policies;

namespace CaseSystem.Projections.ExpiryForecast;

/// <summary>
/// How many visits an office can serve in a week, from its municipal profile: its counters
/// (<see cref="OfficePolicy.Counters"/>; three where the profile lists none) × the minutes it
/// receives visitors that week ÷ the mean service time. The minutes follow the profile's own
/// calendar: a special opening first, then closed days (year-end, national holidays, the third
/// weekend), then the day's hours (or the holiday hours), less the breaks.
/// </summary>
public static class OfficeCapacity
{
    /// <summary>Minutes of reception on <paramref name="date"/>: from the opening to the closing minute, less the breaks; 0 on a closed day.</summary>
    public static int ReceptionMinutes(OfficePolicy office, DateOnly date)
    {
        ArgumentNullException.ThrowIfNull(office);
        var hours = office.SpecialOpenings.FirstOrDefault(o => o.Date == date)?.Hours
            ?? (office.NationalHolidayHours is { } holiday && JapaneseHolidays.IsHoliday(date) ? holiday : office.Hours.GetValueOrDefault(date.DayOfWeek));
        if (hours is null || hours.Closes <= hours.Opens) return 0;
        var minutes = (int)(hours.Closes - hours.Opens).TotalMinutes;
        foreach (var pause in office.Breaks)
        {
            var from = pause.From > hours.Opens ? pause.From : hours.Opens;
            var to = pause.To < hours.Closes ? pause.To : hours.Closes;
            if (to > from) minutes -= (int)(to - from).TotalMinutes;
        }
        // A closed day (year-end, a national holiday, the third weekend) is the profile's to say:
        // asked at the first minute of reception, the office answers whether it opens at all.
        var first = hours.Opens;
        foreach (var pause in office.Breaks.OrderBy(b => b.From))
        {
            if (pause.Contains(first)) first = pause.To;
        }
        if (first > hours.Closes) return 0;
        var at = new DateTimeOffset(date.ToDateTime(first), JapanTime.Offset);
        return office.ReceptionAt(at).IsOpen ? Math.Max(0, minutes) : 0;
    }

    /// <summary>Minutes of reception in the seven days from <paramref name="monday"/>.</summary>
    public static int WeekMinutes(OfficePolicy office, DateOnly monday) =>
        Enumerable.Range(0, 7).Sum(d => ReceptionMinutes(office, monday.AddDays(d)));

    /// <summary>Whole visits: counters × minutes ÷ minutes per visit, rounded down.</summary>
    public static int Visits(int counters, int minutes, double serviceMinutes) =>
        serviceMinutes > 0 ? (int)Math.Floor(counters * (double)minutes / serviceMinutes + 1e-9) : 0;
}
