using CaseSystem.Cases;
using CaseSystem.Cases.Api;
using CaseSystem.Cases.Api.OpenApi;
using CaseSystem.Cases.Api.Validation;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Policies;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Store;
using CaseSystem.Cases.Timers;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;
using Wolverine.Marten;

namespace CaseSystem.Projections.QueueBoard;

/// <summary>The clerk's counter for the call of the next ticket, or of the recall of the one being called there.</summary>
public sealed record CounterCallRequest(string Counter);

/// <summary>
/// Who is called next at an office: a reservation due now first (the visit may start now:
/// from <see cref="ReservationTerms.EarliestBefore"/> before its slot to <see cref="ReservationTerms.LatestAfter"/>
/// after it, Kawasaki 004), the earliest slot first; then the longest-waiting ticket (the board's
/// order, by arrival). Pure: the board in, the order out.
/// </summary>
public static class NextCallOrder
{
    public static IReadOnlyList<WaitingTicket> Of(IReadOnlyList<WaitingTicket> waiting, DateTimeOffset now, ReservationTerms? terms)
    {
        bool Due(WaitingTicket t) => terms is not null && t.ReservedAt is { } slot && now >= slot - terms.EarliestBefore && now <= slot + terms.LatestAfter;
        return [.. waiting.Where(Due).OrderBy(t => t.ReservedAt).ThenBy(t => t.ArrivedAt), .. waiting.Where(t => !Due(t))];
    }
}

/// <summary>
/// 「次の方を呼ぶ」 and 「再呼出し」 at a clerk's counter. The application step stays small: read the
/// queue board, decide whom, then the case's own call command (the decider's <see cref="RenewalCommand.CallToCounter"/>)
/// appended at the version loaded. The board is a read model and may lag the log by a moment: a
/// candidate whose case shows its ticket called, started or dropped already (another counter was
/// quicker) is passed over, and one that moved on between the load and the append (a concurrency
/// conflict) too; the next candidate is tried.
/// </summary>
public static class NextCall
{
    public static readonly Problems.Kind NoOneWaiting = new("urn:casesystem:problem:no-one-waiting", StatusCodes.Status409Conflict,
        "お待ちの方はいません。/ No one is waiting.");

    public static readonly Problems.Kind NothingToRecall = new("urn:casesystem:problem:nothing-to-recall", StatusCodes.Status409Conflict,
        "この窓口で呼出し中の番号はありません。/ No ticket is being called at this counter.");

    /// <summary>Candidates tried before answering that no one waits (each a load and, at most, an append).</summary>
    private const int Attempts = 8;

    public static void MapNextCall(this RouteGroupBuilder tenant)
    {
        tenant.MapPost("/offices/{office}/calls/next", CallNextAsync).Produces<CaseView>().Refuses(NoOneWaiting).RequireStaff(StaffRole.Clerk);
        tenant.MapPost("/offices/{office}/calls/recall", RecallAsync).Produces<CaseView>().Refuses(NothingToRecall).RequireStaff(StaffRole.Clerk);
    }

    private static async Task<IResult> CallNextAsync(string municipality, string office, CounterCallRequest? body, HttpContext http,
        QueueBoardQuery boards, IServiceProvider services, TimeProvider clock, CancellationToken ct)
    {
        if (Invalid(municipality, office, body, clock) is { } invalid) return invalid;
        var now = clock.GetUtcNow();
        var board = await boards.BoardAsync(municipality, office, now, ct);
        var terms = ((IRenewalPolicy)MunicipalPolicies.For(municipality)).Reservation;
        foreach (var candidate in NextCallOrder.Of(board.Waiting, now, terms).Take(Attempts))
        {
            // Only a ticket that still waits at this office is called: the read model may not show a call made a moment ago.
            var called = await CallAsync(http, services, municipality, candidate.CaseId, office, body!.Counter,
                t => t.Office == office && t.CalledTo is null, clock, ct);
            if (called is not null) return called;
        }
        return Problems.Result(NoOneWaiting, $"{office} で呼び出せる番号札はありません。/ No ticket waits at {office}.");
    }

    /// <remarks>
    /// A recall is the same call again, a <see cref="RenewalEvent.CalledToCounter"/> of the ticket being called, not a
    /// notification beside the log: the decider already takes a call of a called ticket, the audit then shows how often a
    /// holder was called before a no-show was recorded, and every display learns of it as of any call (the board's
    /// latest call moves, the display chimes), a display that reconnects at that moment too. The board keeps the first
    /// call for the waits and the latest for the display.
    /// </remarks>
    private static async Task<IResult> RecallAsync(string municipality, string office, CounterCallRequest? body, HttpContext http,
        QueueBoardQuery boards, IServiceProvider services, TimeProvider clock, CancellationToken ct)
    {
        if (Invalid(municipality, office, body, clock) is { } invalid) return invalid;
        var board = await boards.BoardAsync(municipality, office, clock.GetUtcNow(), ct);
        var current = board.NowServing.Where(t => t.Counter == body!.Counter).OrderByDescending(t => t.LastCalledAt ?? t.CalledAt).FirstOrDefault();
        var called = current is null ? null : await CallAsync(http, services, municipality, current.CaseId, office, body!.Counter,
            t => t.Office == office && t.CalledTo == body.Counter, clock, ct);
        return called ?? Problems.Result(NothingToRecall, $"{body!.Counter}: 呼出し中の番号はありません。/ Nothing is being called at {body.Counter}.");
    }

    private static IResult? Invalid(string municipality, string office, CounterCallRequest? body, TimeProvider clock)
    {
        var errors = ReadQuery.Errors(municipality, clock);
        errors.Office("office", office);
        if (body is null) errors.Add("counter", FieldError.Required);
        else errors.Counter("counter", office, body.Counter);
        return errors.IsEmpty ? null : Results.Problem(InvalidRequest.Problem(errors.ByPath));
    }

    /// <summary>The case's call command at the version loaded, if its open ticket is as <paramref name="callable"/> asks; null when it is not or the case moved on meanwhile.</summary>
    private static async Task<IResult?> CallAsync(HttpContext http, IServiceProvider services, string municipality, Guid caseId, string office,
        string counter, Func<TicketEntry, bool> callable, TimeProvider clock, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var outbox = scope.ServiceProvider.GetRequiredService<IMartenOutbox>();
        await using var session = scope.ServiceProvider.GetRequiredService<IDocumentStore>().LightweightSession(municipality);
        outbox.Enroll(session);
        var stream = await session.Events.FetchForWriting<RenewalCase>(caseId, ct);
        if (stream.Aggregate is not { } loaded || loaded.State is not RenewalState.Active { Case.OpenTicket: { } ticket } || !callable(ticket)) return null;
        var staff = http.Staff();
        var decision = CaseDecision.Decide(session, municipality, caseId, loaded,
            new RenewalCommand.CallToCounter(office, counter, staff.StaffId, clock.GetUtcNow()), Actor.Of(http), clock);
        stream.AppendMany(decision.Events.Cast<object>().ToArray());
        foreach (var timer in decision.Timers.OfType<DeliveryMessage<CaseTimerDue>>()) await outbox.SendAsync(timer.Message, timer.Options);
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (JasperFx.ConcurrencyException)
        {
            return null;
        }
        var version = loaded.Version + decision.Events.Count;
        ETags.Set(http, version);
        var view = CaseView.Of(caseId, decision.After, version, JapanTime.DateOf(clock.GetUtcNow()), MunicipalPolicies.For(municipality));
        http.Response.Headers.Location = $"/api/{municipality}/cases/{caseId}";
        return Results.Ok(view);
    }
}
