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
    private const int PageSize = 500;

    public static async Task MoveForwardAsync(ShiftedClock clock, IMessageStore store, DateTimeOffset at, CancellationToken ct)
    {
        var before = clock.Offset;
        clock.MoveForwardTo(at);
        var by = clock.Offset - before;
        foreach (var (id, due) in await ScheduledAsync(store.ScheduledMessages, ct))
        {
            await store.ScheduledMessages.RescheduleAsync(id, due - by, ct);
        }
    }

    /// <summary>Every scheduled message and its moment, read page by page before any is moved (moving them reorders the pages).</summary>
    private static async Task<IReadOnlyDictionary<Guid, DateTimeOffset>> ScheduledAsync(IScheduledMessages scheduled, CancellationToken ct)
    {
        var all = new Dictionary<Guid, DateTimeOffset>();
        // Pages are read from 0; a store that counts them from 1 answers page 0 as the first or
        // as none, and the loop goes on until it has as many as the store counts.
        for (var page = 0; page < 100_000; page++)
        {
            var results = await scheduled.QueryAsync(new ScheduledMessageQuery { PageNumber = page, PageSize = PageSize }, ct);
            foreach (var m in results.Messages)
            {
                if (m.ScheduledTime is { } time) all.TryAdd(m.Id, time);
            }
            if (all.Count >= results.TotalCount || (results.Messages.Count == 0 && page > 0)) break;
        }
        return all;
    }
}
