using System.Runtime.CompilerServices;
using System.Threading.Channels;
using CaseSystem.CardStation.Card;

namespace CaseSystem.CardStation.Pcsc;

/// <summary>
/// Readers and cards coming and going, from SCardGetStatusChange on a context of its own, blocked
/// in PC/SC on a thread of its own (no polling here; pcscd does the polling of the readers).
/// Cancelling calls SCardCancel, which ends the blocked wait.
/// </summary>
internal static class ReaderWatch
{
    public static async IAsyncEnumerable<ReaderEvent> WatchAsync(IPcscApi api, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var context = PcscContext.Establish(api);
        var events = Channel.CreateUnbounded<ReaderEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        // Stopped by the caller's token, or by the caller leaving the loop early.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var thread = new Thread(() => Run(context, events.Writer, stop.Token)) { IsBackground = true, Name = "pcsc-watch" };
        try
        {
            using var registration = stop.Token.Register(context.Cancel);
            thread.Start();
            while (true)
            {
                bool more;
                try
                {
                    more = await events.Reader.WaitToReadAsync(cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    more = false;
                }
                if (!more) break;
                while (events.Reader.TryRead(out var e)) yield return e;
            }
        }
        finally
        {
            stop.Cancel();
            // A cancel that came before the thread entered its wait is lost: repeat it until the thread ends.
            while (thread.IsAlive && !thread.Join(100)) context.Cancel();
            context.Dispose();
        }
    }

    private static void Run(PcscContext context, ChannelWriter<ReaderEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            var pnp = new PcscReaderState(PcscReaderState.PnpNotification);
            var readers = new List<PcscReaderState>();
            var known = new Dictionary<string, (bool Present, int Count)>();
            Relist(context, readers, known, events);
            while (!cancellationToken.IsCancellationRequested)
            {
                PcscReaderState[] states = [pnp, .. readers];
                if (!context.GetStatusChange(states)) continue;
                var relist = pnp.Has(PcscState.Changed);
                pnp.Acknowledge();
                foreach (var state in readers)
                {
                    if (state.Has(PcscState.Unknown)) { relist = true; continue; }
                    var present = state.Has(PcscState.Present);
                    if (known.TryGetValue(state.Reader, out var was) && was.Present && (!present || was.Count != state.EventCount))
                        events.TryWrite(new ReaderEvent.CardRemoved(state.Reader));
                    if (present && (!was.Present || was.Count != state.EventCount))
                        events.TryWrite(new ReaderEvent.CardInserted(state.Reader, state.Atr));
                    known[state.Reader] = (present, state.EventCount);
                    state.Acknowledge();
                }
                if (relist) Relist(context, readers, known, events);
            }
            events.TryComplete();
        }
        catch (Exception e)
        {
            events.TryComplete(e);
        }
    }

    private static void Relist(PcscContext context, List<PcscReaderState> readers, Dictionary<string, (bool Present, int Count)> known,
        ChannelWriter<ReaderEvent> events)
    {
        var now = context.ListReaders();
        foreach (var gone in readers.Where(r => !now.Contains(r.Reader)).ToList())
        {
            if (known.Remove(gone.Reader, out var was) && was.Present) events.TryWrite(new ReaderEvent.CardRemoved(gone.Reader));
            events.TryWrite(new ReaderEvent.ReaderRemoved(gone.Reader));
            readers.Remove(gone);
        }
        foreach (var added in now.Where(name => readers.All(r => r.Reader != name)))
        {
            events.TryWrite(new ReaderEvent.ReaderAdded(added));
            readers.Add(new PcscReaderState(added));   // unaware: the next wait returns at once with its state
        }
    }
}
