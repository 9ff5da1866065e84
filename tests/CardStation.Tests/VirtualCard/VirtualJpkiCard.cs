using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace CaseSystem.CardStation.Tests.VirtualCard;

/// <summary>
/// A My Number Card of our own for the tests, plugged into vpcd: a TCP client of vpcd's port for a
/// reader (connected = card on the reader, closed = card taken away). vpcd frames every message both
/// ways as a 2-byte big-endian length and the payload; a 1-byte payload is a control (00 power off,
/// 01 power on, 02 reset, 04 ATR please), anything longer a command APDU answered with data + SW.
/// It holds the JPKI AP with its certificates and PINs (in memory only), and records every APDU.
/// </summary>
public sealed class VirtualJpkiCard : IDisposable
{
    public const string Reader0 = "Virtual PCD 00 00";
    public const string Reader1 = "Virtual PCD 00 01";
    public static readonly byte[] Atr = [0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14];

    public static readonly byte[] JpkiAid = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];
    public static readonly byte[] CardInfoAid = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];
    public static readonly byte[] OtherAid = [0xA0, 0x00, 0x00, 0x02, 0x31, 0x01];   // some other card's application

    public const string TestHolderName = "試験 花子";

    private readonly Lock _lock = new();
    private readonly ConcurrentQueue<byte[]> _apdus = new();
    private readonly Dictionary<ushort, byte[]> _files = [];
    private readonly Pin _userPin;
    private readonly Pin _signingPin;
    private readonly byte[][] _aids;
    private TcpClient? _client;
    private Thread? _serving;
    private int _readBinaries;

    // Card state: reset by power off, reset, and removal.
    private byte[]? _selectedAid;
    private ushort? _selectedEf;

    private VirtualJpkiCard(string userPin, string signingPin, byte[][] aids)
    {
        _userPin = new Pin(userPin, 3);
        _signingPin = new Pin(signingPin, 5);
        _aids = aids;
    }

    /// <summary>A My Number Card: JPKI AP (and the card-info AP, which nobody must select), certificates with the expiries given.</summary>
    public static VirtualJpkiCard MyNumberCard(
        string userPin = "1234", string signingPin = "ABC123",
        string userSerialHex = "0A1B2C3D4E",
        DateTimeOffset? userNotAfter = null, DateTimeOffset? signingNotAfter = null,
        string tokenInfo = "JPKIAPICCTOKEN2")
    {
        var card = new VirtualJpkiCard(userPin, signingPin, [JpkiAid, CardInfoAid]);
        card.UserSerialHex = userSerialHex;
        card.SetCertificates(userNotAfter ?? DefaultUserNotAfter, signingNotAfter ?? DefaultSigningNotAfter);
        card._files[0x0006] = Encoding.ASCII.GetBytes(tokenInfo.PadRight(32));
        card._files[0x0002] = TestCertificates.CaDer;
        card._files[0x000B] = TestCertificates.CaDer;
        return card;
    }

    /// <summary>A card without the JPKI AP (another kind of IC card).</summary>
    public static VirtualJpkiCard OtherCard() => new("0000", "000000", [OtherAid]);

    /// <summary>15:30 UTC is already the next day in Japan: 2031-03-15.</summary>
    public static readonly DateTimeOffset DefaultUserNotAfter = new(2031, 3, 14, 15, 30, 0, TimeSpan.Zero);
    /// <summary>23:59:59 in Japan on 2030-11-02.</summary>
    public static readonly DateTimeOffset DefaultSigningNotAfter = new(2030, 11, 2, 14, 59, 59, TimeSpan.Zero);

    public string UserSerialHex { get; private set; } = "";

    /// <summary>When set, the card is pulled (its connection closed, no answer) on the Nth READ BINARY after insertion.</summary>
    public int? PullOnReadBinary { get; set; }

    public int UserPinTries { get { lock (_lock) return _userPin.Tries; } }
    public int SigningPinTries { get { lock (_lock) return _signingPin.Tries; } }

    public IReadOnlyList<byte[]> Apdus => [.. _apdus];

    public bool IsInserted => _client is { Connected: true } && _serving is { IsAlive: true };

    /// <summary>New certificates with later expiries and a new serial, as after a renewal at the counter.</summary>
    public void Renew(DateTimeOffset userNotAfter, DateTimeOffset signingNotAfter)
    {
        lock (_lock)
        {
            UserSerialHex = TestCertificates.NextSerial(UserSerialHex);
            SetCertificates(userNotAfter, signingNotAfter);
        }
    }

    public void SetTries(int userTries, int signingTries)
    {
        lock (_lock)
        {
            _userPin.Tries = userTries;
            _signingPin.Tries = signingTries;
        }
    }

    private void SetCertificates(DateTimeOffset userNotAfter, DateTimeOffset signingNotAfter)
    {
        _files[0x000A] = TestCertificates.Issue($"CN={UserSerialHex}, O=JPKI Test, C=JP", UserSerialHex, userNotAfter);
        _files[0x0001] = TestCertificates.Issue($"CN={TestHolderName}, O=JPKI Test, C=JP", TestCertificates.NextSerial(UserSerialHex) + "01", signingNotAfter);
    }

    /// <summary>Places the card on a reader: connects to vpcd, retrying while pcscd/vpcd is not up yet.</summary>
    public VirtualJpkiCard Insert(string reader = Reader0, TimeSpan? patience = null)
    {
        var port = reader switch { Reader0 => 35963, Reader1 => 35964, _ => throw new ArgumentException(reader) };
        return InsertAt(port, reader, patience);
    }

    /// <summary>Connects to a vpcd (or a stand-in for it) on <paramref name="port"/> of 127.0.0.1.</summary>
    public VirtualJpkiCard InsertAt(int port, string reader, TimeSpan? patience = null)
    {
        if (_serving is { IsAlive: true }) throw new InvalidOperationException("the card is already on a reader");
        var deadline = DateTime.UtcNow + (patience ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var client = new TcpClient { NoDelay = true };
            try
            {
                client.Connect("127.0.0.1", port);
                _client = client;
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                client.Dispose();
                Thread.Sleep(200);
            }
            catch (SocketException e)
            {
                client.Dispose();
                throw new InvalidOperationException($"vpcd is not listening on 127.0.0.1:{port} (is pcscd running? ops/pcscd start)", e);
            }
        }
        lock (_lock) ResetState();
        _readBinaries = 0;
        var stream = _client.GetStream();
        _serving = new Thread(() => Serve(stream)) { IsBackground = true, Name = $"virtual card on {reader}" };
        _serving.Start();
        return this;
    }

    /// <summary>Takes the card off the reader.</summary>
    public void Remove()
    {
        _client?.Dispose();
        _serving?.Join(TimeSpan.FromSeconds(5));
        _client = null;
        _serving = null;
    }

    public void Dispose() => Remove();

    private void Serve(NetworkStream stream)
    {
        var lengthBytes = new byte[2];
        try
        {
            while (true)
            {
                stream.ReadExactly(lengthBytes);
                var payload = new byte[lengthBytes[0] << 8 | lengthBytes[1]];
                stream.ReadExactly(payload);
                byte[]? reply;
                if (payload.Length == 1)
                {
                    reply = Control(payload[0]);
                }
                else
                {
                    _apdus.Enqueue(payload);
                    if (payload.Length >= 2 && payload[1] == 0xB0 && ++_readBinaries == PullOnReadBinary)
                    {
                        stream.Socket.Close();
                        return;
                    }
                    lock (_lock) reply = Answer(payload);
                }
                if (reply is null) continue;
                stream.Write([(byte)(reply.Length >> 8), (byte)reply.Length, .. reply]);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or EndOfStreamException)
        {
            // Taken away (by the test) or vpcd went away.
        }
    }

    private byte[]? Control(byte control)
    {
        switch (control)
        {
            case 0x00: case 0x01: case 0x02:
                lock (_lock) ResetState();
                return null;
            case 0x04:
                return Atr;
            default:
                return null;
        }
    }

    private void ResetState()
    {
        _selectedAid = null;
        _selectedEf = null;
        _userPin.Verified = false;
        _signingPin.Verified = false;
    }

    private static readonly byte[] Ok = [0x90, 0x00];
    private static byte[] Sw(int sw) => [(byte)(sw >> 8), (byte)sw];

    private byte[] Answer(byte[] apdu)
    {
        if (apdu.Length < 4) return Sw(0x6700);
        if (apdu[0] != 0x00) return Sw(0x6E00);
        var (data, le) = Parse(apdu);
        return apdu[1] switch
        {
            0xA4 => Select(apdu[2], data),
            0xB0 => ReadBinary(apdu[2] << 8 | apdu[3], le),
            0x20 => Verify(apdu[2], apdu[3], data),
            _ => Sw(0x6D00),
        };
    }

    private static (byte[] Data, int Le) Parse(byte[] apdu)
    {
        if (apdu.Length == 4) return ([], 0);
        if (apdu.Length == 5) return ([], apdu[4] == 0 ? 256 : apdu[4]);
        var lc = apdu[4];
        var data = apdu.AsSpan(5, Math.Min(lc, apdu.Length - 5)).ToArray();
        var le = apdu.Length > 5 + lc ? (apdu[5 + lc] == 0 ? 256 : apdu[5 + lc]) : 0;
        return (data, le);
    }

    private byte[] Select(byte p1, byte[] data)
    {
        if (p1 == 0x04)
        {
            var aid = _aids.FirstOrDefault(a => a.AsSpan().SequenceEqual(data));
            if (aid is null) return Sw(0x6A82);
            _selectedAid = aid;
            _selectedEf = null;
            _userPin.Verified = false;
            _signingPin.Verified = false;
            return Ok;
        }
        if (p1 == 0x02 && data.Length == 2)
        {
            if (_selectedAid != JpkiAid) return Sw(0x6A82);
            var fid = (ushort)(data[0] << 8 | data[1]);
            if (!_files.ContainsKey(fid) && fid is not (0x0018 or 0x001B)) return Sw(0x6A82);
            _selectedEf = fid;
            return Ok;
        }
        return Sw(0x6A86);
    }

    private byte[] ReadBinary(int offset, int le)
    {
        if (_selectedEf is not { } ef || !_files.TryGetValue(ef, out var content)) return Sw(0x6986);
        if (ef == 0x0001 && !_signingPin.Verified) return Sw(0x6982);
        if (offset > content.Length) return Sw(0x6B00);
        var count = Math.Min(le == 0 ? 256 : le, content.Length - offset);
        return [.. content.AsSpan(offset, count), .. Ok];
    }

    private byte[] Verify(byte p1, byte p2, byte[] data)
    {
        if (p1 != 0x00 || p2 != 0x80) return Sw(0x6A86);
        var pin = _selectedEf switch { 0x0018 => _userPin, 0x001B => _signingPin, _ => null };
        if (pin is null) return Sw(0x6986);
        if (pin.Tries == 0) return Sw(0x6983);
        if (data.Length == 0) return pin.Verified ? Ok : Sw(0x63C0 | pin.Tries);
        if (data.AsSpan().SequenceEqual(Encoding.ASCII.GetBytes(pin.Value)))
        {
            pin.Tries = pin.MaxTries;
            pin.Verified = true;
            return Ok;
        }
        pin.Tries--;
        pin.Verified = false;
        return Sw(0x63C0 | pin.Tries);
    }

    private sealed class Pin(string value, int maxTries)
    {
        public string Value { get; } = value;
        public int MaxTries { get; } = maxTries;
        public int Tries { get; set; } = maxTries;
        public bool Verified { get; set; }
    }
}
