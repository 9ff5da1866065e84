using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Store;
using CaseSystem.Cases.Timers;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;
using Wolverine.Marten;
using static CaseSystem.Cases.Renewal.RenewalCommand;

namespace CaseSystem.Cases.Api.Notices;

/// <summary>
/// Writes a file's notices in chunks, the way Marten is meant to take many streams at once: for
/// each chunk, the cases that exist already are read in one query (their events, folded with the
/// decider's own <see cref="RenewalState.Evolve"/>), then one session starts a stream for every
/// new notice and stores the timers they set through Wolverine's outbox, and commits it all in
/// one transaction (the hash chain's trigger runs in it, row by row). Each notice is decided by
/// the decider like any command, with the same metadata (staff member, office, command,
/// correlation id) as the command endpoints write.
/// <para>
/// A notice already there with the same data is "already imported"; with other data it is a
/// conflict, reported and left alone, unless the import amends: then a second session appends
/// <see cref="RenewalEvent.NoticeAmended"/> at the version read (its own command in the
/// metadata). A chunk that lost a race (the same notice imported at that moment by another
/// request, or a case that moved on before its amendment) is read and decided again.
/// </para>
/// </summary>
internal sealed class NoticeWriter(IServiceProvider services, string municipality, string batch, bool amend, Actor actor,
    string? correlationId, TimeProvider clock)
{
    /// <summary>
    /// Notices per transaction: large enough that the round trips and the commit are shared by
    /// many (per line, the cost is then the statements themselves), small enough that a
    /// transaction stays short and a lost race redoes little. (ops/bench import on a server just
    /// started, 2026-12-02, read models on: 1,000 gave 4,601-4,916 lines/s; 500 gave 3,631-4,581 and 2,000 gave 3,915-4,272.)
    /// </summary>
    public const int ChunkSize = 1000;

    private const int Attempts = 5;

    private readonly record struct Existing(RenewalState State, long Version);

    /// <summary>
    /// Chunks written at once: while one chunk's transaction runs in PostgreSQL, the next is decided
    /// and its statements built here, so the server's and the database's work can overlap. (On
    /// the 2-core machine under other load, ops/bench import measured 1, 2 and 3 alike, 2026-12-02:
    /// the CPU was the limit.)
    /// </summary>
    public const int Writers = 2;

    public async Task WriteAsync(IReadOnlyList<NoticeLine> notices, NoticeImportTally tally, CancellationToken ct)
    {
        var gate = new object();
        await Parallel.ForEachAsync(notices.Chunk(ChunkSize), new ParallelOptions { MaxDegreeOfParallelism = Writers, CancellationToken = ct },
            async (chunk, token) =>
            {
                var outcome = new NoticeImportTally();
                var toAmend = await RecordAsync(chunk, outcome, token);
                if (toAmend.Count > 0) await AmendAsync(toAmend, outcome, token);
                lock (gate) tally.Add(outcome);
            });
    }

    /// <summary>The chunk's new notices recorded in one transaction; the lines to amend returned.</summary>
    private async Task<List<NoticeLine>> RecordAsync(NoticeLine[] chunk, NoticeImportTally tally, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var outcome = new NoticeImportTally();
            var toAmend = new List<NoticeLine>();
            var existing = await ExistingAsync(chunk, ct);
            await using var scope = services.CreateAsyncScope();
            var (session, outbox) = OpenSession(scope);
            await using (session)
            {
                foreach (var line in chunk)
                {
                    var caseId = CaseIds.ForNotice(municipality, line.NoticeNumber);
                    var command = new RecordExpiryNotice(line.NoticeNumber, line.Holder, line.Expiry, batch, clock.GetUtcNow());
                    existing.TryGetValue(caseId, out var found);
                    try
                    {
                        var decision = CaseDecision.Decide(session, municipality, caseId, Loaded(caseId, found), command, actor, clock);
                        if (decision.Events.Count == 0)
                        {
                            outcome.AlreadyImported++;
                            continue;
                        }
                        session.Events.StartStream<RenewalCase>(caseId, decision.Events);
                        await ScheduleAsync(outbox, decision);
                        outcome.Imported++;
                    }
                    catch (RuleViolation violation) when (violation.Rule == Rules.NoticeDataDiffers && amend)
                    {
                        toAmend.Add(line);
                    }
                    catch (RuleViolation violation) when (violation.Rule == Rules.NoticeDataDiffers)
                    {
                        outcome.Conflicts.Add(Conflict(line, caseId, found.State));
                    }
                    catch (RuleViolation violation)
                    {
                        outcome.Rejected.Add(new RejectedLine(line.Line, violation.Rule.Id, null, violation.Rule.Ja, violation.Rule.En));
                    }
                }
                try
                {
                    if (outcome.Imported > 0) await session.SaveChangesAsync(ct);
                    tally.Add(outcome);
                    return toAmend;
                }
                catch (Exception e) when (LostRace(e) && attempt < Attempts)
                {
                    // Another request imported some of these notices at this moment: read them again.
                }
            }
        }
    }

    /// <summary>The corrections, appended at the versions read, in a transaction of their own.</summary>
    private async Task AmendAsync(List<NoticeLine> lines, NoticeImportTally tally, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var outcome = new NoticeImportTally();
            var existing = await ExistingAsync(lines, ct);
            await using var scope = services.CreateAsyncScope();
            var (session, outbox) = OpenSession(scope);
            await using (session)
            {
                foreach (var line in lines)
                {
                    var caseId = CaseIds.ForNotice(municipality, line.NoticeNumber);
                    var command = new AmendNotice(line.NoticeNumber, line.Holder, line.Expiry, batch, clock.GetUtcNow());
                    existing.TryGetValue(caseId, out var found);
                    try
                    {
                        var decision = CaseDecision.Decide(session, municipality, caseId, Loaded(caseId, found), command, actor, clock);
                        if (decision.Events.Count == 0)
                        {
                            outcome.AlreadyImported++;
                            continue;
                        }
                        session.Events.Append(caseId, found.Version + decision.Events.Count, decision.Events);
                        await ScheduleAsync(outbox, decision);
                        outcome.Amended++;
                    }
                    catch (RuleViolation violation)
                    {
                        outcome.Rejected.Add(new RejectedLine(line.Line, violation.Rule.Id, null, violation.Rule.Ja, violation.Rule.En));
                    }
                }
                try
                {
                    if (outcome.Amended > 0) await session.SaveChangesAsync(ct);
                    tally.Add(outcome);
                    return;
                }
                catch (Exception e) when (LostRace(e) && attempt < Attempts)
                {
                    // A case moved on between the read and the append: read and decide again.
                }
            }
        }
    }

    private (IDocumentSession Session, IMessageBus Outbox) OpenSession(AsyncServiceScope scope)
    {
        var outbox = scope.ServiceProvider.GetRequiredService<IMartenOutbox>();
        var session = scope.ServiceProvider.GetRequiredService<IDocumentStore>().LightweightSession(municipality);
        if (correlationId is not null) session.CorrelationId = correlationId;
        outbox.Enroll(session);
        return (session, outbox);
    }

    /// <summary>
    /// The chunk's cases that exist already, in one query: every event of their streams (a
    /// notice's case is a short stream), folded as Marten's live aggregation of
    /// <see cref="RenewalCase"/> would fold them. A fresh import reads nothing.
    /// </summary>
    private async Task<Dictionary<Guid, Existing>> ExistingAsync(IReadOnlyCollection<NoticeLine> lines, CancellationToken ct)
    {
        var ids = lines.Select(l => CaseIds.ForNotice(municipality, l.NoticeNumber)).Distinct().ToArray();
        await using var query = services.GetRequiredService<IDocumentStore>().QuerySession(municipality);
        // Which of them have a stream at all, probed by key one by one (a lateral subquery behind
        // OFFSET 0, as the read models look up their rows): a first import finds none and reads no
        // events. Asking mt_events for the chunk's streams directly cost 25-30 ms a chunk on a
        // first import, with nothing to find (ops/bench import with pg_stat_statements, 2026-12-02).
        var streams = await query.AdvancedSql.QueryAsync<Guid>(
            $"select s.id from unnest(?::uuid[]) as k(id) cross join lateral (select id from {CaseStore.Schema}.mt_streams where tenant_id = ? and id = k.id offset 0) s",
            ct, ids, municipality);
        var found = new Dictionary<Guid, Existing>();
        if (streams.Count == 0) return found;
        var existing = streams.ToArray();
        var events = await query.Events.QueryAllRawEvents()
            .Where(e => e.StreamId.IsOneOf(existing))
            .OrderBy(e => e.Sequence)
            .ToListAsync(ct);
        foreach (var e in events)
        {
            if (e.Data is not RenewalEvent renewal) continue;
            var before = found.TryGetValue(e.StreamId, out var was) ? was.State : RenewalState.Initial;
            found[e.StreamId] = new Existing(RenewalState.Evolve(before, renewal), Math.Max(was.Version, e.Version));
        }
        return found;
    }

    private static RenewalCase? Loaded(Guid caseId, Existing found) =>
        found.State is null ? null : new RenewalCase { Id = caseId, Version = found.Version, State = found.State };

    private static async Task ScheduleAsync(IMessageBus outbox, Decision decision)
    {
        foreach (var timer in decision.Timers.OfType<DeliveryMessage<CaseTimerDue>>())
        {
            await outbox.SendAsync(timer.Message, timer.Options);
        }
    }

    private static ConflictLine Conflict(NoticeLine line, Guid caseId, RenewalState state)
    {
        var file = state switch
        {
            RenewalState.Active a => a.Case,
            RenewalState.Closed c => c.Case,
            _ => throw new InvalidOperationException("a conflict with a case that is not there"),
        };
        return new ConflictLine(line.Line, caseId, Rules.NoticeDataDiffers.Id,
            NoticeLines.DifferingColumns(file.Holder, file.Expiry, line.Holder, line.Expiry), Rules.NoticeDataDiffers.Ja, Rules.NoticeDataDiffers.En);
    }

    private static bool LostRace(Exception e) => e is JasperFx.ConcurrencyException or Marten.Exceptions.ExistingStreamIdCollisionException;
}
