namespace CaseSystem.CardStation.Card;

/// <summary>The two PINs of the JPKI AP. 利用者証明用: 4 digits, 3 tries. 署名用: 6–16 upper-case letters and digits, 5 tries.</summary>
public enum PinKind { UserAuthentication, Signing }

/// <summary>What a PIN check on the card gave. Never carries the PIN.</summary>
public abstract record PinCheckResult
{
    private PinCheckResult() { }
    public sealed record Matched : PinCheckResult;
    public sealed record Mismatched(int TriesLeft) : PinCheckResult;
    public sealed record Locked : PinCheckResult;
}

/// <summary>
/// What the station learns from a card without any PIN: the token info, the user-authentication
/// certificate's serial number and expiry (its notAfter as a date in Japan time), and the tries
/// left on both PINs (read without spending one).
/// </summary>
public sealed record CardReading(
    string Reader,
    string TokenInfo,
    string UserAuthenticationSerial,
    DateOnly UserAuthenticationExpiry,
    int UserAuthenticationPinTriesLeft,
    int SigningPinTriesLeft);

/// <summary>Readers and cards coming and going, as the station sees them.</summary>
public abstract record ReaderEvent(string Reader)
{
    public sealed record ReaderAdded(string Reader) : ReaderEvent(Reader);
    public sealed record ReaderRemoved(string Reader) : ReaderEvent(Reader);
    public sealed record CardInserted(string Reader, byte[] Atr) : ReaderEvent(Reader);
    public sealed record CardRemoved(string Reader) : ReaderEvent(Reader);
}

/// <summary>A connected My Number Card (the JPKI AP selected). Only ever the JPKI AP: never the card-info AP, never the My Number.</summary>
public interface IJpkiCard : IDisposable
{
    CardReading Read();

    /// <summary>Sends the PIN to the card only. The caller owns <paramref name="pin"/> and clears it after; this clears its own copies.</summary>
    PinCheckResult VerifyPin(PinKind kind, ReadOnlySpan<char> pin);

    /// <summary>The signing certificate's expiry (Japan date). Needs the signing PIN verified in this connection.</summary>
    DateOnly ReadSigningCertificateExpiry();
}

/// <summary>The PC/SC side: readers, their events, connecting to the card in one.</summary>
public interface ICardTerminal : IDisposable
{
    IReadOnlyList<string> ListReaders();

    /// <summary>Reader and card events until cancelled; blocks in PC/SC (no busy polling). The first events describe what is there now.</summary>
    IAsyncEnumerable<ReaderEvent> WatchAsync(CancellationToken cancellationToken);

    IJpkiCard Connect(string reader);
}

/// <summary>The plain errors the station reports; each has Japanese text for the clerk and English beside it.</summary>
public enum CardErrorKind { NoService, NoReader, NoCard, CardRemoved, NotMyNumberCard, PinLocked, PinFormat, SigningPinNotVerified, Communication }

public sealed class CardException(CardErrorKind kind, string messageJa, string messageEn, Exception? inner = null)
    : Exception($"{messageJa} / {messageEn}", inner)
{
    public CardErrorKind Kind { get; } = kind;
    public string MessageJa { get; } = messageJa;
    public string MessageEn { get; } = messageEn;
}
