using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CaseSystem.Cases.EventStore;

/// <summary>
/// The tamper evidence. Each event's hash is SHA-256 over the previous hash of its stream and
/// the event's canonical form. The append function computes it in PostgreSQL; this class
/// recomputes it from the stored columns alone, so a verification does not depend on any
/// function in the database that an intruder could have changed along with the data.
/// </summary>
public static class HashChain
{
    private const string FormatTag = "cs-event-v1";

    /// <summary>
    /// The same bytes as event_store.canonical_form: every field as "&lt;UTF-8 byte length&gt;:&lt;text&gt;"
    /// (null as "-"), joined by "|", with the data as jsonb's own text output.
    /// </summary>
    public static byte[] CanonicalForm(RawEvent e)
    {
        var sb = new StringBuilder(FormatTag, 256 + e.DataText.Length);
        Field(sb, e.Sequence.ToString(CultureInfo.InvariantCulture));
        Field(sb, e.StreamId.ToString("D"));
        Field(sb, e.Version.ToString(CultureInfo.InvariantCulture));
        Field(sb, e.Municipality);
        Field(sb, e.EventType);
        Field(sb, e.ActorId);
        Field(sb, e.ActorOffice);
        Field(sb, e.CorrelationId?.ToString("D"));
        Field(sb, e.CausationId?.ToString("D"));
        Field(sb, e.IdempotencyKey);
        Field(sb, e.Command);
        Field(sb, UnixMicroseconds(e.RecordedAt).ToString(CultureInfo.InvariantCulture));
        Field(sb, e.DataText);
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public static byte[] Next(byte[]? previous, RawEvent e)
    {
        var canonical = CanonicalForm(e);
        if (previous is null) return SHA256.HashData(canonical);
        var buffer = new byte[previous.Length + canonical.Length];
        previous.CopyTo(buffer, 0);
        canonical.CopyTo(buffer, previous.Length);
        return SHA256.HashData(buffer);
    }

    private static void Field(StringBuilder sb, string? value)
    {
        sb.Append('|');
        if (value is null) { sb.Append('-'); return; }
        sb.Append(Encoding.UTF8.GetByteCount(value)).Append(':').Append(value);
    }

    private static long UnixMicroseconds(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) / 10;
}

/// <summary>An event row exactly as stored, for hashing.</summary>
public sealed record RawEvent(
    long Sequence,
    Guid StreamId,
    long Version,
    string Municipality,
    string EventType,
    string DataText,
    string? ActorId,
    string? ActorOffice,
    Guid? CorrelationId,
    Guid? CausationId,
    string? IdempotencyKey,
    string? Command,
    DateTime RecordedAt,
    byte[] Hash);

/// <summary>Where a chain first fails to hold, and why.</summary>
public sealed record ChainBreak(Guid StreamId, long Version, long? Sequence, string Reason);

public sealed record ChainVerification(long StreamsChecked, long EventsChecked, IReadOnlyList<ChainBreak> Breaks)
{
    public bool IsIntact => Breaks.Count == 0;
    public ChainBreak? FirstBreak => Breaks.Count > 0 ? Breaks[0] : null;
}
