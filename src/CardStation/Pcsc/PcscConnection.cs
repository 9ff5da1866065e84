namespace CaseSystem.CardStation.Pcsc;

/// <summary>A card connected in a reader (SCardConnect). Disposing resets the card: see <see cref="Dispose"/>.</summary>
public sealed class PcscConnection : IDisposable
{
    private readonly IPcscApi _api;
    private nint _card;

    internal PcscConnection(IPcscApi api, nint card, string reader, PcscProtocol protocol)
    {
        _api = api;
        _card = card;
        Reader = reader;
        Protocol = protocol;
    }

    public string Reader { get; }
    public PcscProtocol Protocol { get; }

    /// <summary>
    /// Sends <paramref name="command"/> as it is, without copying it (it may hold a PIN: the caller
    /// clears it), into <paramref name="response"/>; returns the response's length (data + SW1 SW2).
    /// Refuses what <see cref="ApduGuard"/> refuses before anything reaches PC/SC.
    /// </summary>
    public int Transmit(ReadOnlySpan<byte> command, Span<byte> response)
    {
        ApduGuard.EnsureAllowed(command);
        var card = _card != 0 ? _card : throw new ObjectDisposedException(nameof(PcscConnection));
        var code = _api.Transmit(card, Protocol, command, response, out var received);
        if (code == PcscCode.Success && received >= 2) return received;
        if (code is PcscCode.Success or PcscCode.NotTransacted or PcscCode.CommError or PcscCode.UnknownError or PcscCode.UnresponsiveCard
            && WasCardTakenAway())
            throw PcscErrors.CardRemoved(Reader, code == PcscCode.Success ? null : new PcscException("SCardTransmit", code));
        if (code != PcscCode.Success) throw PcscErrors.For("SCardTransmit", code, Reader);
        throw PcscErrors.Communication(Reader, $"response of {received} bytes");
    }

    /// <summary>
    /// A card pulled in the middle of a command shows first as a failed or empty exchange (vpcd gives an
    /// empty answer), and only at pcscd's next poll of the reader (about 400 ms) as gone. Waits for that
    /// poll, on a context of its own, to tell the clerk "card removed" rather than "communication failed".
    /// </summary>
    private bool WasCardTakenAway()
    {
        try
        {
            using var context = PcscContext.Establish(_api);
            var state = new PcscReaderState(Reader);
            PcscReaderState[] states = [state];
            if (!context.GetStatusChange(states, 0)) return false;
            if (!state.Has(PcscState.Present)) return true;
            var count = state.EventCount;
            state.Acknowledge();
            return context.GetStatusChange(states, 1500) && (!state.Has(PcscState.Present) || state.EventCount != count);
        }
        catch (Card.CardException)
        {
            return false;
        }
    }

    /// <summary>Room for the response: Le + 2 (258 for Le = 00); a command without Le gets 258 too, in case the card answers data anyway.</summary>
    public static int ResponseCapacity(ReadOnlySpan<byte> command)
    {
        if (command.Length == 5) return Le(command[4]) + 2;
        if (command.Length > 5 && command[4] != 0 && command.Length == 5 + command[4] + 1) return Le(command[^1]) + 2;
        return 258;

        static int Le(byte le) => le == 0 ? 256 : le;
    }

    /// <summary>
    /// Disconnects with SCARD_RESET_CARD: a reset clears the card's security state, so a PIN verified
    /// in this connection does not stay verified for whoever connects next.
    /// </summary>
    public void Dispose()
    {
        var card = Interlocked.Exchange(ref _card, 0);
        if (card != 0) _api.Disconnect(card, PcscConstants.ResetCard);
    }
}
