namespace CaseSystem.Projections.ExpiryForecast;

/// <summary>
/// The expiry wave ahead, per office and ISO week (Monday to Sunday, Japan time), for
/// <see cref="ExpiryForecastQuery.Weeks"/> weeks from the current one. No personal data: counts only.
/// </summary>
/// <param name="FirstWeek">The Monday of the current ISO week in Japan.</param>
/// <param name="Weeks">The weeks, in order: their ISO names (2026-W53) and days.</param>
/// <param name="Offices">Every office of the municipal profile, in the profile's order, each with one cell per week.</param>
public sealed record ExpiryForecast(
    string Municipality,
    DateOnly AsOf,
    DateOnly FirstWeek,
    ForecastAssumptions Assumptions,
    IReadOnlyList<ForecastWeekKey> Weeks,
    IReadOnlyList<ForecastOffice> Offices);

public sealed record ForecastWeekKey(string IsoWeek, DateOnly Monday, DateOnly Sunday);

/// <summary>
/// What the forecast multiplies by, each with the figures it comes from (numerator and
/// denominator) and its source: "observed" from the renewal report's totals of the municipality
/// (never a suppressed group's: with fewer cases than the report's threshold the default is
/// taken), else "default".
/// </summary>
/// <param name="RenewalRate">Renewed / rate base (the report's <c>RenewalRate</c>); default 1: every holder comes.</param>
/// <param name="VisitsPerCase">Visits / finished cases (the report's <c>VisitsPerCase</c>); default 1.</param>
/// <param name="ServiceMinutes">The municipality's mean service time (called → visit ended, over visits); default 15 minutes.</param>
/// <param name="UnassignedTo">The office a case with no office yet (a notice never visited) is counted at: the profile's main office.</param>
public sealed record ForecastAssumptions(
    double RenewalRate,
    string RenewalRateSource,
    int? Renewed,
    int? RateBase,
    double VisitsPerCase,
    string VisitsPerCaseSource,
    int? Visits,
    int? FinishedCases,
    double ServiceMinutes,
    string ServiceMinutesSource,
    int? ServedVisits,
    int SuppressBelow,
    string UnassignedTo);

/// <summary>
/// One office's weeks. <paramref name="ServiceMinutes"/> is the office's own observed mean when its
/// group in the report is not suppressed ("office"), else the municipality's observed mean
/// ("municipality"), else the default ("default").
/// </summary>
public sealed record ForecastOffice(
    string Office,
    string NameJa,
    int Counters,
    double ServiceMinutes,
    string ServiceMinutesSource,
    IReadOnlyList<ForecastCell> Weeks);

/// <summary>
/// One office in one week.
/// </summary>
/// <param name="Expiring">Cases whose user-authentication certificate expires that week (every case, renewed or not), at this office.</param>
/// <param name="Pending">Of those, the cases still active (not closed): the ones still to come.</param>
/// <param name="Unassigned">Of <paramref name="Expiring"/>, the cases with no office yet, counted here because this is the main office.</param>
/// <param name="ExpectedVisits">Pending × renewal rate × visits per case, to 2 decimals.</param>
/// <param name="ReceptionMinutes">Minutes of reception that week by the profile (hours, breaks, holidays, closures).</param>
/// <param name="Capacity">Counters × reception minutes ÷ service minutes, in whole visits.</param>
/// <param name="OverCapacity">Expected visits exceed the capacity.</param>
public sealed record ForecastCell(
    string IsoWeek,
    int Expiring,
    int Pending,
    int Unassigned,
    double ExpectedVisits,
    int ReceptionMinutes,
    int Capacity,
    bool OverCapacity);
