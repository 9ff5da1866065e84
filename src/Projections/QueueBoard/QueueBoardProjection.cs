using CaseSystem.Cases;
using CaseSystem.Cases.Api;
using CaseSystem.Projections.Daemon;
using JasperFx.Events;
using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql.Tables;
using static CaseSystem.Cases.Renewal.RenewalEvent;
using static CaseSystem.Projections.Daemon.SqlStatement;

namespace CaseSystem.Projections.QueueBoard;

/// <summary>
/// One queue ticket of a case: a visit from arrival to its end. <see cref="Opened"/> is the stream
/// version of the event that opened it (an arrival, or a call or a visit without one),
/// <see cref="VisitVersion"/> that of the visit started on it: the entries a correction names
/// (null on rows written before corrections existed). A ticket dropped (no-show, cancelled, or
/// its visit voided) has left the queue; a voided one was never this case's and is shown nowhere.
/// </summary>
public sealed record Ticket(
    int Number, string Municipality, string Office, string? TicketNumber, DateOnly Day,
    DateTimeOffset? ArrivedAt, DateTimeOffset? CalledAt, string? Counter, string? Clerk,
    DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, string? Outcome,
    long? Opened = null, int? Visit = null, long? VisitVersion = null, DateTimeOffset? DroppedAt = null, string? Drop = null, DateTimeOffset? VoidedAt = null,
    DateTimeOffset? LastCalledAt = null);

/// <summary>The case's reservation (the latest made): its office and slot (Kawasaki, 004). The call of the next ticket puts one due now first.</summary>
public sealed record BoardReservation(string Municipality, string Office, DateTimeOffset SlotStart);

/// <param name="ClosedAt">When the case closed with the reply still awaited: from then it waits for nothing (issue 12).</param>
public sealed record BoardInquiry(string Municipality, string Office, DateTimeOffset MailedAt, DateOnly MailedOn, DateOnly ReplyDueOn, DateTimeOffset? RepliedAt,
    DateTimeOffset? ClosedAt = null);

public sealed record BoardCase(string? Office, Ticket[] Tickets, BoardInquiry? Inquiry, long Seq, BoardReservation? Reservation = null);

/// <summary>
/// The queue board: every ticket with the moments it arrived, was called, started and ended,
/// and every document inquiry with the moments it was mailed and answered. Moments, not
/// statuses: the board at any moment, past or present, is a query over them.
/// </summary>
// Not sealed: the daemon tests register one that cannot apply a chosen event (a dead letter).
public class QueueBoardProjection : CaseReadModel<BoardCase>
{
    /// <remarks>Version 2 (issue 12): an inquiry remembers when its case closed unanswered, so a new column and every row anew.
    /// Version 3 (issue 13): a ticket's latest call (a recall re-announces it: the display's last calls) and each case's
    /// reservation (the call of the next ticket puts a reservation due now first).</remarks>
    public QueueBoardProjection(uint version = 3) : base(ProjectionName, version)
    {
        // The events Evolve acts on; the others (two thirds of a national log) are never loaded.
        Reads(typeof(CaseOpenedAtCounter), typeof(ArrivedAtOffice), typeof(CalledToCounter), typeof(VisitStarted), typeof(VisitEnded),
            typeof(DocumentInquiryMailed), typeof(InquiryReplyReceived), typeof(TicketDropped), typeof(EntryVoided), typeof(VisitOutcomeAmended),
            typeof(CaseClosed), typeof(ReservationMade));
    }

    public const string ProjectionName = "queue-board";
    public const string ChangedChannel = "queue_board_changed";

    public string Tickets => InSchema("tickets");
    public string Inquiries => InSchema("inquiries");
    public string Reservations => InSchema("reservations");

    public override IReadOnlyList<Table> Tables
    {
        get
        {
            var tickets = new Table(Tickets);
            tickets.AddColumn<Guid>("case_id").AsPrimaryKey();
            tickets.AddColumn<int>("number").AsPrimaryKey();
            tickets.AddColumn("municipality", "text").NotNull();
            tickets.AddColumn("office", "text").NotNull();
            tickets.AddColumn("ticket", "text");
            tickets.AddColumn("day", "date").NotNull();
            tickets.AddColumn("arrived_at", "timestamptz");
            tickets.AddColumn("called_at", "timestamptz");
            tickets.AddColumn("counter", "text");
            tickets.AddColumn("clerk", "text");
            tickets.AddColumn("started_at", "timestamptz");
            tickets.AddColumn("ended_at", "timestamptz");
            tickets.AddColumn("outcome", "text");
            tickets.AddColumn<long>("seq").NotNull();
            // Issue 12: the entries a correction names, and the ticket leaving the queue.
            tickets.AddColumn("opened_version", "bigint");
            tickets.AddColumn("visit", "integer");
            tickets.AddColumn("visit_version", "bigint");
            tickets.AddColumn("dropped_at", "timestamptz");
            tickets.AddColumn("drop_reason", "text");
            tickets.AddColumn("voided_at", "timestamptz");
            tickets.AddColumn("last_called_at", "timestamptz");
            tickets.Indexes.Add(new IndexDefinition("tickets_office_day") { Columns = ["municipality", "office", "day"] });
            var inquiries = CaseTable(Inquiries);
            inquiries.AddColumn("office", "text").NotNull();
            inquiries.AddColumn("mailed_at", "timestamptz").NotNull();
            inquiries.AddColumn("mailed_on", "date").NotNull();
            inquiries.AddColumn("reply_due_on", "date").NotNull();
            inquiries.AddColumn("replied_at", "timestamptz");
            inquiries.AddColumn<long>("seq").NotNull();
            inquiries.AddColumn("closed_at", "timestamptz");
            inquiries.Indexes.Add(new IndexDefinition("inquiries_waiting") { Columns = ["municipality", "office"], Predicate = "replied_at is null and closed_at is null" });
            var reservations = CaseTable(Reservations);
            reservations.AddColumn("office", "text").NotNull();
            reservations.AddColumn("slot_start", "timestamptz").NotNull();
            reservations.AddColumn<long>("seq").NotNull();
            return [tickets, inquiries, reservations];
        }
    }
    protected override async Task<IReadOnlyDictionary<Guid, BoardCase>> LoadAsync(NpgsqlConnection connection, Guid[] caseIds, CancellationToken ct)
    {
        var tickets = new Dictionary<Guid, List<Ticket>>();
        var seqs = new Dictionary<Guid, long>();
        await using (var cmd = new NpgsqlCommand(
            ByCase(TicketColumns, Tickets, orderBy: "r.case_id, r.number"), connection))
        {
            cmd.Parameters.Add(new() { Value = caseIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var id = r.GetGuid(0);
                if (!tickets.TryGetValue(id, out var list)) tickets[id] = list = [];
                list.Add(new Ticket(r.GetInt32(1), r.GetString(2), r.GetString(3), Text(r, 4), r.GetFieldValue<DateOnly>(5),
                    Moment(r, 6), Moment(r, 7), Text(r, 8), Text(r, 9), Moment(r, 10), Moment(r, 11), Text(r, 12),
                    Long(r, 14), r.IsDBNull(15) ? null : r.GetInt32(15), Long(r, 16), Moment(r, 17), Text(r, 18), Moment(r, 19), Moment(r, 20)));
                seqs[id] = Math.Max(seqs.GetValueOrDefault(id), r.GetInt64(13));
            }
        }
        var inquiries = new Dictionary<Guid, BoardInquiry>();
        await using (var cmd = new NpgsqlCommand(
            ByCase(InquiryColumns, Inquiries), connection))
        {
            cmd.Parameters.Add(new() { Value = caseIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var id = r.GetGuid(0);
                inquiries[id] = new BoardInquiry(r.GetString(1), r.GetString(2), Moment(r, 3)!.Value,
                    DateOnly.FromDateTime(r.GetDateTime(4)), r.GetFieldValue<DateOnly>(5), Moment(r, 6), Moment(r, 8));
                seqs[id] = Math.Max(seqs.GetValueOrDefault(id), r.GetInt64(7));
            }
        }
        var reservations = new Dictionary<Guid, BoardReservation>();
        await using (var cmd = new NpgsqlCommand(ByCase(ReservationColumns, Reservations), connection))
        {
            cmd.Parameters.Add(new() { Value = caseIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var id = r.GetGuid(0);
                reservations[id] = new BoardReservation(r.GetString(1), r.GetString(2), Moment(r, 3)!.Value);
                seqs[id] = Math.Max(seqs.GetValueOrDefault(id), r.GetInt64(4));
            }
        }
        var states = new Dictionary<Guid, BoardCase>();
        foreach (var id in tickets.Keys.Union(inquiries.Keys).Union(reservations.Keys))
        {
            var list = tickets.GetValueOrDefault(id);
            states[id] = new BoardCase(list?[^1].Office ?? inquiries.GetValueOrDefault(id)?.Office ?? reservations.GetValueOrDefault(id)?.Office,
                list is null ? [] : [.. list], inquiries.GetValueOrDefault(id), seqs[id], reservations.GetValueOrDefault(id));
        }
        return states;
    }

    protected override BoardCase? Evolve(BoardCase? state, IEvent e)
    {
        var board = state ?? new BoardCase(null, [], null, 0);
        // The case's last ticket that is not voided, while its visit has not ended and it was not dropped.
        var live = Array.FindLastIndex(board.Tickets, t => t.VoidedAt is null);
        var open = live >= 0 && board.Tickets[live] is { EndedAt: null, DroppedAt: null } t ? t : null;
        return e.Data switch
        {
            CaseOpenedAtCounter o => board with { Office = o.Office, Seq = e.Sequence },
            ArrivedAtOffice a => board with
            {
                Office = a.Office,
                Tickets = [.. board.Tickets, new Ticket(board.Tickets.Length + 1, e.TenantId, a.Office, a.TicketNumber,
                    JapanTime.DateOf(a.At), a.At, null, null, null, null, null, null, Opened: e.Version)],
                Seq = e.Sequence,
            },
            CalledToCounter c when open is not null => Replace(board, live, open with
            {
                CalledAt = open.CalledAt ?? c.At, LastCalledAt = c.At, Counter = c.Counter, Clerk = c.ClerkId, Office = c.Office,
            }, e.Sequence),
            CalledToCounter c => board with
            {
                Office = c.Office,
                Tickets = [.. board.Tickets, new Ticket(board.Tickets.Length + 1, e.TenantId, c.Office, null,
                    JapanTime.DateOf(c.At), null, c.At, c.Counter, c.ClerkId, null, null, null, Opened: e.Version, LastCalledAt: c.At)],
                Seq = e.Sequence,
            },
            VisitStarted v when open is not null => Replace(board, live, open with
            {
                StartedAt = open.StartedAt ?? v.At, CalledAt = open.CalledAt ?? v.At, Visit = v.Visit, VisitVersion = e.Version,
            }, e.Sequence),
            VisitStarted v => board with
            {
                Office = v.Office,
                Tickets = [.. board.Tickets, new Ticket(board.Tickets.Length + 1, e.TenantId, v.Office, null,
                    JapanTime.DateOf(v.At), null, v.At, null, null, v.At, null, null, Opened: e.Version, Visit: v.Visit, VisitVersion: e.Version)],
                Seq = e.Sequence,
            },
            VisitEnded v when open is not null => Replace(board, live, open with { EndedAt = v.At, Outcome = v.Outcome.ToString() }, e.Sequence),
            TicketDropped d when open is { StartedAt: null } => Replace(board, live, open with { DroppedAt = d.At, Drop = d.Drop.ToString() }, e.Sequence),
            EntryVoided x => Corrected(board, x, e.Sequence) ?? state,
            VisitOutcomeAmended a when Array.FindLastIndex(board.Tickets, t => t.Visit == a.Visit && t.EndedAt is not null) is var i and >= 0 =>
                Replace(board, i, board.Tickets[i] with { Outcome = a.Outcome.ToString() }, e.Sequence),
            DocumentInquiryMailed m => board with
            {
                Inquiry = new BoardInquiry(e.TenantId, open?.Office ?? board.Office ?? e.Office() ?? "", m.At, m.MailedOn, m.ReplyDueOn, null),
                Seq = e.Sequence,
            },
            InquiryReplyReceived r when board.Inquiry is { RepliedAt: null } => board with
            {
                Inquiry = board.Inquiry with { RepliedAt = r.At },
                Seq = e.Sequence,
            },
            CaseClosed c when board.Inquiry is { RepliedAt: null, ClosedAt: null } => board with
            {
                Inquiry = board.Inquiry with { ClosedAt = c.At },
                Seq = e.Sequence,
            },
            ReservationMade m => board with { Reservation = new BoardReservation(e.TenantId, m.Office, m.SlotStart), Seq = e.Sequence },
            // A type acted on here must be listed in the constructor's Reads, or the daemon never loads it.
            _ => state,
        };
    }

    /// <summary>
    /// A voided entry's ticket: the one its arrival (or its visit, started without a ticket) opened
    /// leaves the board as if never recorded here; the one a voided visit was started on is dropped,
    /// without the visit's start, end and outcome (its wait stays: the holder did wait). Null when
    /// no ticket is that entry's.
    /// </summary>
    private static BoardCase? Corrected(BoardCase board, EntryVoided x, long seq)
    {
        if (Array.FindIndex(board.Tickets, t => t.Opened == x.Version && t.VoidedAt is null) is var opened and >= 0)
        {
            return Replace(board, opened, board.Tickets[opened] with { VoidedAt = x.At }, seq);
        }
        if (Array.FindIndex(board.Tickets, t => t.VisitVersion == x.Version && t.VoidedAt is null) is var visited and >= 0)
        {
            return Replace(board, visited, board.Tickets[visited] with
            {
                StartedAt = null, EndedAt = null, Outcome = null, DroppedAt = x.At, Drop = "VisitVoided",
            }, seq);
        }
        return null;
    }

    private static BoardCase Replace(BoardCase board, int index, Ticket ticket, long seq)
    {
        var tickets = (Ticket[])board.Tickets.Clone();
        tickets[index] = ticket;
        return board with { Tickets = tickets, Seq = seq };
    }

    private const string TicketColumns = "case_id, number, municipality, office, ticket, day, arrived_at, called_at, counter, clerk, started_at, ended_at, outcome, seq, " +
        "opened_version, visit, visit_version, dropped_at, drop_reason, voided_at, last_called_at";
    private const string InquiryColumns = "case_id, municipality, office, mailed_at, mailed_on, reply_due_on, replied_at, seq, closed_at";
    private const string ReservationColumns = "case_id, municipality, office, slot_start, seq";

    protected override IEnumerable<SqlStatement> Write(IReadOnlyList<(Guid CaseId, BoardCase State)> changed)
    {
        var tickets = changed.SelectMany(c => c.State.Tickets.Select(t => (c.CaseId, t, c.State.Seq))).ToList();
        var inquiries = changed.Where(c => c.State.Inquiry is not null).Select(c => (c.CaseId, i: c.State.Inquiry!, c.State.Seq)).ToList();
        if (tickets.Count > 0)
        {
            yield return new SqlStatement($"""
                insert into {Tickets} ({TicketColumns})
                select * from unnest(?::uuid[], ?::int[], ?::text[], ?::text[], ?::text[], ?::date[], ?::timestamptz[], ?::timestamptz[],
                                     ?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::text[], ?::bigint[],
                                     ?::bigint[], ?::int[], ?::bigint[], ?::timestamptz[], ?::text[], ?::timestamptz[], ?::timestamptz[])
                on conflict (case_id, number) do update set office = excluded.office, ticket = excluded.ticket, day = excluded.day,
                    arrived_at = excluded.arrived_at, called_at = excluded.called_at, counter = excluded.counter, clerk = excluded.clerk,
                    started_at = excluded.started_at, ended_at = excluded.ended_at, outcome = excluded.outcome, seq = excluded.seq,
                    opened_version = excluded.opened_version, visit = excluded.visit, visit_version = excluded.visit_version,
                    dropped_at = excluded.dropped_at, drop_reason = excluded.drop_reason, voided_at = excluded.voided_at,
                    last_called_at = excluded.last_called_at
                """,
                Column(tickets.Select(t => t.CaseId), NpgsqlDbType.Uuid),
                Column(tickets.Select(t => t.t.Number), NpgsqlDbType.Integer),
                Column(tickets.Select(t => t.t.Municipality), NpgsqlDbType.Text),
                Column(tickets.Select(t => t.t.Office), NpgsqlDbType.Text),
                Column(tickets.Select(t => t.t.TicketNumber), NpgsqlDbType.Text),
                Column(tickets.Select(t => t.t.Day), NpgsqlDbType.Date),
                Column(tickets.Select(t => Utc(t.t.ArrivedAt)), NpgsqlDbType.TimestampTz),
                Column(tickets.Select(t => Utc(t.t.CalledAt)), NpgsqlDbType.TimestampTz),
                Column(tickets.Select(t => t.t.Counter), NpgsqlDbType.Text),
                Column(tickets.Select(t => t.t.Clerk), NpgsqlDbType.Text),
                Column(tickets.Select(t => Utc(t.t.StartedAt)), NpgsqlDbType.TimestampTz),
                Column(tickets.Select(t => Utc(t.t.EndedAt)), NpgsqlDbType.TimestampTz),
                Column(tickets.Select(t => t.t.Outcome), NpgsqlDbType.Text),
                Column(tickets.Select(t => t.Seq), NpgsqlDbType.Bigint),
                Column(tickets.Select(t => t.t.Opened), NpgsqlDbType.Bigint),
                Column(tickets.Select(t => t.t.Visit), NpgsqlDbType.Integer),
                Column(tickets.Select(t => t.t.VisitVersion), NpgsqlDbType.Bigint),
                Column(tickets.Select(t => Utc(t.t.DroppedAt)), NpgsqlDbType.TimestampTz),
                Column(tickets.Select(t => t.t.Drop), NpgsqlDbType.Text),
                Column(tickets.Select(t => Utc(t.t.VoidedAt)), NpgsqlDbType.TimestampTz),
                Column(tickets.Select(t => Utc(t.t.LastCalledAt)), NpgsqlDbType.TimestampTz));
        }
        if (inquiries.Count > 0)
        {
            yield return new SqlStatement($"""
                insert into {Inquiries} ({InquiryColumns})
                select * from unnest(?::uuid[], ?::text[], ?::text[], ?::timestamptz[], ?::date[], ?::date[], ?::timestamptz[], ?::bigint[], ?::timestamptz[])
                on conflict (case_id) do update set office = excluded.office, mailed_at = excluded.mailed_at, mailed_on = excluded.mailed_on,
                    reply_due_on = excluded.reply_due_on, replied_at = excluded.replied_at, seq = excluded.seq, closed_at = excluded.closed_at
                """,
                Column(inquiries.Select(i => i.CaseId), NpgsqlDbType.Uuid),
                Column(inquiries.Select(i => i.i.Municipality), NpgsqlDbType.Text),
                Column(inquiries.Select(i => i.i.Office), NpgsqlDbType.Text),
                Column(inquiries.Select(i => Utc(i.i.MailedAt)), NpgsqlDbType.TimestampTz),
                Column(inquiries.Select(i => i.i.MailedOn), NpgsqlDbType.Date),
                Column(inquiries.Select(i => i.i.ReplyDueOn), NpgsqlDbType.Date),
                Column(inquiries.Select(i => Utc(i.i.RepliedAt)), NpgsqlDbType.TimestampTz),
                Column(inquiries.Select(i => i.Seq), NpgsqlDbType.Bigint),
                Column(inquiries.Select(i => Utc(i.i.ClosedAt)), NpgsqlDbType.TimestampTz));
        }
        var reservations = changed.Where(c => c.State.Reservation is not null).Select(c => (c.CaseId, r: c.State.Reservation!, c.State.Seq)).ToList();
        if (reservations.Count > 0)
        {
            yield return new SqlStatement($"""
                insert into {Reservations} ({ReservationColumns})
                select * from unnest(?::uuid[], ?::text[], ?::text[], ?::timestamptz[], ?::bigint[])
                on conflict (case_id) do update set office = excluded.office, slot_start = excluded.slot_start, seq = excluded.seq
                """,
                Column(reservations.Select(r => r.CaseId), NpgsqlDbType.Uuid),
                Column(reservations.Select(r => r.r.Municipality), NpgsqlDbType.Text),
                Column(reservations.Select(r => r.r.Office), NpgsqlDbType.Text),
                Column(reservations.Select(r => Utc(r.r.SlotStart)), NpgsqlDbType.TimestampTz),
                Column(reservations.Select(r => r.Seq), NpgsqlDbType.Bigint));
        }
        var offices = changed.SelectMany(c => c.State.Tickets.Select(t => t.Municipality + "/" + t.Office)
                .Concat(c.State.Inquiry is { } i ? [i.Municipality + "/" + i.Office] : []))
            .Distinct().ToArray();
        // Delivered when the daemon's batch commits: a board is never announced before its data.
        if (offices.Length > 0)
        {
            yield return new SqlStatement($"select pg_notify('{ChangedChannel}', o) from unnest(?::text[]) o", Column(offices, NpgsqlDbType.Text));
        }
    }

    private static DateTime? Utc(DateTimeOffset? at) => at?.UtcDateTime;

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static long? Long(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);

    private static DateTimeOffset? Moment(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : new DateTimeOffset(r.GetDateTime(i), TimeSpan.Zero);
}
