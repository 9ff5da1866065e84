using CaseSystem.CardStation.Card;
using CaseSystem.CardStation.Pcsc;

namespace CaseSystem.CardStation.Tests.VirtualCard;

/// <summary>The tests that go through pcscd share its two virtual readers: one collection, run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PcscdCollection : ICollectionFixture<PcscdFixture>
{
    public const string Name = "pcscd";
}

/// <summary>Fails every test of the collection with a plain message when pcscd or vpcd is not there: no silent skip.</summary>
public sealed class PcscdFixture
{
    public PcscdFixture()
    {
        IReadOnlyList<string> readers;
        try
        {
            using var context = PcscContext.Establish();
            readers = context.ListReaders();
        }
        catch (CardException e) when (e.Kind == CardErrorKind.NoService)
        {
            throw new InvalidOperationException(
                "pcscd is not running, and these tests go through the real PC/SC stack. Start it with `ops/pcscd start` (ops/test does).", e);
        }
        if (!readers.Contains(VirtualJpkiCard.Reader0) || !readers.Contains(VirtualJpkiCard.Reader1))
            throw new InvalidOperationException(
                $"pcscd runs without the vpcd readers (it lists: {string.Join(", ", readers)}). Install vsmartcard-vpcd (ops/setup) and restart pcscd.");
    }

    /// <summary>Waits until pcscd sees a card in <paramref name="reader"/> (powered, with its ATR), or sees none.</summary>
    public static void WaitForCard(string reader, bool present, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        using var context = PcscContext.Establish();
        var state = new PcscReaderState(reader);
        PcscReaderState[] states = [state];
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"pcscd did not see the card {(present ? "placed on" : "taken off")} {reader} (state 0x{state.EventState:X8})");
            if (context.GetStatusChange(states, (uint)left.TotalMilliseconds))
            {
                var seen = state.Has(PcscState.Present) && !state.Has(PcscState.Mute) && state.Atr.Length > 0;
                if (seen == present && (present || state.Has(PcscState.Empty))) return;
                state.Acknowledge();
            }
        }
    }
}

public static class VirtualJpkiCardExtensions
{
    /// <summary>
    /// Places the card and waits until pcscd has powered it. Waits first until pcscd has seen the
    /// reader empty: a card taken away and another placed between two of its polls would look to it
    /// like one card that never left.
    /// </summary>
    public static VirtualJpkiCard InsertAndWait(this VirtualJpkiCard card, string reader = VirtualJpkiCard.Reader0)
    {
        PcscdFixture.WaitForCard(reader, present: false);
        card.Insert(reader);
        PcscdFixture.WaitForCard(reader, present: true);
        return card;
    }

    public static void RemoveAndWait(this VirtualJpkiCard card, string reader = VirtualJpkiCard.Reader0)
    {
        card.Remove();
        PcscdFixture.WaitForCard(reader, present: false);
    }
}
