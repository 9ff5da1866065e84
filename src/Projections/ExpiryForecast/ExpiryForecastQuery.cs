using System.Globalization;
using CaseSystem.Cases;
using CaseSystem.Cases.Policies;
using CaseSystem.Projections.CaseFinder;
using CaseSystem.Projections.RenewalRates;
using Npgsql;
using NpgsqlTypes;

namespace CaseSystem.Projections.ExpiryForecast;

/// <summary>
/// The expiry wave forecast, computed at request time from two read models (never the event
/// log): the case finder's cases (one row per case: its user-authentication expiry date, status
/// and office), counted per office and week in SQL, so that no row leaves the database; and the
/// renewal report's totals for the observed rate, visits per case and service time.
/// <para>
/// Attribution: a case's office is the finder's (the office it was opened, reserved, arrived or
/// visited at, the latest); a notice never visited has none and is counted at the municipality's
/// main office (<see cref="OfficeKind.Main"/>; the first office if the profile marks none), and
/// shown as such (<see cref="ForecastCell.Unassigned"/>). The expected visits are placed in the
/// week of the expiry, although holders come during the three months before it.
/// </para>
/// </summary>
public sealed class ExpiryForecastQuery(NpgsqlDataSource db, CaseFinderProjection finder, RenewalReportQuery report, TimeProvider? time = null)
{
    /// <summary>The weeks forecast, the current one first.</summary>
    public const int Weeks = 26;

    /// <summary>No history yet: every holder whose certificate expires comes (rate 1), once (1 visit).</summary>
    public const double DefaultRenewalRate = 1.0;

    public const double DefaultVisitsPerCase = 1.0;

    /// <summary>No observed service time yet: 15 minutes a visit (no seed gives one).</summary>
    public const double DefaultServiceMinutes = 15.0;

    public async Task<ExpiryForecast> ForecastAsync(string municipality, CancellationToken ct)
    {
        var policy = MunicipalPolicies.For(municipality);
        var today = JapanTime.DateOf((time ?? TimeProvider.System).GetUtcNow());
        var monday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        var main = policy.Offices.FirstOrDefault(o => o.Kind == OfficeKind.Main) ?? policy.Offices[0];

        // The report's own floor: the forecast shows its factors, which must not tell a small group apart either.
        var floor = policy.ReportSuppressBelow;
        var totals = (await report.QueryAsync(municipality, new ReportFilter { SuppressBelow = floor, AsOf = today }, ct)).Totals;
        var byOffice = (await report.QueryAsync(municipality,
            new ReportFilter { GroupBy = [ReportDimension.Office], SuppressBelow = floor, AsOf = today }, ct)).Groups;
        var assumptions = Assumptions(totals, main.Id, floor);

        var counts = await CountsAsync(municipality, monday, ct);
        var weeks = Enumerable.Range(0, Weeks).Select(i => monday.AddDays(7 * i))
            .Select(d => new ForecastWeekKey(IsoWeek(d), d, d.AddDays(6))).ToList();
        var known = policy.Offices.Select(o => o.Id).ToHashSet(StringComparer.Ordinal);

        var offices = new List<ForecastOffice>();
        foreach (var office in policy.Offices)
        {
            var own = byOffice.FirstOrDefault(g => g.Office == office.Id && !g.Suppressed && g.ServiceMinutesMean is not null);
            var (service, source) = own?.ServiceMinutesMean is { } m ? (m, "office")
                : (assumptions.ServiceMinutes, assumptions.ServiceMinutesSource == "observed" ? "municipality" : "default");
            var cells = new List<ForecastCell>();
            for (var w = 0; w < weeks.Count; w++)
            {
                int expiring = 0, pending = 0, unassigned = 0;
                foreach (var c in counts.Where(c => c.Week == w))
                {
                    var mine = c.Office == office.Id || (office == main && (c.Office is null || !known.Contains(c.Office)));
                    if (!mine) continue;
                    expiring += c.Expiring;
                    pending += c.Pending;
                    if (c.Office is null || !known.Contains(c.Office)) unassigned += c.Expiring;
                }
                var expected = Math.Round(pending * assumptions.RenewalRate * assumptions.VisitsPerCase, 2, MidpointRounding.AwayFromZero);
                var minutes = OfficeCapacity.WeekMinutes(office, weeks[w].Monday);
                var capacity = OfficeCapacity.Visits(office.Counters.Count, minutes, service);
                cells.Add(new ForecastCell(weeks[w].IsoWeek, expiring, pending, unassigned, expected, minutes, capacity, expected > capacity));
            }
            offices.Add(new ForecastOffice(office.Id, office.NameJa, office.Counters.Count, Math.Round(service, 2), source, cells));
        }
        return new ExpiryForecast(municipality, today, monday, assumptions, weeks, offices);
    }

    /// <summary>The report's totals as the forecast's factors; a suppressed total (too few cases) or one without data gives the defaults.</summary>
    internal static ForecastAssumptions Assumptions(RenewalReportRow t, string mainOffice, int suppressBelow)
    {
        var rate = !t.Suppressed && t.RenewalRate is { } r && t.RateBase > 0 ? r : (double?)null;
        var visits = !t.Suppressed && t.VisitsPerCase is { } v && t.FinishedCases > 0 ? v : (double?)null;
        var service = !t.Suppressed && t.ServiceMinutesMean is { } s && s > 0 ? s : (double?)null;
        var renewed = t.RenewedBeforeExpiry + t.RenewedLate + t.IssuedOnReissuedCard;
        return new ForecastAssumptions(
            rate ?? DefaultRenewalRate, rate is null ? "default" : "observed", rate is null ? null : renewed, rate is null ? null : t.RateBase,
            visits ?? DefaultVisitsPerCase, visits is null ? "default" : "observed",
            visits is null ? null : (int)Math.Round(visits.Value * t.FinishedCases!.Value), visits is null ? null : t.FinishedCases,
            service ?? DefaultServiceMinutes, service is null ? "default" : "observed", service is null ? null : t.ServedVisits,
            suppressBelow, mainOffice);
    }

    private sealed record Count(string? Office, int Week, int Expiring, int Pending);

    /// <summary>Cases per office and week of their user-authentication expiry, from the case finder's table; only counts leave the database.</summary>
    private async Task<List<Count>> CountsAsync(string municipality, DateOnly monday, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"""
            select office, (user_expiry - $2) / 7 as week, count(*)::int, count(*) filter (where status = 'active')::int
            from {finder.Cases}
            where municipality = $1 and user_expiry >= $2 and user_expiry < $2 + $3
            group by 1, 2
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = municipality, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = monday, NpgsqlDbType = NpgsqlDbType.Date });
        cmd.Parameters.Add(new NpgsqlParameter { Value = Weeks * 7, NpgsqlDbType = NpgsqlDbType.Integer });
        var counts = new List<Count>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            counts.Add(new Count(r.IsDBNull(0) ? null : r.GetString(0), r.GetInt32(1), r.GetInt32(2), r.GetInt32(3)));
        }
        return counts;
    }

    /// <summary>The ISO 8601 week of a day, e.g. 2026-W53.</summary>
    public static string IsoWeek(DateOnly day) =>
        string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(day.ToDateTime(TimeOnly.MinValue))}-W{ISOWeek.GetWeekOfYear(day.ToDateTime(TimeOnly.MinValue)):00}");
}
