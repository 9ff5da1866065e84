using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace CaseSystem.Cases.Timers;

/// <summary>A timer that has fallen due.</summary>
public sealed record DueTimer(Guid StreamId, string Municipality, string Kind, DateTimeOffset DueAt);

/// <summary>
/// Fires the timers that have fallen due, across any number of server processes.
/// <para>
/// Why claims and not row locks held while firing: firing a timer appends events, and that
/// append may set a timer of the same kind on the same stream again (one certificate lapsed, the
/// other's lapse still to come): with the timer row locked by the runner's open transaction, the
/// append would wait for the runner and the runner for the append. So a runner first claims a
/// batch in a short transaction of its own (FOR UPDATE SKIP LOCKED: two runners never claim the
/// same timer; claimed_until: a claim made by a process that then died runs out and the timer is
/// taken again), fires each timer outside any transaction, and then marks it fired only if it is
/// still the timer it claimed (same due time: not set again meanwhile).
/// </para>
/// <para>
/// Exactly once: what a timer fires is a command the decider answers with nothing once it has
/// been recorded (the window is open, the certificate lapsed, the inquiry overdue), so the one
/// case where a timer fires twice (a process dies after its append and before marking the timer;
/// the claim runs out; another runner fires it again) records nothing the second time.
/// </para>
/// <para>
/// Time is the <see cref="TimeProvider"/>'s, never the database's now(): tests move the clock,
/// and a process that was down catches up by firing everything due since.
/// </para>
/// </summary>
public sealed class TimerRunner(NpgsqlDataSource dataSource, TimeProvider clock, ILogger<TimerRunner>? logger = null)
{
    public static readonly TimeSpan ClaimFor = TimeSpan.FromMinutes(5);

    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    /// <summary>Fires every timer due now, batch after batch; returns how many fired.</summary>
    public async Task<int> RunDueAsync(Func<DueTimer, CancellationToken, Task> fire, int batchSize = 100, CancellationToken ct = default)
    {
        var fired = 0;
        while (true)
        {
            var batch = await ClaimAsync(batchSize, ct);
            var failed = 0;
            foreach (var timer in batch)
            {
                try
                {
                    await fire(timer, ct);
                    await MarkFiredAsync(timer, ct);
                    fired++;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Left claimed: it is tried again when the claim runs out, not in a tight loop.
                    failed++;
                    _logger.LogError(e, "timer {Kind} of stream {Stream} due {DueAt} failed; it is tried again after {ClaimFor}",
                        timer.Kind, timer.StreamId, timer.DueAt, ClaimFor);
                }
            }
            if (batch.Count < batchSize || failed > 0) return fired;
        }
    }

    private async Task<IReadOnlyList<DueTimer>> ClaimAsync(int batchSize, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var cmd = dataSource.CreateCommand(
            """
            update cases.case_timers t set claimed_until = $2
            from (
                select stream_id, kind from cases.case_timers
                where fired_at is null and due_at <= $1 and (claimed_until is null or claimed_until <= $1)
                order by due_at
                limit $3
                for update skip locked
            ) due
            where t.stream_id = due.stream_id and t.kind = due.kind
            returning t.stream_id, t.tenant_id, t.kind, t.due_at
            """);
        cmd.Parameters.Add(new() { Value = now, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new() { Value = now + ClaimFor, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new() { Value = batchSize, NpgsqlDbType = NpgsqlDbType.Integer });
        var timers = new List<DueTimer>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            timers.Add(new DueTimer(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), new DateTimeOffset(reader.GetDateTime(3), TimeSpan.Zero)));
        }
        return [.. timers.OrderBy(t => t.DueAt)];
    }

    private async Task MarkFiredAsync(DueTimer timer, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            "update cases.case_timers set fired_at = $4, claimed_until = null " +
            "where stream_id = $1 and kind = $2 and due_at = $3 and fired_at is null");
        cmd.Parameters.Add(new() { Value = timer.StreamId, NpgsqlDbType = NpgsqlDbType.Uuid });
        cmd.Parameters.Add(new() { Value = timer.Kind, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = timer.DueAt.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new() { Value = clock.GetUtcNow().UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
