using System.Net;
using System.Net.Sockets;

namespace CaseSystem.CardStation.Tests.VirtualCard;

/// <summary>The virtual card's side of vpcd's protocol, against a stand-in for vpcd (no pcscd needed).</summary>
public class VirtualJpkiCardTests
{
    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static void Send(NetworkStream stream, params byte[] payload) =>
        stream.Write([(byte)(payload.Length >> 8), (byte)payload.Length, .. payload]);

    private static byte[] Receive(NetworkStream stream)
    {
        var length = new byte[2];
        stream.ReadExactly(length);
        var payload = new byte[length[0] << 8 | length[1]];
        stream.ReadExactly(payload);
        return payload;
    }

    [Fact]
    public async Task The_card_keeps_trying_until_vpcd_listens_then_speaks_its_framing()
    {
        var port = FreePort();
        using var card = VirtualJpkiCard.MyNumberCard();
        var inserting = Task.Run(() => card.InsertAt(port, "stand-in"));
        await Task.Delay(700);
        Assert.False(inserting.IsCompleted);

        using var vpcd = new TcpListener(IPAddress.Loopback, port);
        vpcd.Start();
        using var connection = await vpcd.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await inserting.WaitAsync(TimeSpan.FromSeconds(10));
        var stream = connection.GetStream();
        stream.ReadTimeout = 5000;

        Send(stream, 0x01);   // power on: no answer
        Send(stream, 0x02);   // reset: no answer
        Send(stream, 0x04);
        Assert.Equal(VirtualJpkiCard.Atr, Receive(stream));

        Send(stream, [0x00, 0xA4, 0x04, 0x0C, 0x0A, .. VirtualJpkiCard.JpkiAid]);
        Assert.Equal([0x90, 0x00], Receive(stream));
        Send(stream, 0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18);
        Assert.Equal([0x90, 0x00], Receive(stream));
        Send(stream, 0x00, 0x20, 0x00, 0x80);
        Assert.Equal([0x63, 0xC3], Receive(stream));
        Send(stream, 0x04);
        Assert.Equal(VirtualJpkiCard.Atr, Receive(stream));

        Assert.Equal(3, card.Apdus.Count);
    }

    [Fact]
    public async Task Taking_the_card_away_closes_its_connection()
    {
        var port = FreePort();
        using var vpcd = new TcpListener(IPAddress.Loopback, port);
        vpcd.Start();
        using var card = VirtualJpkiCard.MyNumberCard().InsertAt(port, "stand-in");
        using var connection = await vpcd.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var stream = connection.GetStream();
        stream.ReadTimeout = 5000;

        card.Remove();

        Assert.Equal(0, stream.Read(new byte[2]));
        Assert.False(card.IsInserted);
    }
}
