namespace CaseSystem.CardStation.Pcsc;

/// <summary>
/// PC/SC return codes. pcsc-lite returns them as a 64-bit LONG on Linux x64 and winscard as a 32-bit
/// LONG: both are compared here as the same 32-bit values.
/// </summary>
public static class PcscCode
{
    public const uint Success = 0x00000000;
    public const uint InternalError = 0x80100001;
    public const uint Cancelled = 0x80100002;
    public const uint InvalidHandle = 0x80100003;
    public const uint InvalidParameter = 0x80100004;
    public const uint NoMemory = 0x80100006;
    public const uint InsufficientBuffer = 0x80100008;
    public const uint UnknownReader = 0x80100009;
    public const uint Timeout = 0x8010000A;
    public const uint SharingViolation = 0x8010000B;
    public const uint NoSmartcard = 0x8010000C;
    public const uint UnknownCard = 0x8010000D;
    public const uint ProtocolMismatch = 0x8010000F;
    public const uint NotReady = 0x80100010;
    public const uint InvalidValue = 0x80100011;
    public const uint SystemCancelled = 0x80100012;
    public const uint CommError = 0x80100013;
    public const uint UnknownError = 0x80100014;
    public const uint NotTransacted = 0x80100016;
    public const uint ReaderUnavailable = 0x80100017;
    public const uint NoService = 0x8010001D;
    public const uint ServiceStopped = 0x8010001E;
    public const uint NoReadersAvailable = 0x8010002E;
    public const uint UnsupportedCard = 0x80100065;
    public const uint UnresponsiveCard = 0x80100066;
    public const uint UnpoweredCard = 0x80100067;
    public const uint ResetCard = 0x80100068;
    public const uint RemovedCard = 0x80100069;

    private static readonly Dictionary<uint, string> Names = new()
    {
        [Success] = "SCARD_S_SUCCESS",
        [InternalError] = "SCARD_F_INTERNAL_ERROR",
        [Cancelled] = "SCARD_E_CANCELLED",
        [InvalidHandle] = "SCARD_E_INVALID_HANDLE",
        [InvalidParameter] = "SCARD_E_INVALID_PARAMETER",
        [NoMemory] = "SCARD_E_NO_MEMORY",
        [InsufficientBuffer] = "SCARD_E_INSUFFICIENT_BUFFER",
        [UnknownReader] = "SCARD_E_UNKNOWN_READER",
        [Timeout] = "SCARD_E_TIMEOUT",
        [SharingViolation] = "SCARD_E_SHARING_VIOLATION",
        [NoSmartcard] = "SCARD_E_NO_SMARTCARD",
        [UnknownCard] = "SCARD_E_UNKNOWN_CARD",
        [ProtocolMismatch] = "SCARD_E_PROTO_MISMATCH",
        [NotReady] = "SCARD_E_NOT_READY",
        [InvalidValue] = "SCARD_E_INVALID_VALUE",
        [SystemCancelled] = "SCARD_E_SYSTEM_CANCELLED",
        [CommError] = "SCARD_F_COMM_ERROR",
        [UnknownError] = "SCARD_F_UNKNOWN_ERROR",
        [NotTransacted] = "SCARD_E_NOT_TRANSACTED",
        [ReaderUnavailable] = "SCARD_E_READER_UNAVAILABLE",
        [NoService] = "SCARD_E_NO_SERVICE",
        [ServiceStopped] = "SCARD_E_SERVICE_STOPPED",
        [NoReadersAvailable] = "SCARD_E_NO_READERS_AVAILABLE",
        [UnsupportedCard] = "SCARD_W_UNSUPPORTED_CARD",
        [UnresponsiveCard] = "SCARD_W_UNRESPONSIVE_CARD",
        [UnpoweredCard] = "SCARD_W_UNPOWERED_CARD",
        [ResetCard] = "SCARD_W_RESET_CARD",
        [RemovedCard] = "SCARD_W_REMOVED_CARD",
    };

    public static string Name(uint code) => Names.TryGetValue(code, out var name) ? name : $"0x{code:X8}";
}

/// <summary>dwCurrentState / dwEventState bits. The upper 16 bits are pcsc-lite's event counter (and the reader count on the PnP entry).</summary>
[Flags]
public enum PcscState : uint
{
    Unaware = 0x0000,
    Ignore = 0x0001,
    Changed = 0x0002,
    Unknown = 0x0004,
    Unavailable = 0x0008,
    Empty = 0x0010,
    Present = 0x0020,
    AtrMatch = 0x0040,
    Exclusive = 0x0080,
    InUse = 0x0100,
    Mute = 0x0200,
    Unpowered = 0x0400,
}

[Flags]
public enum PcscProtocol : uint { None = 0, T0 = 1, T1 = 2 }

/// <summary>A failed PC/SC call: which function, which code. Carried inside the <see cref="Card.CardException"/> the station sees.</summary>
public sealed class PcscException(string function, uint code)
    : Exception($"{function} failed: {PcscCode.Name(code)} (0x{code:X8})")
{
    public string Function { get; } = function;
    public uint Code { get; } = code;
    public string CodeName => PcscCode.Name(Code);
}
