using CaseSystem.Cases;
using CaseSystem.Cases.Renewal;
using CaseSystem.Projections.QueueBoard;

namespace CaseSystem.Projections.Tests.ReadModels;

/// <summary>Whom 「次の方を呼ぶ」 calls first (issue 13): a reservation due now (Kawasaki, 004), else the longest wait.</summary>
public sealed class NextCallOrderTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 16, 10, 0, 0, JapanTime.Offset);

    private static WaitingTicket Ticket(string number, int arrivedMinutesAgo, DateTimeOffset? reservedAt = null) =>
        new(Guid.NewGuid(), number, Now.AddMinutes(-arrivedMinutesAgo), arrivedMinutesAgo, reservedAt);

    private static string[] Order(ReservationTerms? terms, params WaitingTicket[] waiting) =>
        [.. NextCallOrder.Of(waiting, Now, terms).Select(t => t.Ticket ?? "")];

    [Fact]
    public void Without_reservations_the_longest_waiting_comes_first_as_the_board_lists_them()
    {
        Assert.Equal(["A-1", "A-2"], Order(null, Ticket("A-1", 30), Ticket("A-2", 5)));
        // A reservation counts only where the municipality reserves: elsewhere it is the wait.
        Assert.Equal(["A-1", "A-2"], Order(null, Ticket("A-1", 30), Ticket("A-2", 5, Now)));
    }

    [Fact]
    public void A_reservation_due_now_goes_first_from_30_minutes_before_its_slot_to_60_after_the_earliest_slot_first()
    {
        var terms = ReservationTerms.Default;
        Assert.Equal(["K-3", "K-2", "K-1", "K-4"], Order(terms,
            Ticket("K-1", 40, Now.AddMinutes(31)),   // not yet due: 31 minutes early
            Ticket("K-2", 5, Now.AddMinutes(30)),    // due: the visit may start from 30 minutes before
            Ticket("K-3", 1, Now.AddMinutes(-60)),   // due: up to 60 minutes late, the earlier slot first
            Ticket("K-4", 2, Now.AddMinutes(-61)))); // too late: waits in turn
    }
}
