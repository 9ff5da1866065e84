using Npgsql;
using NpgsqlTypes;

namespace CaseSystem.Projections.Worklists;

/// <summary>The worklists, by the name the endpoint takes.</summary>
public static class Worklist
{
    /// <summary>An inquiry mailed, its reply not received, its due date today or later.</summary>
    public const string RepliesAwaited = "replies-awaited";

    /// <summary>An inquiry mailed, its reply not received, its due date past.</summary>
    public const string InquiriesOverdue = "inquiries-overdue";

    /// <summary>The user-authentication certificate expires from today to <c>days</c> days on, and no visit counts yet.</summary>
    public const string ExpiringNoVisit = "expiring-no-visit";

    /// <summary>Reserved for today (the municipality's date), by the reserved office.</summary>
    public const string ReservationsToday = "reservations-today";

    /// <summary>Active cases whose last worker (the last command at a counter) was the staff member asking.</summary>
    public const string Mine = "mine";

    public static readonly string[] All = [RepliesAwaited, InquiriesOverdue, ExpiringNoVisit, ReservationsToday, Mine];

    /// <summary>How near an expiry is "near" unless asked: 30 days; at most 365.</summary>
    public const int DefaultDays = 30;

    public const int MaxDays = 365;
}

/// <summary>A case on a worklist, with what the list is about (the dates, and the days to or past them as of <see cref="WorklistPage.Today"/>).</summary>
public sealed record WorkItem(
    Guid CaseId, string NameKanji, string NameKana, string? NoticeNumber, string? Office, DateOnly UserAuthenticationExpiry, int DaysToExpiry,
    int Visits, DateOnly? InquiryMailedOn, DateOnly? ReplyDueOn, int? DaysOverdue, string? ReservedOffice, DateTimeOffset? ReservedAt,
    bool SeenToday, string? OpenedBy, string? LastWorkedBy, DateTimeOffset UpdatedAt);

/// <summary>One list as of <see cref="Today"/>: <see cref="Count"/> cases in all, the first <c>limit</c> of them in <see cref="Items"/>.</summary>
public sealed record WorklistPage(string List, DateOnly Today, int Count, IReadOnlyList<WorkItem> Items);

public sealed record WorklistRequest(string List, DateOnly Today, string StaffId, string? Office = null, int Limit = 50, int Days = Worklist.DefaultDays);

/// <summary>
/// The worklists' query: the stored dates compared with today, as asked. A list is one indexed
/// lookup of the read model's rows, never a read of the cases' events.
/// </summary>
public sealed class WorklistsQuery(NpgsqlDataSource db, WorklistsProjection worklists)
{
    public async Task<WorklistPage> ListAsync(string municipality, WorklistRequest q, CancellationToken ct = default)
    {
        // $1 municipality, $2 today, $3 office (or null), $4 limit, $5 the last day of "near", $6 the staff member asking.
        var (where, office, order) = q.List switch
        {
            Worklist.RepliesAwaited => ("inquiry_mailed_on is not null and replied_at is null and reply_due_on >= $2", "office", "reply_due_on, case_id"),
            Worklist.InquiriesOverdue => ("inquiry_mailed_on is not null and replied_at is null and reply_due_on < $2", "office", "reply_due_on, case_id"),
            Worklist.ExpiringNoVisit => ("visits = 0 and user_expiry between $2 and $5", "office", "user_expiry, case_id"),
            Worklist.ReservationsToday => ("reserved_on = $2", "reserved_office", "reserved_at, case_id"),
            Worklist.Mine => ("last_by = $6", "office", "updated_at desc, case_id"),
            _ => throw new ArgumentException($"no worklist is named '{q.List}'", nameof(q)),
        };
        await using var cmd = db.CreateCommand($"""
            select case_id, name_kanji, name_kana, notice_number, office, user_expiry, visits, inquiry_mailed_on, reply_due_on,
                   reserved_office, reserved_at, seen_on, last_by, updated_at, count(*) over () as total, opened_by
            from {worklists.Cases}
            where municipality = $1 and status = 'active' and ($3::text is null or {office} = $3) and {where}
            order by {order}
            limit $4
            """);
        cmd.Parameters.Add(new() { Value = municipality, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = q.Today, NpgsqlDbType = NpgsqlDbType.Date });
        cmd.Parameters.Add(new() { Value = (object?)q.Office ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = q.Limit, NpgsqlDbType = NpgsqlDbType.Integer });
        cmd.Parameters.Add(new() { Value = q.Today.AddDays(q.Days), NpgsqlDbType = NpgsqlDbType.Date });
        cmd.Parameters.Add(new() { Value = q.StaffId, NpgsqlDbType = NpgsqlDbType.Text });
        var items = new List<WorkItem>();
        var total = 0;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var expiry = r.GetFieldValue<DateOnly>(5);
            DateOnly? due = r.IsDBNull(8) ? null : r.GetFieldValue<DateOnly>(8);
            items.Add(new WorkItem(r.GetGuid(0), r.GetString(1), r.GetString(2), Text(r, 3), Text(r, 4), expiry, expiry.DayNumber - q.Today.DayNumber,
                r.GetInt32(6), r.IsDBNull(7) ? null : r.GetFieldValue<DateOnly>(7), due,
                due is { } d && d < q.Today ? q.Today.DayNumber - d.DayNumber : null,
                Text(r, 9), r.IsDBNull(10) ? null : new DateTimeOffset(r.GetDateTime(10), TimeSpan.Zero),
                !r.IsDBNull(11) && r.GetFieldValue<DateOnly>(11) == q.Today, Text(r, 15), Text(r, 12), new DateTimeOffset(r.GetDateTime(13), TimeSpan.Zero)));
            total = (int)r.GetInt64(14);
        }
        return new WorklistPage(q.List, q.Today, total, items);
    }

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
