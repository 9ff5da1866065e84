using CaseSystem.CardStation.Card;
using CaseSystem.CardStation.Pcsc;

namespace CaseSystem.CardStation.Jpki;

/// <summary>
/// The station's card terminal on PC/SC (pcscd on Linux, the smart card service on Windows). The
/// context is made on first use and made again after the service went away, so the terminal can be
/// created before pcscd runs and survives its restart.
/// </summary>
public sealed class PcscCardTerminal : ICardTerminal
{
    private readonly IPcscApi _api;
    private readonly Lock _lock = new();
    private PcscContext? _context;
    private bool _disposed;

    public PcscCardTerminal() : this(PcscApi.ForThisPlatform) { }

    internal PcscCardTerminal(IPcscApi api) => _api = api;

    public IReadOnlyList<string> ListReaders() => WithContext(context => context.ListReaders());

    public IAsyncEnumerable<ReaderEvent> WatchAsync(CancellationToken cancellationToken) => ReaderWatch.WatchAsync(_api, cancellationToken);

    public IJpkiCard Connect(string reader) => JpkiCard.Open(WithContext(context => context.Connect(reader)));

    private T WithContext<T>(Func<PcscContext, T> use)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            for (var attempt = 0; ; attempt++)
            {
                _context ??= PcscContext.Establish(_api);
                try
                {
                    return use(_context);
                }
                catch (CardException e) when (e.InnerException is PcscException { Code: PcscCode.InvalidHandle or PcscCode.NoService or PcscCode.ServiceStopped } failed)
                {
                    // The service restarted under us: the old context is gone. Once more with a new one.
                    _context.Dispose();
                    _context = null;
                    if (attempt > 0 || failed.Code != PcscCode.InvalidHandle) throw;
                }
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _context?.Dispose();
            _context = null;
        }
    }
}
