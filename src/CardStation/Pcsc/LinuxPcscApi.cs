using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace CaseSystem.CardStation.Pcsc;

/// <summary>
/// pcsc-lite on Linux x64: DWORD and LONG are C <c>unsigned long</c>/<c>long</c>, 8 bytes (nuint/nint);
/// SCARDCONTEXT and SCARDHANDLE are LONG. Strings are UTF-8.
/// </summary>
internal sealed class LinuxPcscApi : IPcscApi
{
    private const string Lib = "libpcsclite.so.1";

    /// <summary>
    /// SCARD_READERSTATE as pcsc-lite lays it out on x64, 80 bytes: szReader @0, pvUserData @8,
    /// dwCurrentState @16, dwEventState @24, cbAtr @32, rgbAtr[33] @40, then 7 bytes of padding.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 80)]
    internal struct ReaderState
    {
        [FieldOffset(0)] public nint Reader;
        [FieldOffset(8)] public nint UserData;
        [FieldOffset(16)] public nuint CurrentState;
        [FieldOffset(24)] public nuint EventState;
        [FieldOffset(32)] public nuint AtrLength;
        [FieldOffset(40)] public AtrBytes Atr;
    }

    [InlineArray(PcscConstants.MaxAtr)]
    internal struct AtrBytes { private byte _first; }

    /// <summary>SCARD_IO_REQUEST: { unsigned long dwProtocol; unsigned long cbPciLength } = 16 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct IoRequest
    {
        public nuint Protocol;
        public nuint Length;
    }

    [DllImport(Lib)] private static extern nint SCardEstablishContext(nuint scope, nint reserved1, nint reserved2, out nint context);
    [DllImport(Lib)] private static extern nint SCardReleaseContext(nint context);
    [DllImport(Lib)] private static extern nint SCardListReaders(nint context, nint groups, byte[]? readers, ref nuint length);
    [DllImport(Lib)] private static extern nint SCardGetStatusChange(nint context, nuint timeout, [In, Out] ReaderState[] states, nuint count);
    [DllImport(Lib)] private static extern nint SCardCancel(nint context);
    [DllImport(Lib)]
    private static extern nint SCardConnect(nint context, [MarshalAs(UnmanagedType.LPUTF8Str)] string reader,
        nuint shareMode, nuint preferredProtocols, out nint card, out nuint activeProtocol);
    [DllImport(Lib)]
    private static extern nint SCardTransmit(nint card, in IoRequest sendPci, in byte send, nuint sendLength,
        nint receivePci, ref byte receive, ref nuint receiveLength);
    [DllImport(Lib)] private static extern nint SCardDisconnect(nint card, nuint disposition);

    private static uint Code(nint result) => unchecked((uint)result);

    public uint EstablishContext(out nint context) => Code(SCardEstablishContext(PcscConstants.ScopeSystem, 0, 0, out context));

    public uint ReleaseContext(nint context) => Code(SCardReleaseContext(context));

    public uint ListReaders(nint context, out List<string> readers)
    {
        readers = [];
        for (var attempt = 0; attempt < 3; attempt++)
        {
            nuint length = 0;
            var code = Code(SCardListReaders(context, 0, null, ref length));
            if (code != PcscCode.Success) return code;
            var buffer = new byte[(int)length];
            code = Code(SCardListReaders(context, 0, buffer, ref length));
            if (code == PcscCode.InsufficientBuffer) continue;   // a reader came between the two calls
            if (code != PcscCode.Success) return code;
            readers = SplitMultiString(Encoding.UTF8.GetString(buffer, 0, (int)length));
            return code;
        }
        return PcscCode.InsufficientBuffer;
    }

    internal static List<string> SplitMultiString(string multi) => [.. multi.Split('\0', StringSplitOptions.RemoveEmptyEntries)];

    public uint GetStatusChange(nint context, uint timeoutMs, PcscReaderState[] states)
    {
        var native = new ReaderState[states.Length];
        try
        {
            for (var i = 0; i < states.Length; i++)
            {
                native[i].Reader = Marshal.StringToCoTaskMemUTF8(states[i].Reader);
                native[i].CurrentState = states[i].CurrentState;
            }
            var code = Code(SCardGetStatusChange(context, timeoutMs, native, (nuint)states.Length));
            if (code == PcscCode.Success)
            {
                for (var i = 0; i < states.Length; i++)
                {
                    states[i].EventState = unchecked((uint)native[i].EventState);
                    var length = Math.Min((int)native[i].AtrLength, PcscConstants.MaxAtr);
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
        var code = Code(SCardConnect(context, reader, PcscConstants.ShareShared, (nuint)preferred, out card, out var protocol));
        active = (PcscProtocol)(uint)protocol;
        return code;
    }

    public uint Transmit(nint card, PcscProtocol protocol, ReadOnlySpan<byte> command, Span<byte> response, out int received)
    {
        // A NULL send PCI is SCARD_E_INVALID_PARAMETER in pcsc-lite: {protocol, sizeof(SCARD_IO_REQUEST)}.
        var pci = new IoRequest { Protocol = (nuint)protocol, Length = (nuint)Unsafe.SizeOf<IoRequest>() };
        nuint length = (nuint)response.Length;
        var code = Code(SCardTransmit(card, in pci, in MemoryMarshal.GetReference(command), (nuint)command.Length,
            0, ref MemoryMarshal.GetReference(response), ref length));
        received = code == PcscCode.Success ? (int)length : 0;
        return code;
    }

    public uint Disconnect(nint card, uint disposition) => Code(SCardDisconnect(card, disposition));
}
