using CaseSystem.Cases.Timers;
using Wolverine.Persistence.Durability;
using Wolverine.Persistence.Durability.ScheduledMessageManagement;

namespace CaseSystem.Cases.Demo;

/// <summary>
/// The demo's clock moved forward with what is scheduled on it. Wolverine keeps a timer at the real
/// moment it fires (<see cref="ShiftedClock.FireAt"/>: its due moment less the offset), so after a
/// move every scheduled message is rescheduled by the same amount, through Wolverine's own
/// scheduled-message management: a lapse or a window's opening that the move passed fires at once,
/// as it would have on that day, and shows on the lists and the boards (the decider alone would
/// only catch up at the case's next command).
/// </summary>
public static class DemoClock
{
    private const int FirstPageSize = 1000;

    /// <returns>How far the clock moved.</returns>
    public static async Task<TimeSpan> MoveForwardAsync(ShiftedClock clock, IMessageStore store, DateTimeOffset at, CancellationToken ct)
    {
        var before = clock.Offset;
        clock.MoveForwardTo(at);
        var by = clock.Offset - before;
        foreach (var (id, due) in await ScheduledAsync(store.ScheduledMessages, ct))
        {
            await store.ScheduledMessages.RescheduleAsync(id, due - by, ct);
        }
        return by;
    }

    /// <summary>
    /// Every scheduled message and its moment, all read before any is moved: one page, Wolverine's
    /// first (its query's default page number), made as large as the store's count.
    /// </summary>
    private static async Task<IEnumerable<(Guid Id, DateTimeOffset Due)>> ScheduledAsync(IScheduledMessages scheduled, CancellationToken ct)
    {
        var results = await scheduled.QueryAsync(new ScheduledMessageQuery { PageSize = FirstPageSize }, ct);
        if (results.TotalCount > results.Messages.Count)
        {
            results = await scheduled.QueryAsync(new ScheduledMessageQuery { PageSize = results.TotalCount }, ct);
        }
        return results.Messages.Where(m => m.ScheduledTime is not null).Select(m => (m.Id, m.ScheduledTime!.Value));
    }
}
