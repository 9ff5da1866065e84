using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CaseSystem.CardStation.Card;
using CaseSystem.CardStation.Pcsc;

namespace CaseSystem.CardStation.Jpki;

/// <summary>A My Number Card with its JPKI AP selected. Reads what needs no PIN, checks PINs, and nothing else.</summary>
public sealed class JpkiCard : IJpkiCard
{
    private readonly PcscConnection _connection;

    private JpkiCard(PcscConnection connection) => _connection = connection;

    public string Reader => _connection.Reader;

    /// <summary>Selects the JPKI AP and checks the token info; takes ownership of <paramref name="connection"/>.</summary>
    /// <exception cref="CardException">NotMyNumberCard when the AP is missing or its token info is not a My Number Card's.</exception>
    public static JpkiCard Open(PcscConnection connection)
    {
        var card = new JpkiCard(connection);
        try
        {
            var sw = card.Exchange(JpkiAp.SelectAp()).Sw;
            if (!sw.IsSuccess) throw JpkiErrors.NotMyNumberCard($"SELECT JPKI AP: {sw}");
            card.ReadTokenInfo();
            return card;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public CardReading Read()
    {
        var tokenInfo = ReadTokenInfo();
        var certificate = ReadCertificate(JpkiAp.UserAuthenticationCertificate);
        return new CardReading(
            Reader,
            tokenInfo,
            certificate.SerialNumber,
            JapanDate.Of(certificate.NotAfter),
            TriesLeft(PinKind.UserAuthentication),
            TriesLeft(PinKind.Signing));
    }

    public PinCheckResult VerifyPin(PinKind kind, ReadOnlySpan<char> pin)
    {
        if (!PinFormat.IsValid(kind, pin)) throw JpkiErrors.PinFormat(kind);
        // A locked PIN is never sent: TriesLeft selects the PIN's EF and asks without spending a try.
        if (TriesLeft(kind) == 0) return new PinCheckResult.Locked();

        var command = new byte[JpkiAp.VerifyHeaderLength + pin.Length];
        StatusWord sw;
        try
        {
            JpkiAp.VerifyProbe().CopyTo(command, 0);
            command[4] = (byte)pin.Length;
            for (var i = 0; i < pin.Length; i++) command[JpkiAp.VerifyHeaderLength + i] = (byte)pin[i];
            sw = Exchange(command, holdsSecret: true).Sw;
        }
        finally
        {
            // The PIN must not outlive the call in memory we own (a later heap dump, a reused array).
            CryptographicOperations.ZeroMemory(command);
        }
        if (sw.IsSuccess) return new PinCheckResult.Matched();
        if (sw.IsPinLocked) return new PinCheckResult.Locked();
        if (sw.TriesLeft is { } left) return new PinCheckResult.Mismatched(left);
        throw JpkiErrors.Unexpected(Reader, "VERIFY", sw);
    }

    public DateOnly ReadSigningCertificateExpiry() => JapanDate.Of(ReadCertificate(JpkiAp.SigningCertificate).NotAfter);

    public void Dispose() => _connection.Dispose();

    private string ReadTokenInfo()
    {
        SelectEf(JpkiAp.TokenInfo, notFound: () => JpkiErrors.NotMyNumberCard("no token info"));
        var (data, sw) = Exchange(JpkiAp.ReadBinary(0, JpkiAp.TokenInfoLength));
        if (!sw.HasData) throw JpkiErrors.NotMyNumberCard($"READ BINARY token info: {sw}");
        var tokenInfo = Encoding.ASCII.GetString(data).TrimEnd(' ', '\0');
        if (!tokenInfo.StartsWith(JpkiAp.MyNumberCardToken, StringComparison.Ordinal))
            throw JpkiErrors.NotMyNumberCard($"token info '{tokenInfo}'");
        return tokenInfo;
    }

    private int TriesLeft(PinKind kind)
    {
        SelectEf(kind == PinKind.UserAuthentication ? JpkiAp.UserAuthenticationPin : JpkiAp.SigningPin);
        var sw = Exchange(JpkiAp.VerifyProbe()).Sw;
        if (sw.IsPinLocked) return 0;
        if (sw.TriesLeft is { } left) return left;
        // Already verified in this connection: a correct PIN set the counter back to full.
        if (sw.IsSuccess) return PinFormat.TriesWhenFull(kind);
        throw JpkiErrors.Unexpected(Reader, "VERIFY (tries left)", sw);
    }

    private X509Certificate2 ReadCertificate(ushort ef)
    {
        SelectEf(ef);
        var header = ReadBinary(ef, 0, 4);
        var total = header.Length == 4 ? DerHeader.TotalLength(header) : null;
        if (total is not { } length || length < 4 || length > 0x7FFF) throw JpkiErrors.NoCertificate(Reader, ef);

        var der = new byte[length];
        header.CopyTo(der, 0);
        for (var offset = 4; offset < length;)
        {
            var chunk = ReadBinary(ef, offset, Math.Min(JpkiAp.MaxChunk, length - offset));
            if (chunk.Length == 0) throw JpkiErrors.NoCertificate(Reader, ef);
            chunk.AsSpan(0, Math.Min(chunk.Length, length - offset)).CopyTo(der.AsSpan(offset));
            offset += chunk.Length;
        }
        try
        {
            return X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException e)
        {
            throw JpkiErrors.NoCertificate(Reader, ef, e);
        }
    }

    private byte[] ReadBinary(ushort ef, int offset, int length)
    {
        var (data, sw) = Exchange(JpkiAp.ReadBinary(offset, length));
        if (sw.HasData) return data;
        if (sw == StatusWord.SecurityStatusNotSatisfied && ef == JpkiAp.SigningCertificate) throw JpkiErrors.SigningPinNotVerified();
        throw JpkiErrors.Unexpected(Reader, $"READ BINARY EF {ef:X4} @{offset}", sw);
    }

    private void SelectEf(ushort ef, Func<CardException>? notFound = null)
    {
        var sw = Exchange(JpkiAp.SelectEf(ef)).Sw;
        if (sw.IsSuccess) return;
        if (sw == StatusWord.SecurityStatusNotSatisfied && ef == JpkiAp.SigningCertificate) throw JpkiErrors.SigningPinNotVerified();
        if (sw == StatusWord.FileNotFound && notFound is not null) throw notFound();
        throw JpkiErrors.Unexpected(Reader, $"SELECT EF {ef:X4}", sw);
    }

    /// <summary>One command and its answer; 61xx (more data) and 6Cxx (wrong Le) are followed up as ISO 7816-4 says.</summary>
    private (byte[] Data, StatusWord Sw) Exchange(ReadOnlySpan<byte> command, bool holdsSecret = false)
    {
        var response = new byte[PcscConnection.ResponseCapacity(command)];
        try
        {
            var length = _connection.Transmit(command, response);
            var sw = new StatusWord(response[length - 2], response[length - 1]);
            var data = response[..(length - 2)];
            if (sw.Sw1 == 0x6C && command.Length == 5 && !holdsSecret)
                return Exchange([.. command[..4], sw.Sw2]);
            while (sw.Sw1 == 0x61)
            {
                var (more, next) = Exchange([0x00, 0xC0, 0x00, 0x00, sw.Sw2]);
                data = [.. data, .. more];
                sw = next;
            }
            return (data, sw);
        }
        finally
        {
            if (holdsSecret) CryptographicOperations.ZeroMemory(response);
        }
    }
}
