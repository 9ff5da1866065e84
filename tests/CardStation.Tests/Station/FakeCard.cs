using System.Runtime.CompilerServices;
using System.Threading.Channels;
using CaseSystem.CardStation.Card;

namespace CaseSystem.CardStation.Tests.Station;

/// <summary>A My Number Card in memory: its certificate's serial and expiry, its two PINs and their tries.</summary>
public sealed class FakeCard(string serial, DateOnly expiry, string userPin = "1234", string signingPin = "SIGN1234")
{
    public string Serial { get; set; } = serial;
    public DateOnly Expiry { get; set; } = expiry;
    public int UserTries { get; set; } = 3;
    public int SigningTries { get; set; } = 5;

    /// <summary>Set to make the next use of the card fail as if it were pulled out.</summary>
    public bool Removed { get; set; }

    /// <summary>What each VerifyPin call saw, as the card would: its length only.</summary>
    public List<int> PinLengthsSeen { get; } = [];

    public PinCheckResult Verify(PinKind kind, ReadOnlySpan<char> pin)
    {
        if (Removed) throw new CardException(CardErrorKind.CardRemoved, "カードが読取中に取り出されました", "the card was removed during the read");
        PinLengthsSeen.Add(pin.Length);
        var (expected, tries) = kind == PinKind.Signing ? (signingPin, SigningTries) : (userPin, UserTries);
        if (tries == 0) return new PinCheckResult.Locked();
        if (pin.SequenceEqual(expected))
        {
            Set(kind, kind == PinKind.Signing ? 5 : 3);
            return new PinCheckResult.Matched();
        }
        Set(kind, tries - 1);
        return tries - 1 == 0 ? new PinCheckResult.Locked() : new PinCheckResult.Mismatched(tries - 1);
    }

    private void Set(PinKind kind, int tries)
    {
        if (kind == PinKind.Signing) SigningTries = tries; else UserTries = tries;
    }
}

/// <summary>One reader with a card in it, or none; its events fed by the test.</summary>
public sealed class FakeTerminal(FakeCard? card, string reader = "Virtual PCD 00 00") : ICardTerminal
{
    private readonly Channel<ReaderEvent> _events = Channel.CreateUnbounded<ReaderEvent>();

    public FakeCard? Card { get; set; } = card;

    public bool NoReader { get; set; }

    public void Raise(ReaderEvent e) => _events.Writer.TryWrite(e);

    public IReadOnlyList<string> ListReaders() => NoReader ? [] : [reader];

    public async IAsyncEnumerable<ReaderEvent> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return new ReaderEvent.ReaderAdded(reader);
        if (Card is not null) yield return new ReaderEvent.CardInserted(reader, [0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14]);
        while (await _events.Reader.WaitToReadAsync(cancellationToken))
        {
            while (_events.Reader.TryRead(out var e)) yield return e;
        }
    }

    public IJpkiCard Connect(string name) => Card is { Removed: false } card && name == reader
        ? new Connected(card, name)
        : throw new CardException(CardErrorKind.NoCard, "カードが置かれていません", "no card in the reader");

    public void Dispose() { }

    private sealed class Connected(FakeCard card, string reader) : IJpkiCard
    {
        public CardReading Read() => new(reader, "JPKIAPICCTOKEN2", card.Serial, card.Expiry, card.UserTries, card.SigningTries);

        public PinCheckResult VerifyPin(PinKind kind, ReadOnlySpan<char> pin) => card.Verify(kind, pin);

        public DateOnly ReadSigningCertificateExpiry() => card.Expiry;

        public void Dispose() { }
    }
}
