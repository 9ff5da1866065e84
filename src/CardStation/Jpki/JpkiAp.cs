namespace CaseSystem.CardStation.Jpki;

/// <summary>The JPKI AP (公的個人認証AP): its AID, its files, and the commands the station sends to it.</summary>
public static class JpkiAp
{
    public static ReadOnlySpan<byte> Aid => [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];

    public const ushort SigningCertificate = 0x0001;
    public const ushort SigningCaCertificate = 0x0002;
    public const ushort TokenInfo = 0x0006;
    public const ushort UserAuthenticationCertificate = 0x000A;
    public const ushort UserAuthenticationCaCertificate = 0x000B;
    public const ushort UserAuthenticationPin = 0x0018;
    public const ushort SigningPin = 0x001B;

    public const string MyNumberCardToken = "JPKIAPICCTOKEN2";
    public const int TokenInfoLength = 32;
    public const int MaxChunk = 255;

    public static byte[] SelectAp() => [0x00, 0xA4, 0x04, 0x0C, (byte)Aid.Length, .. Aid];

    public static byte[] SelectEf(ushort fid) => [0x00, 0xA4, 0x02, 0x0C, 0x02, (byte)(fid >> 8), (byte)fid];

    /// <param name="length">1–256 (256 is sent as Le = 00).</param>
    public static byte[] ReadBinary(int offset, int length)
    {
        if (offset is < 0 or > 0x7FFF) throw new ArgumentOutOfRangeException(nameof(offset));
        if (length is < 1 or > 256) throw new ArgumentOutOfRangeException(nameof(length));
        return [0x00, 0xB0, (byte)(offset >> 8), (byte)offset, (byte)(length & 0xFF)];
    }

    /// <summary>VERIFY without data: the tries left (63Cx), without spending one.</summary>
    public static byte[] VerifyProbe() => [0x00, 0x20, 0x00, 0x80];

    public const int VerifyHeaderLength = 5;
}
