using System.Globalization;
using CaseSystem.Cases;
using CaseSystem.Projections.QueueBoard;
using Npgsql;
using NpgsqlTypes;

namespace CaseSystem.Projections.RenewalRates;

/// <summary>One ISO week (Monday to Sunday, Japan time) of the weekly series.</summary>
/// <param name="Renewals">Cases whose first renewal (or issuance) fell in the week (<c>renewed_at</c> of the report's facts).</param>
/// <param name="Lapses">Cases whose user-authentication certificate lapsed in the week (<c>lapsed_at</c>).</param>
/// <param name="WaitedVisits">The waits' denominator: tickets that arrived in the week and were called (voided ones left out).</param>
/// <param name="WaitMinutesMean">Their mean wait, arrival → call; null (counts only) when fewer than the threshold.</param>
public sealed record WeeklyPoint(string IsoWeek, DateOnly Monday, int Renewals, int Lapses, int WaitedVisits, double? WaitMinutesMean, double? WaitMinutesTotal);

public sealed record WeeklySeries(string Municipality, int SuppressBelow, IReadOnlyList<WeeklyPoint> Weeks);

/// <summary>
/// Renewals, lapses and waits per ISO week in Japan time, for the <c>weeks</c> weeks up to and
/// including the current one, from the report's facts and the queue board's tickets (read
/// models; no personal data). A week with fewer waits than the threshold shows their count only.
/// </summary>
public sealed class WeeklySeriesQuery(NpgsqlDataSource db, RenewalReportProjection report, QueueBoardProjection board, TimeProvider? time = null)
{
    public async Task<WeeklySeries> QueryAsync(string municipality, int weeks, int suppressBelow, CancellationToken ct)
    {
        var today = JapanTime.DateOf((time ?? TimeProvider.System).GetUtcNow());
        var last = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        var first = last.AddDays(-7 * (weeks - 1));
        await using var cmd = db.CreateCommand($"""
            with w as (select generate_series($2::date, $3::date, interval '7 days')::date as monday),
            r as (select date_trunc('week', renewed_at at time zone 'Asia/Tokyo')::date as monday, count(*)::int as n
                  from {report.CaseFactsTable} where municipality = $1 and renewed_at is not null group by 1),
            l as (select date_trunc('week', lapsed_at at time zone 'Asia/Tokyo')::date as monday, count(*)::int as n
                  from {report.CaseFactsTable} where municipality = $1 and lapsed_at is not null group by 1),
            q as (select date_trunc('week', arrived_at at time zone 'Asia/Tokyo')::date as monday, count(*)::int as n,
                         sum(extract(epoch from called_at - arrived_at))::float8 / 60 as minutes
                  from {board.Tickets} where municipality = $1 and voided_at is null and arrived_at is not null
                    and called_at is not null and called_at >= arrived_at group by 1)
            select w.monday, coalesce(r.n, 0), coalesce(l.n, 0), coalesce(q.n, 0), q.minutes
            from w left join r using (monday) left join l using (monday) left join q using (monday)
            order by w.monday
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = municipality, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = first, NpgsqlDbType = NpgsqlDbType.Date });
        cmd.Parameters.Add(new NpgsqlParameter { Value = last, NpgsqlDbType = NpgsqlDbType.Date });
        var points = new List<WeeklyPoint>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var monday = r.GetFieldValue<DateOnly>(0);
            var waited = r.GetInt32(3);
            var minutes = r.IsDBNull(4) ? (double?)null : r.GetDouble(4);
            var shown = waited >= suppressBelow && minutes is not null;
            points.Add(new WeeklyPoint(IsoWeek(monday), monday, r.GetInt32(1), r.GetInt32(2), waited,
                shown ? Math.Round(minutes!.Value / waited, 2) : null, shown ? Math.Round(minutes!.Value, 2) : null));
        }
        return new WeeklySeries(municipality, suppressBelow, points);
    }

    public static string IsoWeek(DateOnly day) =>
        string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(day.ToDateTime(TimeOnly.MinValue))}-W{ISOWeek.GetWeekOfYear(day.ToDateTime(TimeOnly.MinValue)):00}");
}
