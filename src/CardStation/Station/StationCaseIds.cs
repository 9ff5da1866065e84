using System.Security.Cryptography;
using System.Text;

namespace CaseSystem.CardStation.Station;

/// <summary>
/// The id the server gives a case opened with an Idempotency-Key (its CaseIds.ForCreation), so
/// that a case opened while the server is unreachable can take its card read and PIN checks at
/// once, queued behind the opening. A test holds it equal to the server's.
/// </summary>
public static class StationCaseIds
{
    public static Guid ForCreation(string municipality, string idempotencyKey)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"creation|{municipality}|{idempotencyKey}"), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
