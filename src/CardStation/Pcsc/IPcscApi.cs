namespace CaseSystem.CardStation.Pcsc;

/// <summary>
/// The PC/SC functions the station uses, with platform-neutral types: each platform's bindings
/// (<see cref="LinuxPcscApi"/>, <see cref="WindowsPcscApi"/>) own their native struct layouts.
/// Every method returns the PC/SC code as a 32-bit value.
/// </summary>
internal interface IPcscApi
{
    uint EstablishContext(out nint context);
    uint ReleaseContext(nint context);
    /// <summary>The readers' names; SCARD_E_NO_READERS_AVAILABLE is returned as is (callers make it an empty list).</summary>
    uint ListReaders(nint context, out List<string> readers);
    uint GetStatusChange(nint context, uint timeoutMs, PcscReaderState[] states);
    uint Cancel(nint context);
    uint Connect(nint context, string reader, PcscProtocol preferred, out nint card, out PcscProtocol active);
    uint Transmit(nint card, PcscProtocol protocol, ReadOnlySpan<byte> command, Span<byte> response, out int received);
    uint Disconnect(nint card, uint disposition);
}

/// <summary>One entry of a SCardGetStatusChange call, as the caller sees it.</summary>
public sealed class PcscReaderState(string reader, uint currentState = 0)
{
    public const string PnpNotification = @"\\?PnP?\Notification";

    public string Reader { get; } = reader;
    public uint CurrentState { get; set; } = currentState;
    public uint EventState { get; set; }
    public byte[] Atr { get; set; } = [];

    public bool Has(PcscState flag) => (EventState & (uint)flag) != 0;
    public int EventCount => (int)(EventState >> 16);

    /// <summary>Ready for the next wait: what was seen becomes what is known, or the wait returns at once.</summary>
    public void Acknowledge() => CurrentState = EventState & ~(uint)PcscState.Changed;
}

internal static class PcscConstants
{
    public const uint ScopeSystem = 2;
    public const uint ShareShared = 2;
    public const uint LeaveCard = 0;
    public const uint ResetCard = 1;
    public const uint Infinite = 0xFFFFFFFF;
    public const int MaxAtr = 33;
}

internal static class PcscApi
{
    public static IPcscApi ForThisPlatform { get; } = OperatingSystem.IsWindows() ? new WindowsPcscApi() : new LinuxPcscApi();
}
