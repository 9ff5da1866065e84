using CaseSystem.Cases;
using CaseSystem.Cases.EventStore;
using CaseSystem.Projections.Runner;
using Npgsql;
using NpgsqlTypes;
using static CaseSystem.Cases.Renewal.RenewalEvent;

namespace CaseSystem.Projections.QueueBoard;

/// <summary>One queue ticket of a case: a visit from arrival to its end.</summary>
internal sealed record Ticket(
    int Number, string Municipality, string Office, string? TicketNumber, DateOnly Day,
    DateTimeOffset? ArrivedAt, DateTimeOffset? CalledAt, string? Counter, string? Clerk,
    DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, string? Outcome);

internal sealed record BoardInquiry(string Municipality, string Office, DateTimeOffset MailedAt, DateOnly MailedOn, DateOnly ReplyDueOn, DateTimeOffset? RepliedAt);

internal sealed record BoardCase(string? Office, Ticket[] Tickets, BoardInquiry? Inquiry, long Seq);

/// <summary>
/// The queue board: every ticket with the moments it arrived, was called, started and ended,
/// and every document inquiry with the moments it was mailed and answered. Moments, not
/// statuses: the board at any moment, past or present, is a query over them.
/// </summary>
public sealed class QueueBoardProjection : IProjection
{
    public const string ChangedChannel = "queue_board_changed";

    public string Name => "queue-board";
    public int Version => 1;
    public FailurePolicy OnFailure => FailurePolicy.DeadLetter;
    public IReadOnlyList<string> Tables { get; } = ["tickets", "inquiries"];

    public string CreateSql(string schema) => $"""
        create table {schema}.tickets (
            case_id uuid not null, number int not null, municipality text not null, office text not null,
            ticket text, day date not null, arrived_at timestamptz, called_at timestamptz, counter text, clerk text,
            started_at timestamptz, ended_at timestamptz, outcome text, seq bigint not null,
            primary key (case_id, number));
        create index on {schema}.tickets (municipality, office, day);
        create table {schema}.inquiries (
            case_id uuid primary key, municipality text not null, office text not null, mailed_at timestamptz not null,
            mailed_on date not null, reply_due_on date not null, replied_at timestamptz, seq bigint not null);
        create index on {schema}.inquiries (municipality, office) where replied_at is null;
        """;

    public IProjectionWriter CreateWriter(string schema, ProjectionWriterOptions options) => new Writer(schema, options);

    private sealed class Writer(string schema, ProjectionWriterOptions options) : CaseStateWriter<BoardCase>(schema, options)
    {
        protected override async Task<IReadOnlyDictionary<Guid, BoardCase>> LoadAsync(NpgsqlConnection connection, Guid[] caseIds, CancellationToken ct)
        {
            var tickets = new Dictionary<Guid, List<Ticket>>();
            var seqs = new Dictionary<Guid, long>();
            await using (var cmd = new NpgsqlCommand(
                $"select case_id, number, municipality, office, ticket, day, arrived_at, called_at, counter, clerk, started_at, ended_at, outcome, seq " +
                $"from {Schema}.tickets where case_id = any($1) order by case_id, number", connection))
            {
                cmd.Parameters.Add(new() { Value = caseIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
                await using var r = await cmd.ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct))
                {
                    var id = r.GetGuid(0);
                    if (!tickets.TryGetValue(id, out var list)) tickets[id] = list = [];
                    list.Add(new Ticket(r.GetInt32(1), r.GetString(2), r.GetString(3), Text(r, 4), r.GetFieldValue<DateOnly>(5),
                        Moment(r, 6), Moment(r, 7), Text(r, 8), Text(r, 9), Moment(r, 10), Moment(r, 11), Text(r, 12)));
                    seqs[id] = Math.Max(seqs.GetValueOrDefault(id), r.GetInt64(13));
                }
            }
            var inquiries = new Dictionary<Guid, BoardInquiry>();
            await using (var cmd = new NpgsqlCommand(
                $"select case_id, municipality, office, mailed_at, mailed_on, reply_due_on, replied_at, seq from {Schema}.inquiries where case_id = any($1)", connection))
            {
                cmd.Parameters.Add(new() { Value = caseIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
                await using var r = await cmd.ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct))
                {
                    var id = r.GetGuid(0);
                    inquiries[id] = new BoardInquiry(r.GetString(1), r.GetString(2), Moment(r, 3)!.Value,
                        DateOnly.FromDateTime(r.GetDateTime(4)), r.GetFieldValue<DateOnly>(5), Moment(r, 6));
                    seqs[id] = Math.Max(seqs.GetValueOrDefault(id), r.GetInt64(7));
                }
            }
            var states = new Dictionary<Guid, BoardCase>();
            foreach (var id in tickets.Keys.Union(inquiries.Keys))
            {
                var list = tickets.GetValueOrDefault(id);
                states[id] = new BoardCase(list?[^1].Office ?? inquiries.GetValueOrDefault(id)?.Office,
                    list is null ? [] : [.. list], inquiries.GetValueOrDefault(id), seqs[id]);
            }
            return states;
        }

        protected override BoardCase? Evolve(BoardCase? state, StoredEvent e)
        {
            var board = state ?? new BoardCase(null, [], null, 0);
            var open = board.Tickets.Length > 0 && board.Tickets[^1].EndedAt is null ? board.Tickets[^1] : null;
            return e.Data switch
            {
                CaseOpenedAtCounter o => board with { Office = o.Office, Seq = e.Sequence },
                ArrivedAtOffice a => board with
                {
                    Office = a.Office,
                    Tickets = [.. board.Tickets, new Ticket(board.Tickets.Length + 1, e.Municipality, a.Office, a.TicketNumber,
                        JapanTime.DateOf(a.At), a.At, null, null, null, null, null, null)],
                    Seq = e.Sequence,
                },
                CalledToCounter c when open is not null => Replace(board, open with
                {
                    CalledAt = open.CalledAt ?? c.At, Counter = c.Counter, Clerk = c.ClerkId, Office = c.Office,
                }, e.Sequence),
                CalledToCounter c => board with
                {
                    Office = c.Office,
                    Tickets = [.. board.Tickets, new Ticket(board.Tickets.Length + 1, e.Municipality, c.Office, null,
                        JapanTime.DateOf(c.At), null, c.At, c.Counter, c.ClerkId, null, null, null)],
                    Seq = e.Sequence,
                },
                VisitStarted v when open is not null => Replace(board, open with { StartedAt = open.StartedAt ?? v.At, CalledAt = open.CalledAt ?? v.At }, e.Sequence),
                VisitStarted v => board with
                {
                    Office = v.Office,
                    Tickets = [.. board.Tickets, new Ticket(board.Tickets.Length + 1, e.Municipality, v.Office, null,
                        JapanTime.DateOf(v.At), null, v.At, null, null, v.At, null, null)],
                    Seq = e.Sequence,
                },
                VisitEnded v when open is not null => Replace(board, open with { EndedAt = v.At, Outcome = v.Outcome.ToString() }, e.Sequence),
                DocumentInquiryMailed m => board with
                {
                    Inquiry = new BoardInquiry(e.Municipality, open?.Office ?? board.Office ?? e.Metadata.ActorOffice ?? "", m.At, m.MailedOn, m.ReplyDueOn, null),
                    Seq = e.Sequence,
                },
                InquiryReplyReceived r when board.Inquiry is { RepliedAt: null } => board with
                {
                    Inquiry = board.Inquiry with { RepliedAt = r.At },
                    Seq = e.Sequence,
                },
                _ => state,
            };
        }

        private static BoardCase Replace(BoardCase board, Ticket ticket, long seq)
        {
            var tickets = (Ticket[])board.Tickets.Clone();
            tickets[^1] = ticket;
            return board with { Tickets = tickets, Seq = seq };
        }

        private const string TicketColumns = "case_id, number, municipality, office, ticket, day, arrived_at, called_at, counter, clerk, started_at, ended_at, outcome, seq";
        private const string InquiryColumns = "case_id, municipality, office, mailed_at, mailed_on, reply_due_on, replied_at, seq";

        protected override async Task WriteAsync(NpgsqlConnection connection, IReadOnlyList<(Guid CaseId, BoardCase State)> fresh,
            IReadOnlyList<(Guid CaseId, BoardCase State)> stored, CancellationToken ct)
        {
            await InsertAsync(connection, fresh, ct);
            await UpsertAsync(connection, stored, ct);
            if (Options.Live)
            {
                var offices = fresh.Concat(stored).SelectMany(c => c.State.Tickets.Select(t => t.Municipality + "/" + t.Office)
                        .Concat(c.State.Inquiry is { } i ? [i.Municipality + "/" + i.Office] : []))
                    .Distinct().ToArray();
                // Delivered when the transaction commits: subscribers never see a board before its data.
                await using var notify = new NpgsqlCommand($"select pg_notify('{ChangedChannel}', o) from unnest($1::text[]) o", connection)
                {
                    Parameters = { new() { Value = offices, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text } },
                };
                if (offices.Length > 0) await notify.ExecuteNonQueryAsync(ct);
            }
        }

        /// <summary>Cases with no rows yet: a binary COPY of their tickets and inquiries.</summary>
        private async Task InsertAsync(NpgsqlConnection connection, IReadOnlyList<(Guid CaseId, BoardCase State)> fresh, CancellationToken ct)
        {
            if (fresh.Count == 0) return;
            await using (var copy = await connection.BeginBinaryImportAsync($"copy {Schema}.tickets ({TicketColumns}) from stdin (format binary)", ct))
            {
                foreach (var (id, board) in fresh)
                {
                    foreach (var t in board.Tickets)
                    {
                        copy.StartRow();
                        copy.Write(id, NpgsqlDbType.Uuid);
                        copy.Write(t.Number, NpgsqlDbType.Integer);
                        copy.Write(t.Municipality, NpgsqlDbType.Text);
                        copy.Write(t.Office, NpgsqlDbType.Text);
                        Text(copy, t.TicketNumber);
                        copy.Write(t.Day, NpgsqlDbType.Date);
                        Moment(copy, t.ArrivedAt);
                        Moment(copy, t.CalledAt);
                        Text(copy, t.Counter);
                        Text(copy, t.Clerk);
                        Moment(copy, t.StartedAt);
                        Moment(copy, t.EndedAt);
                        Text(copy, t.Outcome);
                        copy.Write(board.Seq, NpgsqlDbType.Bigint);
                    }
                }
                await copy.CompleteAsync(ct);
            }
            await using (var copy = await connection.BeginBinaryImportAsync($"copy {Schema}.inquiries ({InquiryColumns}) from stdin (format binary)", ct))
            {
                foreach (var (id, board) in fresh)
                {
                    if (board.Inquiry is not { } i) continue;
                    copy.StartRow();
                    copy.Write(id, NpgsqlDbType.Uuid);
                    copy.Write(i.Municipality, NpgsqlDbType.Text);
                    copy.Write(i.Office, NpgsqlDbType.Text);
                    Moment(copy, i.MailedAt);
                    copy.Write(i.MailedOn, NpgsqlDbType.Date);
                    copy.Write(i.ReplyDueOn, NpgsqlDbType.Date);
                    Moment(copy, i.RepliedAt);
                    copy.Write(board.Seq, NpgsqlDbType.Bigint);
                }
                await copy.CompleteAsync(ct);
            }
        }

        private async Task UpsertAsync(NpgsqlConnection connection, IReadOnlyList<(Guid CaseId, BoardCase State)> changed, CancellationToken ct)
        {
            var tickets = changed.SelectMany(c => c.State.Tickets.Select(t => (c.CaseId, t, c.State.Seq))).ToList();
            var inquiries = changed.Where(c => c.State.Inquiry is not null).ToList();
            await using var batch = new NpgsqlBatch(connection);
            if (tickets.Count > 0)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
                    insert into {Schema}.tickets ({TicketColumns})
                    select * from unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::date[], $7::timestamptz[], $8::timestamptz[],
                                         $9::text[], $10::text[], $11::timestamptz[], $12::timestamptz[], $13::text[], $14::bigint[])
                    on conflict (case_id, number) do update set office = excluded.office, ticket = excluded.ticket, day = excluded.day,
                        arrived_at = excluded.arrived_at, called_at = excluded.called_at, counter = excluded.counter, clerk = excluded.clerk,
                        started_at = excluded.started_at, ended_at = excluded.ended_at, outcome = excluded.outcome, seq = excluded.seq
                    """)
                {
                    Parameters =
                    {
                        Array(tickets.Select(t => t.CaseId), NpgsqlDbType.Uuid),
                        Array(tickets.Select(t => t.t.Number), NpgsqlDbType.Integer),
                        Array(tickets.Select(t => t.t.Municipality), NpgsqlDbType.Text),
                        Array(tickets.Select(t => t.t.Office), NpgsqlDbType.Text),
                        Array(tickets.Select(t => t.t.TicketNumber), NpgsqlDbType.Text),
                        Array(tickets.Select(t => t.t.Day), NpgsqlDbType.Date),
                        Array(tickets.Select(t => Utc(t.t.ArrivedAt)), NpgsqlDbType.TimestampTz),
                        Array(tickets.Select(t => Utc(t.t.CalledAt)), NpgsqlDbType.TimestampTz),
                        Array(tickets.Select(t => t.t.Counter), NpgsqlDbType.Text),
                        Array(tickets.Select(t => t.t.Clerk), NpgsqlDbType.Text),
                        Array(tickets.Select(t => Utc(t.t.StartedAt)), NpgsqlDbType.TimestampTz),
                        Array(tickets.Select(t => Utc(t.t.EndedAt)), NpgsqlDbType.TimestampTz),
                        Array(tickets.Select(t => t.t.Outcome), NpgsqlDbType.Text),
                        Array(tickets.Select(t => t.Seq), NpgsqlDbType.Bigint),
                    },
                });
            }
            if (inquiries.Count > 0)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
                    insert into {Schema}.inquiries ({InquiryColumns})
                    select * from unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::date[], $6::date[], $7::timestamptz[], $8::bigint[])
                    on conflict (case_id) do update set office = excluded.office, mailed_at = excluded.mailed_at, mailed_on = excluded.mailed_on,
                        reply_due_on = excluded.reply_due_on, replied_at = excluded.replied_at, seq = excluded.seq
                    """)
                {
                    Parameters =
                    {
                        Array(inquiries.Select(i => i.CaseId), NpgsqlDbType.Uuid),
                        Array(inquiries.Select(i => i.State.Inquiry!.Municipality), NpgsqlDbType.Text),
                        Array(inquiries.Select(i => i.State.Inquiry!.Office), NpgsqlDbType.Text),
                        Array(inquiries.Select(i => Utc(i.State.Inquiry!.MailedAt)), NpgsqlDbType.TimestampTz),
                        Array(inquiries.Select(i => i.State.Inquiry!.MailedOn), NpgsqlDbType.Date),
                        Array(inquiries.Select(i => i.State.Inquiry!.ReplyDueOn), NpgsqlDbType.Date),
                        Array(inquiries.Select(i => Utc(i.State.Inquiry!.RepliedAt)), NpgsqlDbType.TimestampTz),
                        Array(inquiries.Select(i => i.State.Seq), NpgsqlDbType.Bigint),
                    },
                });
            }
            if (batch.BatchCommands.Count > 0) await batch.ExecuteNonQueryAsync(ct);
        }

        private static void Text(NpgsqlBinaryImporter copy, string? value)
        {
            if (value is null) copy.WriteNull();
            else copy.Write(value, NpgsqlDbType.Text);
        }

        private static void Moment(NpgsqlBinaryImporter copy, DateTimeOffset? value)
        {
            if (value is { } v) copy.Write(v.UtcDateTime, NpgsqlDbType.TimestampTz);
            else copy.WriteNull();
        }

        private static NpgsqlParameter Array<T>(IEnumerable<T> values, NpgsqlDbType type) =>
            new() { Value = values.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | type };

        private static DateTime? Utc(DateTimeOffset? at) => at?.UtcDateTime;

        private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

        private static DateTimeOffset? Moment(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : new DateTimeOffset(r.GetDateTime(i), TimeSpan.Zero);
    }
}
