using CaseSystem.Cases;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Timers;
using CaseSystem.Projections.Daemon;
using JasperFx.Events;
using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql.Tables;
using static CaseSystem.Cases.Renewal.RenewalEvent;
using static CaseSystem.Projections.Daemon.SqlStatement;

namespace CaseSystem.Projections.Worklists;

/// <summary>
/// What the worklists need of one case, as its events leave it. Dates, not verdicts: whether a
/// reply is overdue or an expiry near is the query's to say, against the day it is asked.
/// </summary>
/// <param name="Office">Where the case was last seen: opened, arrived, visited or reserved (null for a notice no counter has seen yet).</param>
/// <param name="Visits">The visits that count (started and not voided).</param>
/// <param name="SeenOn">The (Japan) day of the last arrival or visit.</param>
/// <param name="OpenedBy">The staff member whose command opened the case (the notice import's, for an imported notice).</param>
/// <param name="LastBy">The staff member who last worked on the case: the user name of its last event recorded by a command at a
/// counter (a notice import and the timers leave it as it was).</param>
public sealed record WorkCase(
    string Municipality, string? Office, string NameKanji, string NameKana, string? NoticeNumber, DateOnly UserExpiry,
    int Visits, int VisitsStarted, string Status, string? Closure,
    DateOnly? InquiryMailedOn, DateOnly? ReplyDueOn, DateTimeOffset? RepliedAt,
    string? ReservedOffice, DateTimeOffset? ReservedAt, DateOnly? SeenOn,
    string? OpenedBy, string? LastBy, DateTimeOffset UpdatedAt);

/// <summary>
/// The worklists (issue 13): one row per case with what a clerk's or a supervisor's lists ask
/// (replies awaited, inquiries overdue, expiry near and no visit yet, today's reservations, my open
/// cases). Reads every event type: any command at a counter makes its staff member the case's last worker.
/// </summary>
public sealed class WorklistsProjection : CaseReadModel<WorkCase>
{
    public const string ProjectionName = "worklists";

    /// <summary>
    /// Every event type but the timers' facts (the window opened, a lapse, an overdue inquiry),
    /// which no list reads and which are no one's work: the daemon then loads half of a notice
    /// import's events for this read model, not all (ops/bench import, 2026-12-02: 4,973 lines/s
    /// with all of them loaded, once the worklists joined the read models).
    /// </summary>
    public WorklistsProjection(uint version = ReadModelGroupVersions.CaseViews) : base(ProjectionName, version)
    {
        Reads([.. RenewalEvent.Types.Where(t => !TimerFact(t))]);
    }

    private static bool TimerFact(Type type) => type == typeof(RenewalWindowOpened) || type == typeof(CertificateLapsed) || type == typeof(InquiryOverdue);

    public const string Active = "active";
    public const string Closed = "closed";

    public string Cases => InSchema("cases");

    public override IReadOnlyList<Table> Tables
    {
        get
        {
            var cases = CaseTable(Cases);
            cases.AddColumn("office", "text");
            cases.AddColumn("name_kanji", "text").NotNull();
            cases.AddColumn("name_kana", "text").NotNull();
            cases.AddColumn("notice_number", "text");
            cases.AddColumn("user_expiry", "date").NotNull();
            cases.AddColumn("visits", "integer").NotNull();
            cases.AddColumn("visits_started", "integer").NotNull();
            cases.AddColumn("status", "text").NotNull();
            cases.AddColumn("closure", "text");
            cases.AddColumn("inquiry_mailed_on", "date");
            cases.AddColumn("reply_due_on", "date");
            cases.AddColumn("replied_at", "timestamptz");
            cases.AddColumn("reserved_office", "text");
            cases.AddColumn("reserved_at", "timestamptz");
            cases.AddColumn("reserved_on", "date");
            cases.AddColumn("seen_on", "date");
            cases.AddColumn("opened_by", "text");
            cases.AddColumn("last_by", "text");
            cases.AddColumn("updated_at", "timestamptz").NotNull();
            // One partial index per list: each holds the active cases that list can show, in its order.
            cases.Indexes.Add(new IndexDefinition("cases_replies_awaited")
            {
                Columns = ["municipality", "reply_due_on"], Predicate = "status = 'active' and inquiry_mailed_on is not null and replied_at is null",
            });
            cases.Indexes.Add(new IndexDefinition("cases_no_visit_expiry")
            {
                Columns = ["municipality", "user_expiry"], Predicate = "status = 'active' and visits = 0",
            });
            cases.Indexes.Add(new IndexDefinition("cases_reserved_on")
            {
                Columns = ["municipality", "reserved_on"], Predicate = "status = 'active' and reserved_on is not null",
            });
            cases.Indexes.Add(new IndexDefinition("cases_last_by")
            {
                Columns = ["municipality", "last_by", "updated_at"], Predicate = "status = 'active'",
            });
            return [cases];
        }
    }

    private const string Columns =
        "case_id, municipality, office, name_kanji, name_kana, notice_number, user_expiry, visits, visits_started, status, closure, " +
        "inquiry_mailed_on, reply_due_on, replied_at, reserved_office, reserved_at, reserved_on, seen_on, opened_by, last_by, updated_at";

    protected override async Task<IReadOnlyDictionary<Guid, WorkCase>> LoadAsync(NpgsqlConnection connection, Guid[] caseIds, CancellationToken ct)
    {
        var states = new Dictionary<Guid, WorkCase>();
        await using var cmd = new NpgsqlCommand(ByCase(Columns, Cases), connection);
        cmd.Parameters.Add(new() { Value = caseIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            states[r.GetGuid(0)] = new WorkCase(r.GetString(1), Text(r, 2), r.GetString(3), r.GetString(4), Text(r, 5),
                r.GetFieldValue<DateOnly>(6), r.GetInt32(7), r.GetInt32(8), r.GetString(9), Text(r, 10),
                Date(r, 11), Date(r, 12), Moment(r, 13), Text(r, 14), Moment(r, 15), Date(r, 17),
                Text(r, 18), Text(r, 19), Moment(r, 20)!.Value);
        }
        return states;
    }

    protected override WorkCase? Evolve(WorkCase? state, IEvent e)
    {
        var @event = (RenewalEvent)e.Data;
        var by = Staff(e.UserName);
        if (state is null)
        {
            return @event switch
            {
                ExpiryNoticeSent n => new WorkCase(e.TenantId, null, n.Holder.NameKanji, n.Holder.NameKana, n.NoticeNumber, n.Expiry.UserAuthenticationExpiry,
                    0, 0, Active, null, null, null, null, null, null, null, by, null, n.At),
                CaseOpenedAtCounter o => new WorkCase(e.TenantId, o.Office, o.Holder.NameKanji, o.Holder.NameKana, null, o.Expiry.UserAuthenticationExpiry,
                    0, 0, Active, null, null, null, null, null, null, null, by, by, o.At),
                // Anything before a case exists changes nothing, as in the decider's fold.
                _ => null,
            };
        }
        // A closed case is on no list: what comes after its closure (a card read) changes nothing here.
        if (state.Status == Closed) return state;
        // The timers' facts are not read (the constructor's Reads): they change nothing here, a refold of a whole stream included.
        if (TimerFact(@event.GetType())) return state;
        var next = @event switch
        {
            NoticeAmended n => state with
            {
                NameKanji = n.Holder.NameKanji, NameKana = n.Holder.NameKana, NoticeNumber = n.NoticeNumber, UserExpiry = n.Expiry.UserAuthenticationExpiry,
            },
            ReservationMade m => state with { ReservedOffice = m.Office, ReservedAt = m.SlotStart, Office = m.Office },
            ArrivedAtOffice a => state with { Office = a.Office, SeenOn = JapanTime.DateOf(a.At) },
            CalledToCounter c => state with { Office = c.Office },
            VisitStarted v => state with { Office = v.Office, Visits = state.Visits + 1, VisitsStarted = v.Visit, SeenOn = JapanTime.DateOf(v.At) },
            EntryVoided { Entry: nameof(VisitStarted) } => state with { Visits = Math.Max(0, state.Visits - 1) },
            DocumentInquiryMailed m => state with { InquiryMailedOn = m.MailedOn, ReplyDueOn = m.ReplyDueOn, RepliedAt = null },
            InquiryReplyReceived r when state.RepliedAt is null => state with { RepliedAt = r.At },
            CaseClosed c => state with { Status = Closed, Closure = c.Closure.ToString() },
            _ => state,
        };
        // Worked on by: a command at a counter (or a correction). The notice import and the timers are not someone working on the case.
        var worker = @event is NoticeAmended or ExpiryNoticeSent ? null : by;
        return next with { LastBy = worker ?? next.LastBy, UpdatedAt = @event.At };
    }

    /// <summary>The staff id in an event's user name; null for none or the system itself (its timers).</summary>
    private static string? Staff(string? userName) =>
        string.IsNullOrWhiteSpace(userName) || userName == CaseTimers.Actor || userName.StartsWith("system:", StringComparison.Ordinal) ? null : userName;

    protected override IEnumerable<SqlStatement> Write(IReadOnlyList<(Guid CaseId, WorkCase State)> changed)
    {
        if (changed.Count == 0) yield break;
        var rows = changed.Select(c => c.State).ToList();
        yield return new SqlStatement($"""
            insert into {Cases} ({Columns})
            select * from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::date[], ?::int[], ?::int[], ?::text[], ?::text[],
                                 ?::date[], ?::date[], ?::timestamptz[], ?::text[], ?::timestamptz[], ?::date[], ?::date[], ?::text[], ?::text[], ?::timestamptz[])
            on conflict (case_id) do update set office = excluded.office, name_kanji = excluded.name_kanji, name_kana = excluded.name_kana,
                notice_number = excluded.notice_number, user_expiry = excluded.user_expiry, visits = excluded.visits, visits_started = excluded.visits_started,
                status = excluded.status, closure = excluded.closure, inquiry_mailed_on = excluded.inquiry_mailed_on, reply_due_on = excluded.reply_due_on,
                replied_at = excluded.replied_at, reserved_office = excluded.reserved_office, reserved_at = excluded.reserved_at,
                reserved_on = excluded.reserved_on, seen_on = excluded.seen_on, opened_by = excluded.opened_by, last_by = excluded.last_by,
                updated_at = excluded.updated_at
            """,
            Column(changed.Select(c => c.CaseId), NpgsqlDbType.Uuid),
            Column(rows.Select(r => r.Municipality), NpgsqlDbType.Text),
            Column(rows.Select(r => r.Office), NpgsqlDbType.Text),
            Column(rows.Select(r => r.NameKanji), NpgsqlDbType.Text),
            Column(rows.Select(r => r.NameKana), NpgsqlDbType.Text),
            Column(rows.Select(r => r.NoticeNumber), NpgsqlDbType.Text),
            Column(rows.Select(r => r.UserExpiry), NpgsqlDbType.Date),
            Column(rows.Select(r => r.Visits), NpgsqlDbType.Integer),
            Column(rows.Select(r => r.VisitsStarted), NpgsqlDbType.Integer),
            Column(rows.Select(r => r.Status), NpgsqlDbType.Text),
            Column(rows.Select(r => r.Closure), NpgsqlDbType.Text),
            Column(rows.Select(r => r.InquiryMailedOn), NpgsqlDbType.Date),
            Column(rows.Select(r => r.ReplyDueOn), NpgsqlDbType.Date),
            Column(rows.Select(r => r.RepliedAt?.UtcDateTime), NpgsqlDbType.TimestampTz),
            Column(rows.Select(r => r.ReservedOffice), NpgsqlDbType.Text),
            Column(rows.Select(r => r.ReservedAt?.UtcDateTime), NpgsqlDbType.TimestampTz),
            // The reservation's day in Japan: the list of today's reservations looks it up by this.
            Column(rows.Select(r => r.ReservedAt is { } at ? JapanTime.DateOf(at) : (DateOnly?)null), NpgsqlDbType.Date),
            Column(rows.Select(r => r.SeenOn), NpgsqlDbType.Date),
            Column(rows.Select(r => r.OpenedBy), NpgsqlDbType.Text),
            Column(rows.Select(r => r.LastBy), NpgsqlDbType.Text),
            Column(rows.Select(r => r.UpdatedAt.UtcDateTime), NpgsqlDbType.TimestampTz));
    }

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static DateOnly? Date(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateOnly>(i);

    private static DateTimeOffset? Moment(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : new DateTimeOffset(r.GetDateTime(i), TimeSpan.Zero);
}
