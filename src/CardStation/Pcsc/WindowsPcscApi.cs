using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CaseSystem.CardStation.Pcsc;

/// <summary>
/// winscard.dll on Windows x64: DWORD and LONG are 4 bytes, SCARDCONTEXT/SCARDHANDLE are pointer-sized
/// (ULONG_PTR), strings UTF-16 through the <c>…W</c> functions. Compiled in everywhere, used on Windows only.
/// </summary>
internal sealed class WindowsPcscApi : IPcscApi
{
    private const string Lib = "winscard.dll";

    /// <summary>
    /// SCARD_READERSTATEW on x64, 64 bytes: szReader @0, pvUserData @8, dwCurrentState @16,
    /// dwEventState @20, cbAtr @24, rgbAtr[36] @28.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    internal struct ReaderState
    {
        [FieldOffset(0)] public nint Reader;
        [FieldOffset(8)] public nint UserData;
        [FieldOffset(16)] public uint CurrentState;
        [FieldOffset(20)] public uint EventState;
        [FieldOffset(24)] public uint AtrLength;
        [FieldOffset(28)] public AtrBytes Atr;
    }

    [InlineArray(36)]
    internal struct AtrBytes { private byte _first; }

    /// <summary>SCARD_IO_REQUEST: { DWORD dwProtocol; DWORD cbPciLength } = 8 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct IoRequest
    {
        public uint Protocol;
        public uint Length;
    }

    [DllImport(Lib, CharSet = CharSet.Unicode)] private static extern int SCardEstablishContext(uint scope, nint reserved1, nint reserved2, out nint context);
    [DllImport(Lib, CharSet = CharSet.Unicode)] private static extern int SCardReleaseContext(nint context);
    [DllImport(Lib, CharSet = CharSet.Unicode)] private static extern int SCardListReadersW(nint context, nint groups, char[]? readers, ref uint length);
    [DllImport(Lib, CharSet = CharSet.Unicode)] private static extern int SCardGetStatusChangeW(nint context, uint timeout, [In, Out] ReaderState[] states, uint count);
    [DllImport(Lib, CharSet = CharSet.Unicode)] private static extern int SCardCancel(nint context);
    [DllImport(Lib, CharSet = CharSet.Unicode)]
    private static extern int SCardConnectW(nint context, [MarshalAs(UnmanagedType.LPWStr)] string reader,
        uint shareMode, uint preferredProtocols, out nint card, out uint activeProtocol);
    [DllImport(Lib, CharSet = CharSet.Unicode)]
    private static extern int SCardTransmit(nint card, in IoRequest sendPci, in byte send, uint sendLength,
        nint receivePci, ref byte receive, ref uint receiveLength);
    [DllImport(Lib, CharSet = CharSet.Unicode)] private static extern int SCardDisconnect(nint card, uint disposition);

    private static uint Code(int result) => unchecked((uint)result);

    public uint EstablishContext(out nint context) => Code(SCardEstablishContext(PcscConstants.ScopeSystem, 0, 0, out context));

    public uint ReleaseContext(nint context) => Code(SCardReleaseContext(context));

    public uint ListReaders(nint context, out List<string> readers)
    {
        readers = [];
        for (var attempt = 0; attempt < 3; attempt++)
        {
            uint length = 0;
            var code = Code(SCardListReadersW(context, 0, null, ref length));
            if (code != PcscCode.Success) return code;
            var buffer = new char[length];
            code = Code(SCardListReadersW(context, 0, buffer, ref length));
            if (code == PcscCode.InsufficientBuffer) continue;
            if (code != PcscCode.Success) return code;
            readers = LinuxPcscApi.SplitMultiString(new string(buffer, 0, (int)length));
            return code;
        }
        return PcscCode.InsufficientBuffer;
    }

    public uint GetStatusChange(nint context, uint timeoutMs, PcscReaderState[] states)
    {
        var native = new ReaderState[states.Length];
        try
        {
            for (var i = 0; i < states.Length; i++)
            {
                native[i].Reader = Marshal.StringToCoTaskMemUni(states[i].Reader);
                native[i].CurrentState = states[i].CurrentState;
            }
            var code = Code(SCardGetStatusChangeW(context, timeoutMs, native, (uint)states.Length));
            if (code == PcscCode.Success)
            {
                for (var i = 0; i < states.Length; i++)
                {
                    states[i].EventState = native[i].EventState;
                    var length = Math.Min((int)native[i].AtrLength, 36);
                    states[i].Atr = ((ReadOnlySpan<byte>)native[i].Atr)[..length].ToArray();
                }
            }
            return code;
        }
        finally
        {
            foreach (var state in native) Marshal.FreeCoTaskMem(state.Reader);
        }
    }

    public uint Cancel(nint context) => Code(SCardCancel(context));

    public uint Connect(nint context, string reader, PcscProtocol preferred, out nint card, out PcscProtocol active)
    {
        var code = Code(SCardConnectW(context, reader, PcscConstants.ShareShared, (uint)preferred, out card, out var protocol));
        active = (PcscProtocol)protocol;
        return code;
    }

    public uint Transmit(nint card, PcscProtocol protocol, ReadOnlySpan<byte> command, Span<byte> response, out int received)
    {
        var pci = new IoRequest { Protocol = (uint)protocol, Length = (uint)Unsafe.SizeOf<IoRequest>() };
        var length = (uint)response.Length;
        var code = Code(SCardTransmit(card, in pci, in MemoryMarshal.GetReference(command), (uint)command.Length,
            0, ref MemoryMarshal.GetReference(response), ref length));
        received = code == PcscCode.Success ? (int)length : 0;
        return code;
    }

    public uint Disconnect(nint card, uint disposition) => Code(SCardDisconnect(card, disposition));
}
