using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CaseSystem.Cases.Store.HashChain;

/// <summary>An mt_events row as stored, with its link, for hashing.</summary>
public sealed record StoredEventRow(
    long Sequence,
    Guid Id,
    Guid StreamId,
    long Version,
    string TenantId,
    string EventType,
    string? UserName,
    string? CorrelationId,
    string? CausationId,
    DateTime Timestamp,
    string? HeadersText,
    string DataText);

/// <summary>
/// The canonical form, rebuilt in C# from the stored columns alone, so that a verification does
/// not depend on any function in the database that an intruder could have changed along with the
/// data: the bytes <c>json_build_array</c> writes in <c>cases.case_event_canonical</c> (", "
/// between elements; strings escaped as PostgreSQL's escape_json does; numbers and null bare;
/// jsonb as its own text output, which is canonical for the value). A JSON array is unambiguous,
/// so no choice of content makes two different events read alike.
/// </summary>
public static class CanonicalForm
{
    public static byte[] Of(StoredEventRow e)
    {
        var sb = new StringBuilder(256 + e.DataText.Length + (e.HeadersText?.Length ?? 0)).Append('[');
        JsonString(sb, HashChainFeature.FormatTag);
        sb.Append(", ").Append(e.Sequence.ToString(CultureInfo.InvariantCulture));
        sb.Append(", "); JsonString(sb, e.Id.ToString("D"));
        sb.Append(", "); JsonString(sb, e.StreamId.ToString("D"));
        sb.Append(", ").Append(e.Version.ToString(CultureInfo.InvariantCulture));
        sb.Append(", "); JsonString(sb, e.TenantId);
        sb.Append(", "); JsonString(sb, e.EventType);
        sb.Append(", "); JsonString(sb, e.UserName);
        sb.Append(", "); JsonString(sb, e.CorrelationId);
        sb.Append(", "); JsonString(sb, e.CausationId);
        sb.Append(", ").Append(UnixMicroseconds(e.Timestamp).ToString(CultureInfo.InvariantCulture));
        sb.Append(", ").Append(e.HeadersText ?? "null");
        sb.Append(", ").Append(e.DataText);
        sb.Append(']');
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>The event's link: SHA-256 over the previous link of its stream (none for the first) and its canonical form.</summary>
    public static byte[] Link(byte[]? previous, StoredEventRow e)
    {
        var canonical = Of(e);
        if (previous is null) return SHA256.HashData(canonical);
        var buffer = new byte[previous.Length + canonical.Length];
        previous.CopyTo(buffer, 0);
        canonical.CopyTo(buffer, previous.Length);
        return SHA256.HashData(buffer);
    }

    private static void JsonString(StringBuilder sb, string? value)
    {
        if (value is null) sb.Append("null");
        else EscapeJson(sb, value);
    }

    /// <summary>A JSON string, quotes included, as PostgreSQL's escape_json writes it: the two-character escapes, \u00XX for other control characters, everything else as is.</summary>
    public static void EscapeJson(StringBuilder sb, string value)
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

    // extract(epoch from timestamptz) * 1000000 rounded to bigint; timestamptz holds microseconds, so this is exact.
    private static long UnixMicroseconds(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) / 10;
}
