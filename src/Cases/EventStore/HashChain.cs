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
    /// The same bytes as event_store.canonical_form: the JSON array json_build_array writes of
    /// the fields in a fixed order, with the data as jsonb's own text output.
    /// </summary>
    public static byte[] CanonicalForm(RawEvent e)
    {
        var sb = new StringBuilder(256 + e.DataText.Length).Append('[');
        JsonString(sb, FormatTag);
        sb.Append(", ").Append(e.Sequence.ToString(CultureInfo.InvariantCulture));
        sb.Append(", "); JsonString(sb, e.StreamId.ToString("D"));
        sb.Append(", ").Append(e.Version.ToString(CultureInfo.InvariantCulture));
        sb.Append(", "); JsonString(sb, e.Municipality);
        sb.Append(", "); JsonString(sb, e.EventType);
        sb.Append(", "); JsonString(sb, e.ActorId);
        sb.Append(", "); JsonString(sb, e.ActorOffice);
        sb.Append(", "); JsonString(sb, e.CorrelationId?.ToString("D"));
        sb.Append(", "); JsonString(sb, e.CausationId?.ToString("D"));
        sb.Append(", "); JsonString(sb, e.IdempotencyKey);
        sb.Append(", "); JsonString(sb, e.Command);
        sb.Append(", ").Append(UnixMicroseconds(e.RecordedAt).ToString(CultureInfo.InvariantCulture));
        sb.Append(", ").Append(e.DataText);
        sb.Append(']');
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

    /// <summary>A JSON string as PostgreSQL's escape_json writes it, or null.</summary>
    private static void JsonString(StringBuilder sb, string? value)
    {
        if (value is null) sb.Append("null");
        else EscapeJson(sb, value);
    }

    /// <summary>A JSON string, quotes included, as PostgreSQL's escape_json writes it: the two-character escapes, \u00XX for other control characters, everything else as is.</summary>
    internal static void EscapeJson(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case < ' ': sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: sb.Append(c); break;
            }
        }
        sb.Append('"');
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
