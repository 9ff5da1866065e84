namespace CaseSystem.CardStation.Jpki;

/// <summary>The total length of a DER SEQUENCE (a certificate) from its first bytes: tag, length octets, content.</summary>
public static class DerHeader
{
    /// <returns>Header plus content length, or null when <paramref name="start"/> is not the start of a DER SEQUENCE.</returns>
    public static int? TotalLength(ReadOnlySpan<byte> start)
    {
        if (start.Length < 2 || start[0] != 0x30) return null;
        var first = start[1];
        if (first < 0x80) return 2 + first;
        var count = first & 0x7F;
        if (count is 0 or > 3 || start.Length < 2 + count) return null;   // indefinite length is not DER; > 16 MB is no certificate
        var length = 0;
        for (var i = 0; i < count; i++) length = length << 8 | start[2 + i];
        return 2 + count + length;
    }
}
