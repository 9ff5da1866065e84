using CaseSystem.Cases.EventStore;
using CaseSystem.Cases.Renewal;
using CaseSystem.Projections.Runner;
using Npgsql;
using NpgsqlTypes;
using static CaseSystem.Cases.Renewal.RenewalEvent;

namespace CaseSystem.Projections.RenewalRates;

/// <summary>The codes the report's columns hold: stable, lower case, in English.</summary>
public static class ReportCodes
{
    public const string RenewedBeforeExpiry = "renewed-before-expiry";
    public const string RenewedLate = "renewed-late";
    public const string Lapsed = "lapsed";
    public const string Open = "open";
    public const string Withdrawn = "withdrawn";
    public const string MovedOut = "moved-out";

    public const string Holder = "holder";
    public const string Proxy = "proxy";

    /// <summary>A parent of a holder under 15, or the guardian of an adult ward.</summary>
    public const string LegalRepresentative = "legal-representative";

    public static readonly IReadOnlyList<string> AgeBands = ["0-14", "15-17", "18-29", "30-49", "50-64", "65-74", "75+"];

    public static string WhoCame(WhoCame whoCame) => whoCame switch
    {
        Cases.Renewal.WhoCame.Holder => Holder,
        Cases.Renewal.WhoCame.AppointedProxy => Proxy,
        Cases.Renewal.WhoCame.LegalRepresentativeOfMinor or Cases.Renewal.WhoCame.GuardianOfAdultWard => LegalRepresentative,
        _ => throw new ArgumentOutOfRangeException(nameof(whoCame), whoCame, null),
    };

    /// <summary>The holder's age band on the expiry date of the user-authentication certificate.</summary>
    public static string AgeBand(int age) => age switch
    {
        < 15 => "0-14",
        < 18 => "15-17",
        < 30 => "18-29",
        < 50 => "30-49",
        < 65 => "50-64",
        < 75 => "65-74",
        _ => "75+",
    };
}

/// <summary>
/// The analysts' renewal report: one row per case in <c>case_facts</c>, with no personal data —
/// no name, address, birth date, notice number or exact expiry date (which is a birthday); only
/// the month the user-authentication certificate expires in (the cohort) and the holder's age
/// band at that expiry. <see cref="RenewalReportQuery"/> aggregates it.
/// <para>
/// Outcome of a case (<see cref="ReportCodes"/>): the first renewal of the user-authentication
/// certificate decides it — <c>renewed-before-expiry</c> when it was renewed
/// (<c>CertificatesRenewed</c>, which the decider records only up to the expiry date), or
/// <c>renewed-late</c> when it was issued anew (<c>CertificatesIssued</c>: after expiry or a
/// lapse, 002/003). A renewal of the signing certificate alone counts when nothing was renewed
/// before, late if the user-authentication certificate had lapsed. Without a renewal: closed as
/// withdrawn → <c>withdrawn</c>, closed as moved out → <c>moved-out</c>, closed as lapsed or the
/// user-authentication certificate lapsed → <c>lapsed</c>, else <c>open</c>. A case closed as
/// renewed with no renewal event counts as renewed at its closing (late if it had lapsed).
/// </para>
/// <para>
/// Office: of the first visit, else the office the case was opened at (a case opened by the
/// expiry notice and never visited has none). Who came: of the visit that finished the case
/// (in which it was renewed, or closed), else of the first visit; none for a case never
/// visited. Waits (arrival → called to the counter) and service times
/// (called → visit ended) are kept per visit, so the query can take percentiles over visits.
/// </para>
/// </summary>
public sealed class RenewalReportProjection : IProjection
{
    public const string ProjectionName = "renewal-report";
    public const string Table = "case_facts";

    public string Name => ProjectionName;
    public int Version => 1;
    public FailurePolicy OnFailure => FailurePolicy.DeadLetter;
    public IReadOnlyList<string> Tables { get; } = [Table];

    /// <summary>The columns, in the order of the COPY and of the writer's load.</summary>
    internal const string Columns =
        "case_id, municipality, cohort_month, age_band, notice_sent, office, who_came, outcome, visits, " +
        "needed_inquiry, inquiry_mailed_at, inquiry_reply_at, pin_mismatches, pin_locked, wait_seconds, service_seconds, " +
        "renewed_at, lapsed_at, closed_at, updated_seq, user_auth_renewed, visit_who_came, arrived_at, called_at";

    public string CreateSql(string schema) => $"""
        create table {schema}.case_facts (
            case_id uuid primary key,
            municipality text not null,
            cohort_month date not null,
            age_band text not null,
            notice_sent boolean not null,
            office text,
            who_came text,
            outcome text not null check (outcome in ('renewed-before-expiry', 'renewed-late', 'lapsed', 'open', 'withdrawn', 'moved-out')),
            visits integer not null,
            needed_inquiry boolean not null,
            inquiry_mailed_at timestamptz,
            inquiry_reply_at timestamptz,
            pin_mismatches integer not null,
            pin_locked boolean not null,
            wait_seconds double precision[] not null,
            service_seconds double precision[] not null,
            renewed_at timestamptz,
            lapsed_at timestamptz,
            closed_at timestamptz,
            updated_seq bigint not null,
            user_auth_renewed boolean not null,
            visit_who_came text,
            arrived_at timestamptz,
            called_at timestamptz
        );
        create index on {schema}.case_facts (municipality, cohort_month);
        comment on table {schema}.case_facts is 'renewal report: one row per case, no personal data (projection renewal-report)';
        comment on column {schema}.case_facts.cohort_month is 'first day of the month the user-authentication certificate expires in';
        comment on column {schema}.case_facts.age_band is 'holder''s age on the user-authentication certificate''s expiry date';
        comment on column {schema}.case_facts.wait_seconds is 'per visit: arrival to called to the counter';
        comment on column {schema}.case_facts.service_seconds is 'per visit: called to the counter to the end of the visit';
        comment on column {schema}.case_facts.updated_seq is 'log position of the last event that changed the row';
        comment on column {schema}.case_facts.user_auth_renewed is 'fold state: the user-authentication certificate was renewed or issued';
        comment on column {schema}.case_facts.visit_who_came is 'fold state: who came at the visit in progress';
        comment on column {schema}.case_facts.arrived_at is 'fold state: arrival not yet called to the counter';
        comment on column {schema}.case_facts.called_at is 'fold state: call to the counter whose visit has not ended';
        """;

    public IProjectionWriter CreateWriter(string schema, ProjectionWriterOptions options) => new Writer(schema, options);

    /// <summary>The fold of one case; every field is a column, so the state round-trips through the table.</summary>
    internal sealed record CaseFacts(
        string Municipality,
        DateOnly CohortMonth,
        string AgeBand,
        bool NoticeSent,
        string? Office,
        string? WhoCame,
        string Outcome,
        int Visits,
        DateTimeOffset? InquiryMailedAt,
        DateTimeOffset? InquiryReplyAt,
        int PinMismatches,
        bool PinLocked,
        double[] WaitSeconds,
        double[] ServiceSeconds,
        DateTimeOffset? RenewedAt,
        DateTimeOffset? LapsedAt,
        DateTimeOffset? ClosedAt,
        long UpdatedSeq,
        bool UserAuthRenewed,
        string? VisitWhoCame,
        DateTimeOffset? ArrivedAt,
        DateTimeOffset? CalledAt)
    {
        public static CaseFacts Open(string municipality, Holder holder, CertificateDates expiry, bool noticeSent, string? office, long seq)
        {
            var expiresOn = expiry.UserAuthenticationExpiry;
            return new CaseFacts(
                municipality, new DateOnly(expiresOn.Year, expiresOn.Month, 1), ReportCodes.AgeBand(Validity.AgeOn(holder.BirthDate, expiresOn)),
                noticeSent, office, null, ReportCodes.Open, 0, null, null, 0, false, [], [], null, null, null, seq, false, null, null, null);
        }

        public bool Renewed => RenewedAt is not null;
    }

    /// <summary>The case's facts after one event: the same instance when the event changes nothing. Pure and allocation-light.</summary>
    internal static CaseFacts? Evolve(CaseFacts? s, StoredEvent stored)
    {
        if (stored.Data is not RenewalEvent e) return s;
        var seq = stored.Sequence;
        if (s is null)
        {
            return e switch
            {
                ExpiryNoticeSent n => CaseFacts.Open(stored.Municipality, n.Holder, n.Expiry, noticeSent: true, office: null, seq),
                CaseOpenedAtCounter o => CaseFacts.Open(stored.Municipality, o.Holder, o.Expiry, noticeSent: false, o.Office, seq),
                _ => null,
            };
        }
        switch (e)
        {
            case ArrivedAtOffice a:
                return s with { ArrivedAt = a.At, CalledAt = null, UpdatedSeq = seq };

            case CalledToCounter c when s.ArrivedAt is { } arrived:
                return s with { WaitSeconds = Append(s.WaitSeconds, arrived, c.At), ArrivedAt = null, CalledAt = c.At, UpdatedSeq = seq };

            case CalledToCounter c when s.CalledAt is null:
                return s with { CalledAt = c.At, UpdatedSeq = seq };

            case VisitStarted v:
            {
                var who = ReportCodes.WhoCame(v.WhoCame);
                var first = s.Visits == 0;
                return s with
                {
                    Visits = Math.Max(s.Visits, v.Visit),
                    Office = first ? v.Office : s.Office,
                    WhoCame = first && !s.Renewed ? who : s.WhoCame,
                    VisitWhoCame = who,
                    UpdatedSeq = seq,
                };
            }

            case VisitEnded x:
                return s.CalledAt is { } called
                    ? s with { ServiceSeconds = Append(s.ServiceSeconds, called, x.At), CalledAt = null, ArrivedAt = null, VisitWhoCame = null, UpdatedSeq = seq }
                    : s.ArrivedAt is null && s.VisitWhoCame is null ? s : s with { ArrivedAt = null, VisitWhoCame = null, UpdatedSeq = seq };

            case PinMismatchRecorded:
                return s with { PinMismatches = s.PinMismatches + 1, UpdatedSeq = seq };

            case PinLocked when !s.PinLocked:
                return s with { PinLocked = true, UpdatedSeq = seq };

            case DocumentInquiryMailed m when s.InquiryMailedAt is null:
                return s with { InquiryMailedAt = m.At, UpdatedSeq = seq };

            case InquiryReplyReceived r when s.InquiryMailedAt is not null && s.InquiryReplyAt is null:
                return s with { InquiryReplyAt = r.At, UpdatedSeq = seq };

            case CertificatesRenewed r:
                return Renewal(s, r.Certificates, issued: false, r.At, seq);

            case CertificatesIssued i:
                return Renewal(s, i.Certificates, issued: true, i.At, seq);

            case CertificateLapsed { Certificate: Certificate.UserAuthentication } l when s.LapsedAt is null:
                return s with { LapsedAt = l.At, Outcome = s.Outcome == ReportCodes.Open ? ReportCodes.Lapsed : s.Outcome, UpdatedSeq = seq };

            case CaseClosed c when s.ClosedAt is null:
                return Close(s, c, seq);

            default:
                return s;
        }
    }

    private static CaseFacts Renewal(CaseFacts s, IReadOnlyList<Certificate> certificates, bool issued, DateTimeOffset at, long seq)
    {
        var userAuth = false;
        for (var i = 0; i < certificates.Count; i++)
        {
            if (certificates[i] == Certificate.UserAuthentication) userAuth = true;
        }
        if (userAuth && !s.UserAuthRenewed)
        {
            return s with
            {
                UserAuthRenewed = true,
                Outcome = issued || s.LapsedAt is not null ? ReportCodes.RenewedLate : ReportCodes.RenewedBeforeExpiry,
                RenewedAt = s.RenewedAt ?? at,
                WhoCame = s.Renewed ? s.WhoCame : s.VisitWhoCame ?? s.WhoCame,
                UpdatedSeq = seq,
            };
        }
        if (!userAuth && !s.Renewed)
        {
            return s with
            {
                Outcome = s.LapsedAt is not null ? ReportCodes.RenewedLate : ReportCodes.RenewedBeforeExpiry,
                RenewedAt = at,
                WhoCame = s.VisitWhoCame ?? s.WhoCame,
                UpdatedSeq = seq,
            };
        }
        return s;
    }

    private static CaseFacts Close(CaseFacts s, CaseClosed c, long seq)
    {
        if (s.Renewed) return s with { ClosedAt = c.At, UpdatedSeq = seq };
        // Closed during a visit: that visit finished the case.
        if (s.VisitWhoCame is { } who && who != s.WhoCame) s = s with { WhoCame = who };
        return c.Closure switch
        {
            CaseClosure.Renewed => s with
            {
                ClosedAt = c.At,
                RenewedAt = c.At,
                Outcome = s.LapsedAt is not null ? ReportCodes.RenewedLate : ReportCodes.RenewedBeforeExpiry,
                UpdatedSeq = seq,
            },
            CaseClosure.Lapsed => s with { ClosedAt = c.At, Outcome = ReportCodes.Lapsed, UpdatedSeq = seq },
            CaseClosure.Withdrawn => s with { ClosedAt = c.At, Outcome = ReportCodes.Withdrawn, UpdatedSeq = seq },
            CaseClosure.MovedOut => s with { ClosedAt = c.At, Outcome = ReportCodes.MovedOut, UpdatedSeq = seq },
            _ => s with { ClosedAt = c.At, UpdatedSeq = seq },
        };
    }

    /// <summary>The array with one more duration; a negative one (clocks out of step) is left out.</summary>
    private static double[] Append(double[] durations, DateTimeOffset from, DateTimeOffset to)
    {
        var seconds = (to - from).TotalSeconds;
        if (seconds < 0) return durations;
        var longer = new double[durations.Length + 1];
        durations.CopyTo(longer, 0);
        longer[^1] = seconds;
        return longer;
    }

    /// <summary>
    /// Loads the cases of a batch with one select. Writes a flush's new cases with a binary COPY,
    /// and the cases that may have a row with a COPY into a temporary table and one upsert from it.
    /// </summary>
    private sealed class Writer(string schema, ProjectionWriterOptions options) : CaseStateWriter<CaseFacts>(schema, options)
    {
        private readonly string _stage = schema + "_case_facts_stage";

        protected override async Task<IReadOnlyDictionary<Guid, CaseFacts>> LoadAsync(NpgsqlConnection connection, Guid[] caseIds, CancellationToken ct)
        {
            var states = new Dictionary<Guid, CaseFacts>();
            await using var cmd = new NpgsqlCommand($"select {Columns} from {Schema}.case_facts where case_id = any($1)", connection);
            cmd.Parameters.Add(new NpgsqlParameter { Value = caseIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                states[r.GetGuid(0)] = new CaseFacts(
                    Municipality: r.GetString(1),
                    CohortMonth: r.GetFieldValue<DateOnly>(2),
                    AgeBand: r.GetString(3),
                    NoticeSent: r.GetBoolean(4),
                    Office: Text(r, 5),
                    WhoCame: Text(r, 6),
                    Outcome: r.GetString(7),
                    Visits: r.GetInt32(8),
                    // 9: needed_inquiry, derived from inquiry_mailed_at
                    InquiryMailedAt: Moment(r, 10),
                    InquiryReplyAt: Moment(r, 11),
                    PinMismatches: r.GetInt32(12),
                    PinLocked: r.GetBoolean(13),
                    WaitSeconds: r.GetFieldValue<double[]>(14),
                    ServiceSeconds: r.GetFieldValue<double[]>(15),
                    RenewedAt: Moment(r, 16),
                    LapsedAt: Moment(r, 17),
                    ClosedAt: Moment(r, 18),
                    UpdatedSeq: r.GetInt64(19),
                    UserAuthRenewed: r.GetBoolean(20),
                    VisitWhoCame: Text(r, 21),
                    ArrivedAt: Moment(r, 22),
                    CalledAt: Moment(r, 23));
            }
            return states;
        }

        protected override CaseFacts? Evolve(CaseFacts? state, StoredEvent e) => RenewalReportProjection.Evolve(state, e);

        protected override async Task WriteAsync(NpgsqlConnection connection, IReadOnlyList<(Guid CaseId, CaseFacts State)> fresh,
            IReadOnlyList<(Guid CaseId, CaseFacts State)> stored, CancellationToken ct)
        {
            if (fresh.Count > 0) await CopyAsync(connection, $"{Schema}.case_facts", fresh, ct);
            if (stored.Count == 0) return;
            await using (var create = new NpgsqlCommand(
                $"create temp table if not exists {_stage} (like {Schema}.case_facts) on commit drop", connection))
            {
                await create.ExecuteNonQueryAsync(ct);
            }
            await CopyAsync(connection, _stage, stored, ct);
            await using var upsert = new NpgsqlCommand(
                $"insert into {Schema}.case_facts ({Columns}) select {Columns} from {_stage} " +
                $"on conflict (case_id) do update set {UpdateSet}; drop table {_stage}", connection);
            await upsert.ExecuteNonQueryAsync(ct);
        }

        private static async Task CopyAsync(NpgsqlConnection connection, string table, IReadOnlyList<(Guid CaseId, CaseFacts State)> changed, CancellationToken ct)
        {
            await using var copy = await connection.BeginBinaryImportAsync($"copy {table} ({Columns}) from stdin (format binary)", ct);
            // Synchronous writes into the importer's buffer: per value, an awaited call costs
            // more than the value; the buffer is sent when full (a short blocking write).
            foreach (var (id, s) in changed)
            {
                copy.StartRow();
                copy.Write(id, NpgsqlDbType.Uuid);
                copy.Write(s.Municipality, NpgsqlDbType.Text);
                copy.Write(s.CohortMonth, NpgsqlDbType.Date);
                copy.Write(s.AgeBand, NpgsqlDbType.Text);
                copy.Write(s.NoticeSent, NpgsqlDbType.Boolean);
                Text(copy, s.Office);
                Text(copy, s.WhoCame);
                copy.Write(s.Outcome, NpgsqlDbType.Text);
                copy.Write(s.Visits, NpgsqlDbType.Integer);
                copy.Write(s.InquiryMailedAt is not null, NpgsqlDbType.Boolean);
                Moment(copy, s.InquiryMailedAt);
                Moment(copy, s.InquiryReplyAt);
                copy.Write(s.PinMismatches, NpgsqlDbType.Integer);
                copy.Write(s.PinLocked, NpgsqlDbType.Boolean);
                copy.Write(s.WaitSeconds, NpgsqlDbType.Array | NpgsqlDbType.Double);
                copy.Write(s.ServiceSeconds, NpgsqlDbType.Array | NpgsqlDbType.Double);
                Moment(copy, s.RenewedAt);
                Moment(copy, s.LapsedAt);
                Moment(copy, s.ClosedAt);
                copy.Write(s.UpdatedSeq, NpgsqlDbType.Bigint);
                copy.Write(s.UserAuthRenewed, NpgsqlDbType.Boolean);
                Text(copy, s.VisitWhoCame);
                Moment(copy, s.ArrivedAt);
                Moment(copy, s.CalledAt);
            }
            await copy.CompleteAsync(ct);
        }

        private static readonly string UpdateSet = string.Join(", ",
            Columns.Split(", ").Where(c => c != "case_id").Select(c => $"{c} = excluded.{c}"));

        private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

        private static DateTimeOffset? Moment(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);

        private static void Text(NpgsqlBinaryImporter copy, string? value)
        {
            if (value is null) copy.WriteNull();
            else copy.Write(value, NpgsqlDbType.Text);
        }

        /// <summary>timestamptz takes UTC only (Npgsql refuses another offset); the events carry +09:00.</summary>
        private static void Moment(NpgsqlBinaryImporter copy, DateTimeOffset? value)
        {
            if (value is { } v) copy.Write(v.ToUniversalTime(), NpgsqlDbType.TimestampTz);
            else copy.WriteNull();
        }
    }
}
