using CaseSystem.Cases;
using CaseSystem.Projections.Daemon;
using Npgsql;
using NpgsqlTypes;

namespace CaseSystem.Projections.RenewalRates;

/// <summary>
/// The renewal report, aggregated in SQL over
/// <see cref="RenewalReportProjection"/>,
/// always within one municipality. The figures are defined on <see cref="RenewalReportRow"/>.
/// </summary>
public sealed class RenewalReportQuery(NpgsqlDataSource db, RenewalReportProjection report, TimeProvider? time = null)
{
    private string View => report.CaseFactsTable;

    private static readonly (ReportDimension Dimension, string Column, string Type)[] Keys =
    [
        (ReportDimension.CohortMonth, "cohort_month", "date"),
        (ReportDimension.Office, "office", "text"),
        (ReportDimension.WhoCame, "who_came", "text"),
        (ReportDimension.AgeBand, "age_band", "text"),
    ];

    /// <summary>
    /// The report of <paramref name="municipality"/>'s cases that pass the filter: one row per
    /// combination of the grouped dimensions' values, and the totals. Groups of fewer cases than
    /// <see cref="ReportFilter.SuppressBelow"/> are suppressed (<see cref="RenewalReportRow.Suppress"/>), the totals too.
    /// </summary>
    public async Task<RenewalReport> QueryAsync(string municipality, ReportFilter filter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(municipality);
        ArgumentNullException.ThrowIfNull(filter);
        var asOf = filter.AsOf ?? JapanTime.DateOf((time ?? TimeProvider.System).GetUtcNow());
        var grouped = filter.GroupBy.Distinct().Select(d => Keys.Single(k => k.Dimension == d).Column).ToList();

        await using var cmd = db.CreateCommand(Sql(grouped));
        cmd.Parameters.Add(new NpgsqlParameter { Value = municipality, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(Nullable(filter.CohortFrom is { } from ? FirstOfMonth(from) : null, NpgsqlDbType.Date));
        cmd.Parameters.Add(Nullable(filter.CohortTo is { } to ? FirstOfMonth(to) : null, NpgsqlDbType.Date));
        cmd.Parameters.Add(Nullable(filter.Office, NpgsqlDbType.Text));
        cmd.Parameters.Add(Nullable(filter.WhoCame, NpgsqlDbType.Text));
        cmd.Parameters.Add(Nullable(filter.AgeBand, NpgsqlDbType.Text));
        cmd.Parameters.Add(new NpgsqlParameter { Value = asOf, NpgsqlDbType = NpgsqlDbType.Date });

        var groups = new List<RenewalReportRow>();
        RenewalReportRow? totals = null;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                var row = new RenewalReportRow(
                    IsTotal: r.GetBoolean(0),
                    CohortMonth: r.IsDBNull(1) ? null : r.GetFieldValue<DateOnly>(1),
                    Office: Text(r, 2),
                    WhoCame: Text(r, 3),
                    AgeBand: Text(r, 4),
                    Cases: r.GetInt32(5),
                    NoticesSent: r.GetInt32(6),
                    RenewedBeforeExpiry: r.GetInt32(7),
                    RenewedLate: r.GetInt32(8),
                    Lapsed: r.GetInt32(9),
                    Open: r.GetInt32(10),
                    Withdrawn: r.GetInt32(11),
                    MovedOut: r.GetInt32(12),
                    RateBase: r.GetInt32(13),
                    RenewalRate: Number(r, 14),
                    FinishedCases: r.GetInt32(15),
                    VisitsPerCase: Number(r, 16),
                    CasesWithVisit: r.GetInt32(17),
                    InquiryShare: Number(r, 18),
                    InquiryTurnaroundDaysMean: Number(r, 19),
                    InquiryTurnaroundDaysMedian: Number(r, 20),
                    PinMismatchRate: Number(r, 21),
                    PinLockRate: Number(r, 22),
                    WaitMinutesMean: Number(r, 23),
                    WaitMinutesP90: Number(r, 24),
                    ServiceMinutesMean: Number(r, 25),
                    Suppressed: false,
                    IssuedOnReissuedCard: r.GetInt32(26),
                    Renewed: r.GetInt32(27),
                    FinishedVisits: r.GetInt32(28),
                    Inquiries: r.GetInt32(29),
                    CasesWithReply: r.GetInt32(30),
                    CasesWithMismatch: r.GetInt32(31),
                    CasesWithLock: r.GetInt32(32),
                    WaitedVisits: r.IsDBNull(33) ? 0 : r.GetInt32(33),
                    ServedVisits: r.IsDBNull(34) ? 0 : r.GetInt32(34));
                if (row.Cases < filter.SuppressBelow) row = row.Suppress();
                if (row.IsTotal) totals = row;
                else groups.Add(row);
            }
        }
        return new RenewalReport(municipality, filter, asOf, ProtectSuppressed(groups, filter.SuppressBelow),
            totals ?? throw new InvalidOperationException("the report query returned no totals row"));
    }

    /// <summary>
    /// Secondary suppression: the totals are the sum of the groups, so when the suppressed groups
    /// together hold at least one case but fewer than the threshold, the totals less the groups
    /// shown would give their figures. The smallest group shown is then suppressed too (marked
    /// <see cref="RenewalReportRow.SuppressedToProtect"/>), and the next, until the suppressed
    /// groups together reach the threshold (or none is shown, and the totals, as small, are
    /// suppressed themselves). Within one answer, no rate of a small group can be worked out.
    /// </summary>
    internal static List<RenewalReportRow> ProtectSuppressed(List<RenewalReportRow> groups, int threshold)
    {
        var hidden = groups.Where(g => g.Suppressed).Sum(g => g.Cases);
        while (hidden > 0 && hidden < threshold)
        {
            var smallest = groups.Where(g => !g.Suppressed).OrderBy(g => g.Cases).FirstOrDefault();
            if (smallest is null) break;
            groups[groups.IndexOf(smallest)] = smallest.Suppress() with { SuppressedToProtect = true };
            hidden += smallest.Cases;
        }
        return groups;
    }

    private static DateOnly FirstOfMonth(DateOnly day) => new(day.Year, day.Month, 1);

    /// <summary>
    /// The statement: the filtered cases (f); their counts and case-level figures by the grouping
    /// set and the empty set (c); the per-visit waits and service times, unnested, by the same
    /// sets (w, s), joined to c on the group's keys. Only column names from <see cref="Keys"/> are
    /// spliced in; every value is a parameter.
    /// </summary>
    internal string Sql(IReadOnlyList<string> grouped)
    {
        string KeyList(string alias) => string.Join(", ", Keys.Select(k =>
            grouped.Contains(k.Column) ? $"{alias}.{k.Column}" : $"null::{k.Type} as {k.Column}"));
        var isTotal = grouped.Count == 0 ? "true" : $"grouping(f.{grouped[0]}) = 1";
        var groupBy = grouped.Count == 0 ? "" : $"group by grouping sets (({string.Join(", ", grouped.Select(c => "f." + c))}), ())";
        string JoinOn(string other) => string.Join(" and ", Keys.Select(k => $"c.{k.Column} is not distinct from {other}.{k.Column}").Prepend($"c.is_total = {other}.is_total"));
        const string Renewed = "f.outcome in ('renewed-before-expiry', 'renewed-late', 'issued-on-reissued-card')";
        const string Visited = "f.visits > 0";
        const string Turnaround = "extract(epoch from f.inquiry_reply_at - f.inquiry_mailed_at)::float8 / 86400";

        return $"""
            with f as (
                select * from {View}
                where municipality = $1
                  and ($2::date is null or cohort_month >= $2)
                  and ($3::date is null or cohort_month <= $3)
                  and ($4::text is null or office = $4)
                  and ($5::text is null or who_came = $5)
                  and ($6::text is null or age_band = $6)
            ),
            c as (
                select {KeyList("f")}, {isTotal} as is_total,
                    count(*)::int as cases,
                    count(*) filter (where f.notice_sent)::int as notices_sent,
                    count(*) filter (where f.outcome = 'renewed-before-expiry')::int as renewed_before_expiry,
                    count(*) filter (where f.outcome = 'renewed-late')::int as renewed_late,
                    count(*) filter (where f.outcome = 'lapsed')::int as lapsed,
                    count(*) filter (where f.outcome = 'open')::int as open,
                    count(*) filter (where f.outcome = 'withdrawn')::int as withdrawn,
                    count(*) filter (where f.outcome = 'moved-out')::int as moved_out,
                    count(*) filter (where {Renewed} or f.outcome in ('lapsed', 'withdrawn')
                        or (f.outcome = 'open' and (f.cohort_month + interval '1 month')::date <= $7))::int as rate_base,
                    count(*) filter (where f.outcome <> 'open')::int as finished,
                    avg(f.visits) filter (where f.outcome <> 'open')::float8 as visits_per_case,
                    count(*) filter (where {Visited})::int as visited,
                    count(*) filter (where {Visited} and f.needed_inquiry)::int as inquiries,
                    avg({Turnaround}) as turnaround_mean,
                    percentile_cont(0.5) within group (order by {Turnaround}) as turnaround_median,
                    count(*) filter (where {Visited} and f.pin_mismatches > 0)::int as mismatched,
                    count(*) filter (where {Visited} and f.pin_locked)::int as locked,
                    count(*) filter (where {Renewed})::int as renewed,
                    count(*) filter (where f.outcome = 'issued-on-reissued-card')::int as reissued_card,
                    coalesce(sum(f.visits) filter (where f.outcome <> 'open'), 0)::int as finished_visits,
                    count({Turnaround})::int as replied
                from f
                {groupBy}
            ),
            w as (
                select {KeyList("f")}, {isTotal} as is_total,
                    avg(x.seconds) / 60 as wait_mean,
                    percentile_cont(0.9) within group (order by x.seconds) / 60 as wait_p90,
                    count(*)::int as waited
                from f cross join lateral unnest(f.wait_seconds) as x(seconds)
                {groupBy}
            ),
            s as (
                select {KeyList("f")}, {isTotal} as is_total,
                    avg(x.seconds) / 60 as service_mean,
                    count(*)::int as served
                from f cross join lateral unnest(f.service_seconds) as x(seconds)
                {groupBy}
            )
            select c.is_total, c.cohort_month, c.office, c.who_came, c.age_band,
                c.cases, c.notices_sent, c.renewed_before_expiry, c.renewed_late, c.lapsed, c.open, c.withdrawn, c.moved_out,
                c.rate_base, c.renewed::float8 / nullif(c.rate_base, 0),
                c.finished, c.visits_per_case,
                c.visited, c.inquiries::float8 / nullif(c.visited, 0),
                c.turnaround_mean, c.turnaround_median,
                c.mismatched::float8 / nullif(c.visited, 0), c.locked::float8 / nullif(c.visited, 0),
                w.wait_mean, w.wait_p90, s.service_mean, c.reissued_card,
                c.renewed, c.finished_visits, c.inquiries, c.replied, c.mismatched, c.locked, w.waited, s.served
            from c
            left join w on {JoinOn("w")}
            left join s on {JoinOn("s")}
            order by c.is_total, c.cohort_month nulls last, c.office nulls last, c.who_came nulls last, c.age_band nulls last
            """;
    }

    private static NpgsqlParameter Nullable(object? value, NpgsqlDbType type) => new() { Value = value ?? DBNull.Value, NpgsqlDbType = type };

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static double? Number(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDouble(i);
}
