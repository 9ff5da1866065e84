using CaseSystem.Projections.Daemon;
using JasperFx.Events;
using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql.Tables;
using static CaseSystem.Cases.Renewal.RenewalEvent;
using static CaseSystem.Projections.Daemon.SqlStatement;

namespace CaseSystem.Projections.RenewalRates;

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
/// lapse, 002/003), or <c>issued-on-reissued-card</c> for certificates issued onto a re-issued card
/// (003 ※: an issuance of its own, 200 yen; counted as renewed in the rate). A renewal of the signing certificate alone counts when nothing was renewed
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
public sealed partial class RenewalReportProjection : CaseReadModel<RenewalReportProjection.CaseFacts>
{
    public RenewalReportProjection(uint version = ReadModelGroupVersions.CaseViews) : base(ProjectionName, version)
    {
        // The events Fold acts on (CaseFacts.cs); the others (PIN matches, card reads, identity checks,
        // window openings, reservations: two fifths of a national log) are never loaded.
        Reads(typeof(ExpiryNoticeSent), typeof(NoticeAmended), typeof(CaseOpenedAtCounter), typeof(ArrivedAtOffice), typeof(CalledToCounter), typeof(VisitStarted),
            typeof(VisitEnded), typeof(PinMismatchRecorded), typeof(PinLocked), typeof(DocumentInquiryMailed), typeof(InquiryReplyReceived),
            typeof(CertificatesRenewed), typeof(CertificatesIssued), typeof(CertificatesIssuedOnReissuedCard), typeof(CertificateLapsed), typeof(CaseClosed),
            // Issue 12: a ticket dropped, an arrival or a visit voided. Amended outcomes and documents are nothing the report counts.
            typeof(TicketDropped), typeof(EntryVoided));
    }

    public const string ProjectionName = "renewal-report";

    /// <summary>One row per case (no personal data); the columns after updated_seq hold the fold's state between pages.</summary>
    public string CaseFactsTable => InSchema("case_facts");

    /// <summary>The columns, in the order of the writer's load and upsert.</summary>
    internal const string Columns =
        "case_id, municipality, cohort_month, age_band, notice_sent, office, who_came, outcome, visits, " +
        "needed_inquiry, inquiry_mailed_at, inquiry_reply_at, pin_mismatches, pin_locked, wait_seconds, service_seconds, " +
        "renewed_at, lapsed_at, closed_at, updated_seq, user_auth_renewed, visit_who_came, arrived_at, called_at, " +
        "opened_office, wait_arrivals, arrival_version, called_arrival, last_visit_served";

    public override IReadOnlyList<Table> Tables
    {
        get
        {
            var facts = CaseTable(CaseFactsTable);
            // First day of the month the user-authentication certificate expires in.
            facts.AddColumn("cohort_month", "date").NotNull();
            // The holder's age on the user-authentication certificate's expiry date.
            facts.AddColumn("age_band", "text").NotNull();
            facts.AddColumn("notice_sent", "boolean").NotNull();
            facts.AddColumn("office", "text");
            facts.AddColumn("who_came", "text");
            facts.AddColumn("outcome", "text").NotNull();
            facts.AddColumn("visits", "integer").NotNull();
            facts.AddColumn("needed_inquiry", "boolean").NotNull();
            facts.AddColumn("inquiry_mailed_at", "timestamptz");
            facts.AddColumn("inquiry_reply_at", "timestamptz");
            facts.AddColumn("pin_mismatches", "integer").NotNull();
            facts.AddColumn("pin_locked", "boolean").NotNull();
            // Per visit: arrival to called to the counter; called to the end of the visit.
            facts.AddColumn("wait_seconds", "double precision[]").NotNull();
            facts.AddColumn("service_seconds", "double precision[]").NotNull();
            facts.AddColumn("renewed_at", "timestamptz");
            facts.AddColumn("lapsed_at", "timestamptz");
            facts.AddColumn("closed_at", "timestamptz");
            // Log position of the last event that changed the row.
            facts.AddColumn<long>("updated_seq").NotNull();
            // The fold's state: the user-authentication certificate was renewed or issued; who came
            // at the visit in progress; an arrival not yet called; a call whose visit has not ended.
            facts.AddColumn("user_auth_renewed", "boolean").NotNull();
            facts.AddColumn("visit_who_came", "text");
            facts.AddColumn("arrived_at", "timestamptz");
            facts.AddColumn("called_at", "timestamptz");
            // Corrections (issue 12; CaseFacts says what each is for). Nullable: rows written before them have none.
            facts.AddColumn("opened_office", "text");
            facts.AddColumn("wait_arrivals", "bigint[]");
            facts.AddColumn("arrival_version", "bigint");
            facts.AddColumn("called_arrival", "bigint");
            facts.AddColumn("last_visit_served", "boolean");
            facts.Indexes.Add(new IndexDefinition("case_facts_cohort") { Columns = ["municipality", "cohort_month"] });
            return [facts];
        }
    }

    protected override async Task<IReadOnlyDictionary<Guid, CaseFacts>> LoadAsync(NpgsqlConnection connection, Guid[] caseIds, CancellationToken ct)
    {
        var states = new Dictionary<Guid, CaseFacts>();
        await using var cmd = new NpgsqlCommand(ByCase(Columns, CaseFactsTable), connection);
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
                CalledAt: Moment(r, 23),
                OpenedOffice: Text(r, 24),
                WaitArrivals: r.IsDBNull(25) ? null : r.GetFieldValue<long[]>(25),
                ArrivalVersion: r.IsDBNull(26) ? null : r.GetInt64(26),
                CalledArrival: r.IsDBNull(27) ? null : r.GetInt64(27),
                LastVisitServed: !r.IsDBNull(28) && r.GetBoolean(28));
        }
        return states;
    }

    protected override CaseFacts? Evolve(CaseFacts? state, IEvent e) => Fold(state, e);

    protected override IEnumerable<SqlStatement> Write(IReadOnlyList<(Guid CaseId, CaseFacts State)> changed)
    {
        var facts = changed.Select(c => c.State).ToList();
        var (waits, waitsFrom, waitsTo) = Flattened(facts, f => f.WaitSeconds);
        var (services, servicesFrom, servicesTo) = Flattened(facts, f => f.ServiceSeconds);
        // Each wait's arrival, flattened the same way (same slices as the waits).
        var arrivals = facts.SelectMany(f => f.Arrivals).ToArray();
        // unnest takes no ragged arrays: every row's durations travel in one flat float8 array, and
        // each row takes its slice of it (an empty slice when from > to).
        yield return new SqlStatement($"""
            insert into {CaseFactsTable} ({Columns})
            select id, m, cohort, band, notice, office, who, outcome, visits, needed, mailed, reply, mismatches, locked,
                   coalesce(w.d[wf:wt], array[]::float8[]), coalesce(s.d[sf:st], array[]::float8[]), renewed, lapsed, closed, seq, user_auth, visit_who, arrived, called,
                   opened, coalesce(a.d[wf:wt], array[]::bigint[]), arrival, called_arrival, served
            from unnest(?::uuid[], ?::text[], ?::date[], ?::text[], ?::boolean[], ?::text[], ?::text[], ?::text[], ?::int[],
                        ?::boolean[], ?::timestamptz[], ?::timestamptz[], ?::int[], ?::boolean[], ?::int[], ?::int[], ?::int[], ?::int[],
                        ?::timestamptz[], ?::timestamptz[], ?::timestamptz[], ?::bigint[], ?::boolean[], ?::text[], ?::timestamptz[], ?::timestamptz[],
                        ?::text[], ?::bigint[], ?::bigint[], ?::boolean[])
                 as r(id, m, cohort, band, notice, office, who, outcome, visits, needed, mailed, reply, mismatches, locked,
                      wf, wt, sf, st, renewed, lapsed, closed, seq, user_auth, visit_who, arrived, called, opened, arrival, called_arrival, served)
            cross join (select ?::float8[] as d) w
            cross join (select ?::float8[] as d) s
            cross join (select ?::bigint[] as d) a
            on conflict (case_id) do update set {UpdateSet}
            """,
            Column(changed.Select(c => c.CaseId), NpgsqlDbType.Uuid),
            Column(facts.Select(f => f.Municipality), NpgsqlDbType.Text),
            Column(facts.Select(f => f.CohortMonth), NpgsqlDbType.Date),
            Column(facts.Select(f => f.AgeBand), NpgsqlDbType.Text),
            Column(facts.Select(f => f.NoticeSent), NpgsqlDbType.Boolean),
            Column(facts.Select(f => f.Office), NpgsqlDbType.Text),
            Column(facts.Select(f => f.WhoCame), NpgsqlDbType.Text),
            Column(facts.Select(f => f.Outcome), NpgsqlDbType.Text),
            Column(facts.Select(f => f.Visits), NpgsqlDbType.Integer),
            Column(facts.Select(f => f.InquiryMailedAt is not null), NpgsqlDbType.Boolean),
            Column(facts.Select(f => Utc(f.InquiryMailedAt)), NpgsqlDbType.TimestampTz),
            Column(facts.Select(f => Utc(f.InquiryReplyAt)), NpgsqlDbType.TimestampTz),
            Column(facts.Select(f => f.PinMismatches), NpgsqlDbType.Integer),
            Column(facts.Select(f => f.PinLocked), NpgsqlDbType.Boolean),
            (waitsFrom, NpgsqlDbType.Array | NpgsqlDbType.Integer),
            (waitsTo, NpgsqlDbType.Array | NpgsqlDbType.Integer),
            (servicesFrom, NpgsqlDbType.Array | NpgsqlDbType.Integer),
            (servicesTo, NpgsqlDbType.Array | NpgsqlDbType.Integer),
            Column(facts.Select(f => Utc(f.RenewedAt)), NpgsqlDbType.TimestampTz),
            Column(facts.Select(f => Utc(f.LapsedAt)), NpgsqlDbType.TimestampTz),
            Column(facts.Select(f => Utc(f.ClosedAt)), NpgsqlDbType.TimestampTz),
            Column(facts.Select(f => f.UpdatedSeq), NpgsqlDbType.Bigint),
            Column(facts.Select(f => f.UserAuthRenewed), NpgsqlDbType.Boolean),
            Column(facts.Select(f => f.VisitWhoCame), NpgsqlDbType.Text),
            Column(facts.Select(f => Utc(f.ArrivedAt)), NpgsqlDbType.TimestampTz),
            Column(facts.Select(f => Utc(f.CalledAt)), NpgsqlDbType.TimestampTz),
            Column(facts.Select(f => f.OpenedOffice), NpgsqlDbType.Text),
            Column(facts.Select(f => f.ArrivalVersion), NpgsqlDbType.Bigint),
            Column(facts.Select(f => f.CalledArrival), NpgsqlDbType.Bigint),
            Column(facts.Select(f => f.LastVisitServed), NpgsqlDbType.Boolean),
            (waits, NpgsqlDbType.Array | NpgsqlDbType.Double),
            (services, NpgsqlDbType.Array | NpgsqlDbType.Double),
            (arrivals, NpgsqlDbType.Array | NpgsqlDbType.Bigint));
    }

    /// <summary>Every row's durations in one array, and each row's 1-based slice of it (from > to: none).</summary>
    private static (double[] All, int[] From, int[] To) Flattened(List<CaseFacts> facts, Func<CaseFacts, double[]> durations)
    {
        var all = new double[facts.Sum(f => durations(f).Length)];
        var from = new int[facts.Count];
        var to = new int[facts.Count];
        var n = 0;
        for (var i = 0; i < facts.Count; i++)
        {
            var d = durations(facts[i]);
            from[i] = n + 1;
            d.CopyTo(all, n);
            n += d.Length;
            to[i] = n;
        }
        return (all, from, to);
    }

    /// <summary>timestamptz takes UTC only (Npgsql refuses another offset); the events carry +09:00.</summary>
    private static DateTime? Utc(DateTimeOffset? at) => at?.UtcDateTime;

    private static readonly string UpdateSet = string.Join(", ",
        Columns.Split(", ").Where(c => c != "case_id").Select(c => $"{c} = excluded.{c}"));

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static DateTimeOffset? Moment(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);
}
