using CaseSystem.CardStation.Card;

namespace CaseSystem.CardStation.Pcsc;

/// <summary>
/// One PC/SC context (SCardEstablishContext). Calls on a context are serialised by pcsc-lite, except
/// <see cref="Cancel"/>, which is meant to come from another thread to end a blocked <see cref="GetStatusChange"/>.
/// </summary>
public sealed class PcscContext : IDisposable
{
    private readonly IPcscApi _api;
    private nint _handle;

    private PcscContext(IPcscApi api, nint handle)
    {
        _api = api;
        _handle = handle;
    }

    /// <exception cref="CardException">NoService when pcscd (or the Windows smart card service) is not running.</exception>
    public static PcscContext Establish() => Establish(PcscApi.ForThisPlatform);

    internal static PcscContext Establish(IPcscApi api)
    {
        uint code;
        nint handle;
        try
        {
            code = api.EstablishContext(out handle);
        }
        catch (DllNotFoundException e)
        {
            throw PcscErrors.NoService(e);
        }
        if (code != PcscCode.Success) throw PcscErrors.For("SCardEstablishContext", code, null);
        return new PcscContext(api, handle);
    }

    internal IPcscApi Api => _api;

    internal nint Handle => _handle != 0 ? _handle : throw new ObjectDisposedException(nameof(PcscContext));

    public IReadOnlyList<string> ListReaders()
    {
        var code = _api.ListReaders(Handle, out var readers);
        if (code == PcscCode.NoReadersAvailable) return [];
        if (code != PcscCode.Success) throw PcscErrors.For("SCardListReaders", code, null);
        return readers;
    }

    /// <summary>
    /// Blocks until a state differs from its <see cref="PcscReaderState.CurrentState"/> or the timeout passes.
    /// False on timeout or <see cref="Cancel"/>; true when the event states are filled in.
    /// </summary>
    public bool GetStatusChange(PcscReaderState[] states, uint timeoutMs = PcscConstants.Infinite)
    {
        var code = _api.GetStatusChange(Handle, timeoutMs, states);
        return code switch
        {
            PcscCode.Success => true,
            PcscCode.Timeout or PcscCode.Cancelled => false,
            _ => throw PcscErrors.For("SCardGetStatusChange", code, states.Length == 1 ? states[0].Reader : null),
        };
    }

    public void Cancel()
    {
        var handle = _handle;
        if (handle != 0) _api.Cancel(handle);
    }

    /// <summary>Shared access, T=1 or T=0, whichever the card offers.</summary>
    public PcscConnection Connect(string reader)
    {
        var code = _api.Connect(Handle, reader, PcscProtocol.T1 | PcscProtocol.T0, out var card, out var protocol);
        if (code != PcscCode.Success) throw PcscErrors.For("SCardConnect", code, reader, connecting: true);
        return new PcscConnection(_api, card, reader, protocol);
    }

    public void Dispose()
    {
        var handle = Interlocked.Exchange(ref _handle, 0);
        if (handle != 0) _api.ReleaseContext(handle);
    }
}
