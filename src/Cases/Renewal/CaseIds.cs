using System.Security.Cryptography;
using System.Text;

namespace CaseSystem.Cases.Renewal;

/// <summary>
/// Case ids derived from what identifies a case's creation, so that a repeated creation (an
/// import run twice, a retried request) addresses the same stream and is recognised as a repeat.
/// </summary>
public static class CaseIds
{
    public static Guid ForNotice(string municipality, string noticeNumber) => Derive($"notice|{municipality}|{noticeNumber}");

    public static Guid ForCreation(string municipality, string idempotencyKey) => Derive($"creation|{municipality}|{idempotencyKey}");

    /// <summary>An RFC 9562 version 8 (custom) UUID from the first 16 bytes of SHA-256 of the name.</summary>
    private static Guid Derive(string name)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
