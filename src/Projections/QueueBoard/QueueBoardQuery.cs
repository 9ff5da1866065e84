using CaseSystem.Cases;
using Npgsql;

namespace CaseSystem.Projections.QueueBoard;

/// <param name="ReservedAt">The slot of the case's reservation at this office, if it has one (Kawasaki).</param>
public sealed record WaitingTicket(Guid CaseId, string? Ticket, DateTimeOffset ArrivedAt, double WaitedMinutes, DateTimeOffset? ReservedAt = null);

/// <param name="LastCalledAt">The latest call of the ticket: a recall moves it (and the display chimes again); <see cref="CalledAt"/> stays the first.</param>
public sealed record ServedTicket(Guid CaseId, string? Ticket, string? Counter, string? Clerk, DateTimeOffset CalledAt, bool VisitStarted,
    DateTimeOffset? LastCalledAt = null);

/// <summary>A call the wall display lists under 「最近の呼出し」: the ticket, the counter, when it was (last) called.</summary>
public sealed record RecentCall(string? Ticket, string? Counter, DateTimeOffset CalledAt);

public sealed record AwaitedReply(Guid CaseId, DateOnly MailedOn, DateOnly ReplyDueOn, int DaysSinceMailing, bool Overdue);

/// <summary>Minutes; null where nothing has been measured yet today.</summary>
public sealed record Durations(int Count, double? MeanMinutes, double? P90Minutes);

/// <summary>
/// An office's queue at a moment (now, or any moment past): who waits, who is at which counter
/// (<see cref="AtCounters"/>: called, visit started or not, until it ends), who is being called
/// (<see cref="NowServing"/>, the wall's 「ただいまの呼出し」: called, until the visit starts or ends or
/// the ticket is dropped), whose document inquiry is awaited, what finished today, and today's
/// waits and service times. A dropped ticket (no-show, cancelled, its visit voided) leaves the
/// queue when dropped; a voided one (its arrival recorded on the wrong case) is in none of it.
/// </summary>
public sealed record Board(
    string Municipality,
    string Office,
    DateTimeOffset AsOf,
    DateOnly Day,
    IReadOnlyList<WaitingTicket> Waiting,
    IReadOnlyList<ServedTicket> AtCounters,
    IReadOnlyList<ServedTicket> NowServing,
    IReadOnlyList<AwaitedReply> AwaitingInquiryReply,
    int FinishedToday,
    Durations WaitToday,
    Durations ServiceToday,
    int CountersActive,
    double? EstimatedWaitMinutes,
    string EstimateJa,
    IReadOnlyList<RecentCall>? RecentCalls = null);

public sealed class QueueBoardQuery(NpgsqlDataSource db, QueueBoardProjection board)
{
    /// <summary>Counters that called someone within this long count as staffed for the estimate.</summary>
    public static readonly TimeSpan CounterActiveWithin = TimeSpan.FromMinutes(60);

    /// <summary>How many calls the display lists under 「最近の呼出し」.</summary>
    public const int RecentCallCount = 5;

    public async Task<Board> BoardAsync(string municipality, string office, DateTimeOffset asOf, CancellationToken ct = default)
    {
        var day = JapanTime.DateOf(asOf);
        var at = asOf.UtcDateTime;
        await using var batch = new NpgsqlBatch();
        await using var conn = await db.OpenConnectionAsync(ct);
        batch.Connection = conn;
        batch.BatchCommands.Add(Command($"""
            select t.case_id, t.ticket, t.arrived_at, r.slot_start from {board.Tickets} t
            left join {board.Reservations} r on r.case_id = t.case_id and r.office = t.office
            where t.municipality = $1 and t.office = $2 and t.day = $3 and t.arrived_at <= $4
              and (t.called_at is null or t.called_at > $4) and (t.ended_at is null or t.ended_at > $4) and {InQueueT}
            order by t.arrived_at, t.ticket
            """, municipality, office, day, at));
        batch.BatchCommands.Add(Command($"""
            select case_id, ticket, counter, clerk, called_at, started_at is not null and started_at <= $4, last_called_at from {board.Tickets}
            where municipality = $1 and office = $2 and day = $3 and called_at <= $4 and (ended_at is null or ended_at > $4) and {InQueue}
            order by counter, called_at
            """, municipality, office, day, at));
        batch.BatchCommands.Add(Command($"""
            select case_id, mailed_on, reply_due_on from {board.Inquiries}
            where municipality = $1 and office = $2 and mailed_at <= $4 and (replied_at is null or replied_at > $4) and (closed_at is null or closed_at > $4) and $3::date is not null
            order by mailed_on, case_id
            """, municipality, office, day, at));
        batch.BatchCommands.Add(Command($"""
            select
              count(*) filter (where ended_at <= $4),
              count(*) filter (where called_at <= $4 and arrived_at is not null),
              avg(extract(epoch from called_at - arrived_at) / 60) filter (where called_at <= $4),
              percentile_cont(0.9) within group (order by extract(epoch from called_at - arrived_at) / 60) filter (where called_at <= $4),
              count(*) filter (where ended_at <= $4 and called_at is not null),
              avg(extract(epoch from ended_at - called_at) / 60) filter (where ended_at <= $4),
              percentile_cont(0.9) within group (order by extract(epoch from ended_at - called_at) / 60) filter (where ended_at <= $4),
              count(distinct counter) filter (where called_at <= $4
                and ((ended_at is null and (dropped_at is null or dropped_at > $4)) or ended_at > $4 or called_at > $4 - $5::interval))
            from {board.Tickets}
            where municipality = $1 and office = $2 and day = $3 and voided_at is null
            """, municipality, office, day, at, CounterActiveWithin));
        // The latest call of each ticket (a past asOf sees a recall made after it at the first call's place: recalls keep no history here).
        batch.BatchCommands.Add(Command($"""
            select ticket, counter, coalesce(last_called_at, called_at) from {board.Tickets}
            where municipality = $1 and office = $2 and day = $3 and called_at <= $4 and counter is not null and voided_at is null
            order by coalesce(last_called_at, called_at) desc limit {RecentCallCount}
            """, municipality, office, day, at));

        var waiting = new List<WaitingTicket>();
        var served = new List<ServedTicket>();
        var replies = new List<AwaitedReply>();
        await using var r = await batch.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var arrived = Moment(r, 2)!.Value;
            waiting.Add(new WaitingTicket(r.GetGuid(0), Text(r, 1), arrived, Math.Round((asOf - arrived).TotalMinutes, 1), Moment(r, 3)));
        }
        await r.NextResultAsync(ct);
        while (await r.ReadAsync(ct))
        {
            served.Add(new ServedTicket(r.GetGuid(0), Text(r, 1), Text(r, 2), Text(r, 3), Moment(r, 4)!.Value, r.GetBoolean(5), Moment(r, 6)));
        }
        // Being called: at a counter, the visit not yet started.
        var serving = served.Where(t => !t.VisitStarted).ToList();
        await r.NextResultAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var mailedOn = r.GetFieldValue<DateOnly>(1);
            var dueOn = r.GetFieldValue<DateOnly>(2);
            replies.Add(new AwaitedReply(r.GetGuid(0), mailedOn, dueOn, day.DayNumber - mailedOn.DayNumber, day > dueOn));
        }
        await r.NextResultAsync(ct);
        await r.ReadAsync(ct);
        var finished = (int)r.GetInt64(0);
        var wait = new Durations((int)r.GetInt64(1), Number(r, 2), Number(r, 3));
        var service = new Durations((int)r.GetInt64(4), Number(r, 5), Number(r, 6));
        var counters = (int)r.GetInt64(7);
        await r.NextResultAsync(ct);
        var recent = new List<RecentCall>();
        while (await r.ReadAsync(ct)) recent.Add(new RecentCall(Text(r, 0), Text(r, 1), Moment(r, 2)!.Value));

        // The next arrival waits for everyone ahead to be served, at today's mean service time,
        // by the counters staffed now (at least one).
        double? estimate = service.MeanMinutes is { } mean ? Math.Round(waiting.Count * mean / Math.Max(1, counters), 1) : null;
        var estimateJa = estimate is { } e
            ? $"ただいまの待ち時間の目安:約{Math.Ceiling(e)}分(待ち{waiting.Count}人、窓口{Math.Max(1, counters)}か所)"
            : waiting.Count == 0 ? "ただいま待ちはありません" : $"待ち{waiting.Count}人(本日の処理時間の実績がまだないため目安は出せません)";
        return new Board(municipality, office, asOf, day, waiting, served, serving, replies, finished, wait, service, counters, estimate, estimateJa, recent);
    }

    /// <summary>
    /// Every office's queue now (the metrics' gauges): how many wait, uncalled, and how long the one
    /// waiting longest has waited, in seconds. Counts only: no ticket, no case.
    /// </summary>
    public async Task<IReadOnlyList<(string Municipality, string Office, long Waiting, double LongestWaitSeconds)>> QueuesAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand($"""
            select municipality, office, count(*), coalesce(extract(epoch from $2 - min(arrived_at)), 0)::float8 from {board.Tickets}
            where day = $1 and arrived_at <= $2 and called_at is null and ended_at is null
              and voided_at is null and (dropped_at is null or dropped_at > $2)
            group by municipality, office
            """);
        cmd.Parameters.AddWithValue(JapanTime.DateOf(now));
        cmd.Parameters.AddWithValue(now.UtcDateTime);
        var rows = new List<(string, string, long, double)>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) rows.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetDouble(3)));
        return rows;
    }

    /// <summary>A ticket still in the queue at $4: not voided, not dropped by then.</summary>
    private const string InQueue = "voided_at is null and (dropped_at is null or dropped_at > $4)";

    private const string InQueueT = "t.voided_at is null and (t.dropped_at is null or t.dropped_at > $4)";

    private static NpgsqlBatchCommand Command(string sql, string municipality, string office, DateOnly day, DateTime at, TimeSpan? within = null)
    {
        var command = new NpgsqlBatchCommand(sql) { Parameters = { new() { Value = municipality }, new() { Value = office }, new() { Value = day }, new() { Value = at } } };
        if (within is { } w) command.Parameters.Add(new() { Value = w });
        return command;
    }

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static double? Number(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : Math.Round(Convert.ToDouble(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture), 1);

    private static DateTimeOffset? Moment(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : new DateTimeOffset(r.GetDateTime(i), TimeSpan.Zero).ToOffset(JapanTime.Offset);
}
