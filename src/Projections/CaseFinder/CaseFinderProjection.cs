using System.Text;
using System.Text.Json;
using CaseSystem.Cases.EventStore;
using CaseSystem.Cases.Renewal;
using CaseSystem.Projections.Runner;
using Npgsql;
using NpgsqlTypes;
using static CaseSystem.Cases.Renewal.RenewalEvent;

namespace CaseSystem.Projections.CaseFinder;

internal sealed record FinderCase(string Municipality, RenewalState State, string? Office, DateTimeOffset UpdatedAt);

/// <summary>
/// The clerk's case finder: one row per case with what a clerk searches by (name in kanji or
/// kana, birth date, notice number, status, office) and the case's file, from which the query
/// works out the next step as of the day it is asked.
/// </summary>
public sealed class CaseFinderProjection : IProjection
{
    internal static readonly JsonSerializerOptions Json = EventTypeRegistry.DefaultJsonOptions;

    public string Name => "case-finder";
    public int Version => 1;
    public FailurePolicy OnFailure => FailurePolicy.Pause;
    public IReadOnlyList<string> Tables { get; } = ["cases"];

    public string CreateSql(string schema) => $"""
        create table {schema}.cases (
            case_id uuid primary key, municipality text not null, notice_number text, name_kanji text not null, name_kana text not null,
            search_key text not null, birth_date date not null, status text not null, closure text, office text,
            user_expiry date not null, file json not null, updated_at timestamptz not null);
        create index on {schema}.cases (municipality, birth_date);
        create index on {schema}.cases (municipality, notice_number);
        """;

    public IProjectionWriter CreateWriter(string schema, ProjectionWriterOptions options) => new Writer(schema, options);

    /// <summary>
    /// What a name is searched by: NFKC (full-width letters and half-width kana made one form),
    /// hiragana as katakana, no spaces, lower case. "さとう" finds "サトウ イチロウ"; "佐藤一" finds "佐藤 一郎".
    /// </summary>
    public static string SearchKey(string text)
    {
        var normal = text.Normalize(NormalizationForm.FormKC);
        var sb = new StringBuilder(normal.Length);
        foreach (var c in normal)
        {
            if (char.IsWhiteSpace(c) || c == '・') continue;
            sb.Append(c is >= 'ぁ' and <= 'ゖ' ? (char)(c + 0x60) : char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    private sealed class Writer(string schema, ProjectionWriterOptions options) : CaseStateWriter<FinderCase>(schema, options)
    {
        protected override async Task<IReadOnlyDictionary<Guid, FinderCase>> LoadAsync(NpgsqlConnection connection, Guid[] caseIds, CancellationToken ct)
        {
            var states = new Dictionary<Guid, FinderCase>();
            await using var cmd = new NpgsqlCommand(
                $"select case_id, municipality, status, closure, office, file::text, updated_at from {Schema}.cases where case_id = any($1)", connection);
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

        protected override FinderCase? Evolve(FinderCase? state, StoredEvent e)
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
                _ => state?.Office,
            };
            return new FinderCase(e.Municipality, after, office, @event.At);
        }

        private const string Columns =
            "case_id, municipality, notice_number, name_kanji, name_kana, search_key, birth_date, status, closure, office, user_expiry, file, updated_at";

        private sealed record Row(Guid CaseId, FinderCase Case, CaseFile File, string SearchKey, string Status, string? Closure, string Json);

        protected override async Task WriteAsync(NpgsqlConnection connection, IReadOnlyList<(Guid CaseId, FinderCase State)> fresh,
            IReadOnlyList<(Guid CaseId, FinderCase State)> stored, CancellationToken ct)
        {
            var inserts = Rows(fresh);
            if (inserts.Length > 0)
            {
                await using var copy = await connection.BeginBinaryImportAsync($"copy {Schema}.cases ({Columns}) from stdin (format binary)", ct);
                foreach (var r in inserts)
                {
                    if (r is null) continue;
                    copy.StartRow();
                    copy.Write(r.CaseId, NpgsqlDbType.Uuid);
                    copy.Write(r.Case.Municipality, NpgsqlDbType.Text);
                    Text(copy, r.File.NoticeNumber);
                    copy.Write(r.File.Holder.NameKanji, NpgsqlDbType.Text);
                    copy.Write(r.File.Holder.NameKana, NpgsqlDbType.Text);
                    copy.Write(r.SearchKey, NpgsqlDbType.Text);
                    copy.Write(r.File.Holder.BirthDate, NpgsqlDbType.Date);
                    copy.Write(r.Status, NpgsqlDbType.Text);
                    Text(copy, r.Closure);
                    Text(copy, r.Case.Office);
                    copy.Write(r.File.Expiry.UserAuthenticationExpiry, NpgsqlDbType.Date);
                    copy.Write(r.Json, NpgsqlDbType.Json);
                    copy.Write(r.Case.UpdatedAt.UtcDateTime, NpgsqlDbType.TimestampTz);
                }
                await copy.CompleteAsync(ct);
            }
            var rows = Rows(stored).OfType<Row>().ToList();
            if (rows.Count == 0) return;
            await using var cmd = new NpgsqlCommand($"""
                insert into {Schema}.cases ({Columns})
                select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::date[], $8::text[], $9::text[], $10::text[], $11::date[], $12::json[], $13::timestamptz[])
                on conflict (case_id) do update set notice_number = excluded.notice_number, name_kanji = excluded.name_kanji, name_kana = excluded.name_kana,
                    search_key = excluded.search_key, birth_date = excluded.birth_date, status = excluded.status, closure = excluded.closure,
                    office = excluded.office, user_expiry = excluded.user_expiry, file = excluded.file, updated_at = excluded.updated_at
                """, connection);
            cmd.Parameters.Add(Array(rows.Select(r => r.CaseId), NpgsqlDbType.Uuid));
            cmd.Parameters.Add(Array(rows.Select(r => r.Case.Municipality), NpgsqlDbType.Text));
            cmd.Parameters.Add(Array(rows.Select(r => r.File.NoticeNumber), NpgsqlDbType.Text));
            cmd.Parameters.Add(Array(rows.Select(r => r.File.Holder.NameKanji), NpgsqlDbType.Text));
            cmd.Parameters.Add(Array(rows.Select(r => r.File.Holder.NameKana), NpgsqlDbType.Text));
            cmd.Parameters.Add(Array(rows.Select(r => r.SearchKey), NpgsqlDbType.Text));
            cmd.Parameters.Add(Array(rows.Select(r => r.File.Holder.BirthDate), NpgsqlDbType.Date));
            cmd.Parameters.Add(Array(rows.Select(r => r.Status), NpgsqlDbType.Text));
            cmd.Parameters.Add(Array(rows.Select(r => r.Closure), NpgsqlDbType.Text));
            cmd.Parameters.Add(Array(rows.Select(r => r.Case.Office), NpgsqlDbType.Text));
            cmd.Parameters.Add(Array(rows.Select(r => r.File.Expiry.UserAuthenticationExpiry), NpgsqlDbType.Date));
            cmd.Parameters.Add(Array(rows.Select(r => r.Json), NpgsqlDbType.Json));
            cmd.Parameters.Add(Array(rows.Select(r => r.Case.UpdatedAt.UtcDateTime), NpgsqlDbType.TimestampTz));
            await cmd.ExecuteNonQueryAsync(ct);
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

        private static void Text(NpgsqlBinaryImporter copy, string? value)
        {
            if (value is null) copy.WriteNull();
            else copy.Write(value, NpgsqlDbType.Text);
        }

        private static NpgsqlParameter Array<T>(IEnumerable<T> values, NpgsqlDbType type) =>
            new() { Value = values.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | type };
    }
}
