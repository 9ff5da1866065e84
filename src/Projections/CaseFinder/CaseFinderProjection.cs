using System.Text;
using System.Text.Json;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Store;
using CaseSystem.Projections.Daemon;
using JasperFx.Events;
using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql.Tables;
using static CaseSystem.Cases.Renewal.RenewalEvent;
using static CaseSystem.Projections.Daemon.SqlStatement;

namespace CaseSystem.Projections.CaseFinder;

public sealed record FinderCase(string Municipality, RenewalState State, string? Office, DateTimeOffset UpdatedAt);

/// <summary>
/// The clerk's case finder: one row per case with what a clerk searches by (name in kanji or
/// kana, birth date, notice number, status, office) and the case's file, from which the query
/// works out the next step as of the day it is asked.
/// </summary>
/// <remarks>Version 2 (issue 13): the search key folds 異体字, so every row's key is computed anew.</remarks>
public sealed class CaseFinderProjection(uint version = ReadModelGroupVersions.CaseViews) : CaseReadModel<FinderCase>(ProjectionName, version)
{
    public const string ProjectionName = "case-finder";

    internal static readonly JsonSerializerOptions Json = CaseStore.EventJson;

    public string Cases => InSchema("cases");

    public override IReadOnlyList<Table> Tables
    {
        get
        {
            var cases = CaseTable(Cases);
            cases.AddColumn("notice_number", "text");
            cases.AddColumn("name_kanji", "text").NotNull();
            cases.AddColumn("name_kana", "text").NotNull();
            cases.AddColumn("search_key", "text").NotNull();
            cases.AddColumn("birth_date", "date").NotNull();
            cases.AddColumn("status", "text").NotNull();
            cases.AddColumn("closure", "text");
            cases.AddColumn("office", "text");
            cases.AddColumn("user_expiry", "date").NotNull();
            cases.AddColumn("file", "json").NotNull();
            cases.AddColumn("updated_at", "timestamptz").NotNull();
            cases.Indexes.Add(new IndexDefinition("cases_birth_date") { Columns = ["municipality", "birth_date"] });
            cases.Indexes.Add(new IndexDefinition("cases_notice_number") { Columns = ["municipality", "notice_number"] });
            return [cases];
        }
    }

    /// <summary>
    /// What a name is searched by: NFKC (full-width letters and half-width kana made one form),
    /// common 異体字 as their common form (<see cref="NameVariants"/>), hiragana as katakana, no
    /// spaces, lower case. "さとう" finds "サトウ イチロウ"; "佐藤一" finds "佐藤 一郎"; "高橋" finds "髙橋".
    /// </summary>
    public static string SearchKey(string text)
    {
        var normal = NameVariants.Fold(text.Normalize(NormalizationForm.FormKC));
        var sb = new StringBuilder(normal.Length);
        foreach (var c in normal)
        {
            if (char.IsWhiteSpace(c) || c == '・') continue;
            sb.Append(c is >= 'ぁ' and <= 'ゖ' ? (char)(c + 0x60) : char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    protected override async Task<IReadOnlyDictionary<Guid, FinderCase>> LoadAsync(NpgsqlConnection connection, Guid[] caseIds, CancellationToken ct)
    {
        var states = new Dictionary<Guid, FinderCase>();
        await using var cmd = new NpgsqlCommand(
            ByCase("case_id, municipality, status, closure, office, file::text, updated_at", Cases), connection);
        cmd.Parameters.Add(new() { Value = caseIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var file = JsonSerializer.Deserialize<CaseFile>(r.GetString(5), Json)!;
            RenewalState state = r.GetString(2) == "closed"
                ? new RenewalState.Closed(file, Enum.Parse<CaseClosure>(r.GetString(3)))
                : new RenewalState.Active(file);
            states[r.GetGuid(0)] = new FinderCase(r.GetString(1), state, r.IsDBNull(4) ? null : r.GetString(4),
                new DateTimeOffset(r.GetDateTime(6), TimeSpan.Zero));
        }
        return states;
    }

    protected override FinderCase? Evolve(FinderCase? state, IEvent e)
    {
        var @event = (RenewalEvent)e.Data;
        var before = state?.State ?? RenewalState.Initial;
        var after = RenewalState.Evolve(before, @event);
        if (ReferenceEquals(before, after)) return state;
        var office = @event switch
        {
            CaseOpenedAtCounter o => o.Office,
            ArrivedAtOffice a => a.Office,
            VisitStarted v => v.Office,
            ReservationMade m => m.Office,
            // An arrival or a visit voided: where the case was last seen by the entries that still count.
            EntryVoided => FileOf(after)?.LastSeenOffice ?? state?.Office,
            _ => state?.Office,
        };
        return new FinderCase(e.TenantId, after, office, @event.At);
    }

    private static CaseFile? FileOf(RenewalState state) => state switch
    {
        RenewalState.Active a => a.Case,
        RenewalState.Closed c => c.Case,
        _ => null,
    };

    private const string Columns =
        "case_id, municipality, notice_number, name_kanji, name_kana, search_key, birth_date, status, closure, office, user_expiry, file, updated_at";

    private sealed record Row(Guid CaseId, FinderCase Case, CaseFile File, string SearchKey, string Status, string? Closure, string Json);

    protected override IEnumerable<SqlStatement> Write(IReadOnlyList<(Guid CaseId, FinderCase State)> changed)
    {
        var rows = Rows(changed).OfType<Row>().ToList();
        if (rows.Count == 0) yield break;
        yield return new SqlStatement($"""
            insert into {Cases} ({Columns})
            select * from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::date[], ?::text[], ?::text[], ?::text[], ?::date[], ?::json[], ?::timestamptz[])
            on conflict (case_id) do update set notice_number = excluded.notice_number, name_kanji = excluded.name_kanji, name_kana = excluded.name_kana,
                search_key = excluded.search_key, birth_date = excluded.birth_date, status = excluded.status, closure = excluded.closure,
                office = excluded.office, user_expiry = excluded.user_expiry, file = excluded.file, updated_at = excluded.updated_at
            """,
            Column(rows.Select(r => r.CaseId), NpgsqlDbType.Uuid),
            Column(rows.Select(r => r.Case.Municipality), NpgsqlDbType.Text),
            Column(rows.Select(r => r.File.NoticeNumber), NpgsqlDbType.Text),
            Column(rows.Select(r => r.File.Holder.NameKanji), NpgsqlDbType.Text),
            Column(rows.Select(r => r.File.Holder.NameKana), NpgsqlDbType.Text),
            Column(rows.Select(r => r.SearchKey), NpgsqlDbType.Text),
            Column(rows.Select(r => r.File.Holder.BirthDate), NpgsqlDbType.Date),
            Column(rows.Select(r => r.Status), NpgsqlDbType.Text),
            Column(rows.Select(r => r.Closure), NpgsqlDbType.Text),
            Column(rows.Select(r => r.Case.Office), NpgsqlDbType.Text),
            Column(rows.Select(r => r.File.Expiry.UserAuthenticationExpiry), NpgsqlDbType.Date),
            Column(rows.Select(r => r.Json), NpgsqlDbType.Json),
            Column(rows.Select(r => r.Case.UpdatedAt.UtcDateTime), NpgsqlDbType.TimestampTz));
    }

    /// <summary>The rows to write (null for a case that is none yet); serialising the files is most of a flush's work, so it runs on every core.</summary>
    private static Row?[] Rows(IReadOnlyList<(Guid CaseId, FinderCase State)> changed)
    {
        var rows = new Row?[changed.Count];
        if (changed.Count >= 1000) Parallel.For(0, changed.Count, i => rows[i] = ToRow(changed[i].CaseId, changed[i].State));
        else for (var i = 0; i < changed.Count; i++) rows[i] = ToRow(changed[i].CaseId, changed[i].State);
        return rows;
    }

    private static Row? ToRow(Guid caseId, FinderCase c)
    {
        var (file, status, closure) = c.State switch
        {
            RenewalState.Active a => (a.Case, "active", (string?)null),
            RenewalState.Closed x => (x.Case, "closed", x.Closure.ToString()),
            _ => (null!, "", null),
        };
        if (file is null) return null;
        return new Row(caseId, c, file, SearchKey(file.Holder.NameKanji) + "\u0001" + SearchKey(file.Holder.NameKana), status, closure,
            JsonSerializer.Serialize(file, Json));
    }

}
