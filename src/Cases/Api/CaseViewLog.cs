using CaseSystem.Cases.Auth;
using Microsoft.AspNetCore.Http;
using Npgsql;

namespace CaseSystem.Cases.Api;

public sealed record CaseViewRecord(string StaffId, string Role, string Office, string What, DateTimeOffset ViewedAt);

/// <summary>The log of who read a case: written on every read of a case's personal data, shown in its audit trail.</summary>
public sealed class CaseViewLog(NpgsqlDataSource db, TimeProvider clock)
{
    public async Task RecordAsync(HttpContext http, string municipality, Guid caseId, string what, CancellationToken ct)
    {
        var staff = http.User.FindStaff() ?? throw new InvalidOperationException("a case is read by staff only");
        await using var cmd = db.CreateCommand(
            "insert into audit.case_views (municipality, case_id, staff_id, role, office, what, viewed_at) values ($1, $2, $3, $4, $5, $6, $7)");
        cmd.Parameters.AddWithValue(municipality);
        cmd.Parameters.AddWithValue(caseId);
        cmd.Parameters.AddWithValue(staff.StaffId);
        cmd.Parameters.AddWithValue(staff.Role.Name());
        cmd.Parameters.AddWithValue(staff.Office);
        cmd.Parameters.AddWithValue(what);
        cmd.Parameters.AddWithValue(clock.GetUtcNow().UtcDateTime);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<CaseViewRecord>> ForCaseAsync(string municipality, Guid caseId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            "select staff_id, role, office, what, viewed_at from audit.case_views where municipality = $1 and case_id = $2 order by viewed_at, id");
        cmd.Parameters.AddWithValue(municipality);
        cmd.Parameters.AddWithValue(caseId);
        var views = new List<CaseViewRecord>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            views.Add(new CaseViewRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3),
                new DateTimeOffset(r.GetDateTime(4), TimeSpan.Zero).ToOffset(JapanTime.Offset)));
        }
        return views;
    }
}
