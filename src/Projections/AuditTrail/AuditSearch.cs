using System.Globalization;
using CaseSystem.Cases;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Renewal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using NpgsqlTypes;

namespace CaseSystem.Projections.AuditTrail;

/// <summary>One event found by the search across cases: which case, what, who, where, when. No personal data: the case's history is one click further, and that read is logged.</summary>
public sealed record AuditHit(long Sequence, Guid CaseId, long Version, string Type, string Ja, string? Actor, string? Office, string? Command, DateTimeOffset RecordedAt);

public sealed record AuditSearchResult(DateOnly From, DateOnly To, int Limit, bool More, IReadOnlyList<AuditHit> Events);

public sealed record EventKind(string Type, string Ja);

/// <summary>
/// The supervisor's search across cases: the events recorded on a day (or from one day to another,
/// 31 days at most, Japan time), by staff member, office and event kind, straight from the event
/// store, oldest first. Days are those of recording (<c>recorded_at</c>, the server's clock),
/// which a BRIN index finds (migration 1002).
/// </summary>
public static class AuditSearch
{
    public const int MaxDays = 31;
    public const int DefaultLimit = 200;

    /// <summary>Every event kind, with its Japanese name, for the search form.</summary>
    public static IReadOnlyList<EventKind> Kinds { get; } = typeof(RenewalEvent).GetNestedTypes()
        .Where(t => t.IsSubclassOf(typeof(RenewalEvent)))
        .Select(t => new EventKind(t.Name, EventNames.Ja(t.Name)))
        .OrderBy(k => k.Type, StringComparer.Ordinal)
        .ToList();

    public static RouteGroupBuilder MapAuditSearch(this RouteGroupBuilder tenant)
    {
        tenant.MapGet("/audit/events", async (string municipality, string? staff, string? office, string? type,
            DateOnly? day, DateOnly? from, DateOnly? to, int? limit, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct) =>
        {
            var first = from ?? day ?? JapanTime.DateOf(clock.GetUtcNow());
            var last = to ?? day ?? first;
            if (last < first || last.DayNumber - first.DayNumber >= MaxDays)
            {
                return Problems.Result(Problems.BadRequest,
                    $"期間は開始日から終了日まで{MaxDays}日以内で指定してください。/ Give from ≤ to, at most {MaxDays} days.");
            }
            if (type is { Length: > 0 } && Kinds.All(k => k.Type != type))
            {
                return Problems.Result(Problems.BadRequest, $"「{type}」というイベントの種類はありません。/ No event kind '{type}'.");
            }
            return Results.Ok(await SearchAsync(db, municipality, Blank(staff), Blank(office), Blank(type), first, last,
                Math.Clamp(limit ?? DefaultLimit, 1, 1000), ct));
        }).Produces<AuditSearchResult>().RequireStaff(StaffRole.Supervisor);
        tenant.MapGet("/audit/event-kinds", () => Results.Ok(Kinds)).Produces<IReadOnlyList<EventKind>>().RequireStaff(StaffRole.Supervisor);
        return tenant;
    }

    public static async Task<AuditSearchResult> SearchAsync(NpgsqlDataSource db, string municipality, string? staff, string? office, string? type,
        DateOnly from, DateOnly to, int limit, CancellationToken ct = default)
    {
        var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), JapanTime.Offset).UtcDateTime;
        var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), JapanTime.Offset).UtcDateTime;
        await using var cmd = db.CreateCommand("""
            select e.seq_id, e.stream_id, e.version, e.type, e.user_name, e.headers ->> 'office', e.headers ->> 'command', e.timestamp
            from cases.mt_events e
            where e.tenant_id = $1 and e.timestamp >= $2 and e.timestamp < $3
              and ($4::text is null or e.user_name = $4)
              and ($5::text is null or e.headers ->> 'office' = $5)
              and ($6::text is null or e.type = $6)
            order by e.seq_id
            limit $7
            """);
        cmd.Parameters.Add(new() { Value = municipality, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = start, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new() { Value = end, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new() { Value = (object?)staff ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = (object?)office ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = (object?)type ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = limit + 1, NpgsqlDbType = NpgsqlDbType.Integer });
        var hits = new List<AuditHit>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var eventType = r.GetString(3);
            hits.Add(new AuditHit(r.GetInt64(0), r.GetGuid(1), r.GetInt64(2), eventType, EventNames.Ja(eventType),
                r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6),
                new DateTimeOffset(r.GetDateTime(7), TimeSpan.Zero).ToOffset(JapanTime.Offset)));
        }
        var more = hits.Count > limit;
        return new AuditSearchResult(from, to, limit, more, more ? hits[..limit] : hits);
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
