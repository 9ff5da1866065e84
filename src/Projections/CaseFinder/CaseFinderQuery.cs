using System.Text.Json;
using CaseSystem.Cases.Api;
using CaseSystem.Cases.Renewal;
using Npgsql;
using NpgsqlTypes;

namespace CaseSystem.Projections.CaseFinder;

public sealed record CaseSearch(string? Name = null, DateOnly? BirthDate = null, string? NoticeNumber = null, string? Status = null, string? Office = null, int Limit = 50);

/// <summary>A case found, with where it stands and the next step as of today, so a clerk resumes it in one look.</summary>
public sealed record CaseHit(
    Guid CaseId, string? NoticeNumber, string NameKanji, string NameKana, DateOnly BirthDate, string Status, CaseClosure? Closure,
    string? Office, DateOnly UserAuthenticationExpiry, int Visits, DateTimeOffset UpdatedAt, ChecklistItem? NextStep, IReadOnlyList<ChecklistItem> Checklist);

public sealed class CaseFinderQuery(NpgsqlDataSource db, CaseFinderProjection finder)
{
    public async Task<IReadOnlyList<CaseHit>> SearchAsync(string municipality, CaseSearch search, DateOnly today, CancellationToken ct = default)
    {
        var key = string.IsNullOrWhiteSpace(search.Name) ? null : CaseFinderProjection.SearchKey(search.Name);
        await using var cmd = db.CreateCommand($"""
            select case_id, notice_number, name_kanji, name_kana, birth_date, status, closure, office, user_expiry, file::text, updated_at
            from {finder.Cases}
            where municipality = $1
              and ($2::text is null or strpos(search_key, $2) > 0)
              and ($3::date is null or birth_date = $3)
              and ($4::text is null or notice_number = $4)
              and ($5::text is null or status = $5)
              and ($6::text is null or office = $6)
            order by updated_at desc, case_id
            limit $7
            """);
        cmd.Parameters.Add(new() { Value = municipality, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = (object?)key ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = (object?)search.BirthDate ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Date });
        cmd.Parameters.Add(new() { Value = (object?)Blank(search.NoticeNumber) ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = (object?)Blank(search.Status) ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = (object?)Blank(search.Office) ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = Math.Clamp(search.Limit, 1, 200), NpgsqlDbType = NpgsqlDbType.Integer });
        var policy = Cases.Policies.MunicipalPolicies.For(municipality);
        var hits = new List<CaseHit>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var file = JsonSerializer.Deserialize<CaseFile>(r.GetString(9), CaseFinderProjection.Json)!;
            var closed = r.GetString(5) == "closed";
            IReadOnlyList<ChecklistItem> checklist = closed ? [] : Checklist.For(file, today, policy);
            hits.Add(new CaseHit(r.GetGuid(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetString(2), r.GetString(3), r.GetFieldValue<DateOnly>(4),
                r.GetString(5), r.IsDBNull(6) ? null : Enum.Parse<CaseClosure>(r.GetString(6)), r.IsDBNull(7) ? null : r.GetString(7),
                r.GetFieldValue<DateOnly>(8), file.Visits, new DateTimeOffset(r.GetDateTime(10), TimeSpan.Zero),
                checklist.FirstOrDefault(), checklist));
        }
        return hits;
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
