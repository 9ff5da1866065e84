using CaseSystem.CardStation.Card;
using CaseSystem.CardStation.Jpki;
using CaseSystem.CardStation.Tests.VirtualCard;

namespace CaseSystem.CardStation.Tests.Pcsc;

[Collection(PcscdCollection.Name)]
public sealed class ReaderWatchTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Watching_starts_with_the_readers_there_and_the_card_already_in_one()
    {
        // The other reader empty first: a card an earlier test took off it may not have been seen
        // gone by pcscd yet, and would be a second card "already there" (seen in full runs, 2026-12-02).
        PcscdFixture.WaitForCard(VirtualJpkiCard.Reader0, present: false);
        using var card = VirtualJpkiCard.MyNumberCard().InsertAndWait(VirtualJpkiCard.Reader1);
        using var terminal = new PcscCardTerminal();
        using var stop = new CancellationTokenSource(Patience);
        await using var events = terminal.WatchAsync(stop.Token).GetAsyncEnumerator(stop.Token);

        var first = new List<ReaderEvent>();
        while (first.Count < 3 && await events.MoveNextAsync()) first.Add(events.Current);

        Assert.Contains(new ReaderEvent.ReaderAdded(VirtualJpkiCard.Reader0), first);
        Assert.Contains(new ReaderEvent.ReaderAdded(VirtualJpkiCard.Reader1), first);
        var inserted = Assert.Single(first.OfType<ReaderEvent.CardInserted>());
        Assert.Equal(VirtualJpkiCard.Reader1, inserted.Reader);
        Assert.Equal(VirtualJpkiCard.Atr, inserted.Atr);
    }

    [Fact]
    public async Task Watching_sees_a_card_placed_and_taken_away()
    {
        // Both readers empty first: a card an earlier test took off either may not have been seen gone by pcscd yet.
        PcscdFixture.WaitForCard(VirtualJpkiCard.Reader0, present: false);
        PcscdFixture.WaitForCard(VirtualJpkiCard.Reader1, present: false);
        using var terminal = new PcscCardTerminal();
        using var stop = new CancellationTokenSource(Patience * 2);
        await using var events = terminal.WatchAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        Assert.True(await events.MoveNextAsync());
        Assert.True(await events.MoveNextAsync());
        Assert.IsType<ReaderEvent.ReaderAdded>(events.Current);

        using var card = VirtualJpkiCard.MyNumberCard().Insert(VirtualJpkiCard.Reader0);
        Assert.True(await events.MoveNextAsync());
        var inserted = Assert.IsType<ReaderEvent.CardInserted>(events.Current);
        Assert.Equal(VirtualJpkiCard.Reader0, inserted.Reader);
        Assert.Equal(VirtualJpkiCard.Atr, inserted.Atr);

        card.Remove();
        Assert.True(await events.MoveNextAsync());
        Assert.Equal(new ReaderEvent.CardRemoved(VirtualJpkiCard.Reader0), events.Current);
    }

    [Fact]
    public async Task Watching_ends_promptly_when_cancelled_while_blocked_in_PCSC()
    {
        using var terminal = new PcscCardTerminal();
        using var stop = new CancellationTokenSource();
        var seen = new List<ReaderEvent>();
        var watchingReaders = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watching = Task.Run(async () =>
        {
            await foreach (var e in terminal.WatchAsync(stop.Token))
            {
                seen.Add(e);
                if (seen.OfType<ReaderEvent.ReaderAdded>().Count() == 2) watchingReaders.TrySetResult();
            }
        });
        // Once both vpcd readers are reported, the watch waits in SCardGetStatusChange for a change.
        await watchingReaders.Task.WaitAsync(Patience);

        var cancelled = DateTime.UtcNow;
        await stop.CancelAsync();
        await watching.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.True(DateTime.UtcNow - cancelled < TimeSpan.FromSeconds(5));
        Assert.Contains(new ReaderEvent.ReaderAdded(VirtualJpkiCard.Reader0), seen);
    }

    [Fact]
    public async Task Leaving_the_loop_early_stops_the_watch_without_cancelling()
    {
        using var terminal = new PcscCardTerminal();
        var left = DateTime.UtcNow;
        var leaving = Task.Run(async () =>
        {
            await foreach (var e in terminal.WatchAsync(CancellationToken.None))
            {
                left = DateTime.UtcNow;
                break;
            }
        });

        await leaving.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(DateTime.UtcNow - left < TimeSpan.FromSeconds(5));
    }
}
