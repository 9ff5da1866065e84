using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CaseSystem.CardStation.Card;
using CaseSystem.CardStation.Jpki;
using CaseSystem.CardStation.Pcsc;

namespace CaseSystem.CardStation.Tests.Pcsc;

public class NativeLayoutTests
{
    [Fact]
    public void The_Linux_reader_state_is_80_bytes_with_pcsc_lites_offsets()
    {
        Assert.Equal(80, Unsafe.SizeOf<LinuxPcscApi.ReaderState>());
        Assert.Equal(80, Marshal.SizeOf<LinuxPcscApi.ReaderState>());
        Assert.Equal(
            [0, 8, 16, 24, 32, 40],
            new[] { "Reader", "UserData", "CurrentState", "EventState", "AtrLength", "Atr" }
                .Select(f => (int)Marshal.OffsetOf<LinuxPcscApi.ReaderState>(f)));
        Assert.Equal(33, Unsafe.SizeOf<LinuxPcscApi.AtrBytes>());
        Assert.Equal(16, Unsafe.SizeOf<LinuxPcscApi.IoRequest>());
    }

    [Fact]
    public void The_Windows_reader_state_is_64_bytes_with_winscards_offsets()
    {
        Assert.Equal(64, Unsafe.SizeOf<WindowsPcscApi.ReaderState>());
        Assert.Equal(
            [0, 8, 16, 20, 24, 28],
            new[] { "Reader", "UserData", "CurrentState", "EventState", "AtrLength", "Atr" }
                .Select(f => (int)Marshal.OffsetOf<WindowsPcscApi.ReaderState>(f)));
        Assert.Equal(8, Unsafe.SizeOf<WindowsPcscApi.IoRequest>());
    }

    [Fact]
    public void A_reader_list_is_split_at_its_NULs() =>
        Assert.Equal(["Virtual PCD 00 00", "Virtual PCD 00 01"], LinuxPcscApi.SplitMultiString("Virtual PCD 00 00\0Virtual PCD 00 01\0\0"));
}

public class ResponseCapacityTests
{
    [Theory]
    [InlineData("00B0000004", 6)]
    [InlineData("00B00004FF", 257)]
    [InlineData("00B0000000", 258)]
    [InlineData("00A4040C0AD392F000260100000001", 258)]
    [InlineData("00A4040C0AD392F00026010000000100", 258)]
    [InlineData("00A4040C0AD392F00026010000000110", 18)]
    [InlineData("00200080", 258)]
    public void The_receive_buffer_holds_Le_plus_the_status_word(string command, int capacity) =>
        Assert.Equal(capacity, PcscConnection.ResponseCapacity(Convert.FromHexString(command)));
}

public class ApduGuardTests
{
    private static byte[] Apdu(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    [Theory]
    [InlineData("00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08")]      // the card-info AP
    [InlineData("00 A4 04 00 0A D3 92 10 00 31 00 01 01 04 08 00")]   // with FCI asked
    [InlineData("00 A4 04 0C 05 D3 92 10 00 31")]                     // a partial name selects it too
    [InlineData("00 A4 04 0C 02 D3 92")]
    [InlineData("00 A4 04 0C 0B D3 92 10 00 31 00 01 01 04 08 FF")]   // longer than the AID, starting with it
    [InlineData("00 A4 04 0C 00 00 0A D3 92 10 00 31 00 01 01 04 08")] // extended length
    [InlineData("0C A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08")]      // another CLA
    [InlineData("00 A4 06 0C 0A D3 92 10 00 31 00 01 01 04 08")]      // next occurrence
    public void Selecting_the_card_info_AP_in_any_form_is_forbidden(string command)
    {
        Assert.True(ApduGuard.IsForbidden(Apdu(command)));
        Assert.Throws<InvalidOperationException>(() => ApduGuard.EnsureAllowed(Apdu(command)));
    }

    [Theory]
    [InlineData("00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01")]      // the JPKI AP
    [InlineData("00 A4 02 0C 02 00 0A")]                              // an EF
    [InlineData("00 B0 00 00 04")]
    [InlineData("00 20 00 80")]
    [InlineData("00 A4 04 0C 00")]
    public void The_JPKI_commands_pass(string command) => Assert.False(ApduGuard.IsForbidden(Apdu(command)));
}

public class ErrorMappingTests
{
    [Theory]
    [InlineData(PcscCode.NoService, CardErrorKind.NoService)]
    [InlineData(PcscCode.ServiceStopped, CardErrorKind.NoService)]
    [InlineData(PcscCode.UnknownReader, CardErrorKind.NoReader)]
    [InlineData(PcscCode.ReaderUnavailable, CardErrorKind.NoReader)]
    [InlineData(PcscCode.RemovedCard, CardErrorKind.CardRemoved)]
    [InlineData(PcscCode.ResetCard, CardErrorKind.CardRemoved)]
    [InlineData(PcscCode.NoSmartcard, CardErrorKind.CardRemoved)]
    [InlineData(PcscCode.UnpoweredCard, CardErrorKind.CardRemoved)]
    [InlineData(PcscCode.SharingViolation, CardErrorKind.Communication)]
    [InlineData(PcscCode.NotTransacted, CardErrorKind.Communication)]
    public void Return_codes_map_to_the_stations_errors(uint code, CardErrorKind kind)
    {
        var error = PcscErrors.For("SCardTransmit", code, "Virtual PCD 00 00");
        Assert.Equal(kind, error.Kind);
        Assert.Equal(code, Assert.IsType<PcscException>(error.InnerException).Code);
    }

    [Theory]
    [InlineData(PcscCode.NoSmartcard)]
    [InlineData(PcscCode.RemovedCard)]
    public void While_connecting_a_card_gone_is_no_card(uint code) =>
        Assert.Equal(CardErrorKind.NoCard, PcscErrors.For("SCardConnect", code, "Virtual PCD 00 00", connecting: true).Kind);

    [Fact]
    public void Codes_are_compared_as_32_bit_values_and_named()
    {
        Assert.Equal(PcscCode.NoService, unchecked((uint)(nint)0x8010001D));
        Assert.Equal(PcscCode.NoService, unchecked((uint)(int)0x8010001D));
        Assert.Equal("SCARD_E_NO_SERVICE", PcscCode.Name(PcscCode.NoService));
        Assert.Equal("0x80100099", PcscCode.Name(0x80100099));
    }

    [Fact]
    public void No_service_says_so_plainly_in_Japanese_and_English()
    {
        var error = PcscErrors.For("SCardEstablishContext", PcscCode.NoService, null);
        Assert.Equal(CardErrorKind.NoService, error.Kind);
        Assert.Contains("pcscd", error.MessageJa);
        Assert.Contains("not running", error.MessageEn);
    }
}

/// <summary>
/// pcscd cannot be stopped safely in the middle of a test run (the other card tests share it), so
/// "no pcscd" is tested one step in: a PC/SC library that answers every call with SCARD_E_NO_SERVICE,
/// as libpcsclite does when pcscd's socket is not there.
/// </summary>
public class NoServiceTests
{
    private sealed class NoPcscd : IPcscApi
    {
        public int Calls;
        private uint No() { Interlocked.Increment(ref Calls); return PcscCode.NoService; }
        public uint EstablishContext(out nint context) { context = 0; return No(); }
        public uint ReleaseContext(nint context) => No();
        public uint ListReaders(nint context, out List<string> readers) { readers = []; return No(); }
        public uint GetStatusChange(nint context, uint timeoutMs, PcscReaderState[] states) => No();
        public uint Cancel(nint context) => No();
        public uint Connect(nint context, string reader, PcscProtocol preferred, out nint card, out PcscProtocol active)
        { card = 0; active = PcscProtocol.None; return No(); }
        public uint Transmit(nint card, PcscProtocol protocol, ReadOnlySpan<byte> command, Span<byte> response, out int received)
        { received = 0; return No(); }
        public uint Disconnect(nint card, uint disposition) => No();
    }

    [Fact]
    public void Listing_readers_without_pcscd_is_no_service()
    {
        using var terminal = new PcscCardTerminal(new NoPcscd());
        Assert.Equal(CardErrorKind.NoService, Assert.Throws<CardException>(terminal.ListReaders).Kind);
    }

    [Fact]
    public void Connecting_without_pcscd_is_no_service()
    {
        using var terminal = new PcscCardTerminal(new NoPcscd());
        Assert.Equal(CardErrorKind.NoService, Assert.Throws<CardException>(() => terminal.Connect("Virtual PCD 00 00")).Kind);
    }

    [Fact]
    public async Task Watching_without_pcscd_is_no_service()
    {
        using var terminal = new PcscCardTerminal(new NoPcscd());
        var error = await Assert.ThrowsAsync<CardException>(async () =>
        {
            await foreach (var _ in terminal.WatchAsync(CancellationToken.None)) { }
        });
        Assert.Equal(CardErrorKind.NoService, error.Kind);
    }

    [Fact]
    public void A_terminal_made_before_pcscd_runs_tries_again_on_each_call()
    {
        var api = new NoPcscd();
        using var terminal = new PcscCardTerminal(api);
        Assert.Throws<CardException>(terminal.ListReaders);
        Assert.Throws<CardException>(terminal.ListReaders);
        Assert.Equal(2, api.Calls);
    }
}
