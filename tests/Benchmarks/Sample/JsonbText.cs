using System.Globalization;
using System.Text;
using System.Text.Json;
using CaseSystem.Cases.Store.HashChain;

namespace CaseSystem.Benchmarks.Sample;

/// <summary>
/// JSON as PostgreSQL's jsonb prints it (jsonb_out / JsonbToCString without indent), which is
/// what <c>data::text</c> returns and what an event's hash covers: object keys sorted by byte
/// length, then bytewise (lengthCompareJsonbStringValue); ": " after a key and ", " between
/// members and elements; strings escaped as escape_json does; duplicate keys impossible (the
/// serializer writes none, and they are refused here). Numbers are passed through only when
/// they are integers, whose jsonb (numeric) output is the same digits; anything else is refused,
/// since numeric's output of a fraction or an exponent is not the input text.
/// <para>
/// Exactness is checked, not assumed: the loader compares samples of what it wrote with
/// <c>data::text</c>, and the self-check verifies every hash against the stored rows.
/// </para>
/// </summary>
internal static class JsonbText
{
    public static string From(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var sb = new StringBuilder(json.Length + json.Length / 8 + 16);
        Write(sb, doc.RootElement);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
            {
                var members = new List<(string Name, JsonElement Value)>();
                foreach (var p in e.EnumerateObject()) members.Add((p.Name, p.Value));
                members.Sort(static (a, b) => CompareKeys(a.Name, b.Name));
                sb.Append('{');
                for (var i = 0; i < members.Count; i++)
                {
                    if (i > 0)
                    {
                        if (CompareKeys(members[i - 1].Name, members[i].Name) == 0)
                        {
                            throw new NotSupportedException($"duplicate key '{members[i].Name}': jsonb would keep only the last");
                        }
                        sb.Append(", ");
                    }
                    String(sb, members[i].Name);
                    sb.Append(": ");
                    Write(sb, members[i].Value);
                }
                sb.Append('}');
                break;
            }
            case JsonValueKind.Array:
            {
                sb.Append('[');
                var first = true;
                foreach (var item in e.EnumerateArray())
                {
                    if (!first) sb.Append(", ");
                    first = false;
                    Write(sb, item);
                }
                sb.Append(']');
                break;
            }
            case JsonValueKind.String:
                String(sb, e.GetString()!);
                break;
            case JsonValueKind.Number:
            {
                var raw = e.GetRawText();
                if (!e.TryGetInt64(out var n) || n.ToString(CultureInfo.InvariantCulture) != raw)
                {
                    throw new NotSupportedException($"number {raw}: only integers print the same in jsonb");
                }
                sb.Append(raw);
                break;
            }
            case JsonValueKind.True:
                sb.Append("true");
                break;
            case JsonValueKind.False:
                sb.Append("false");
                break;
            case JsonValueKind.Null:
                sb.Append("null");
                break;
            default:
                throw new NotSupportedException($"JSON value kind {e.ValueKind}");
        }
    }

    /// <summary>jsonb's key order: shorter UTF-8 first, then bytewise (for ASCII keys, the same as ordinal order of the strings).</summary>
    private static int CompareKeys(string a, string b)
    {
        if (Ascii.IsValid(a) && Ascii.IsValid(b))
        {
            return a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);
        }
        var x = Encoding.UTF8.GetBytes(a);
        var y = Encoding.UTF8.GetBytes(b);
        return x.Length != y.Length ? x.Length.CompareTo(y.Length) : x.AsSpan().SequenceCompareTo(y);
    }

    /// <summary>As PostgreSQL's escape_json (the hash chain's own escaping); jsonb cannot hold U+0000.</summary>
    private static void String(StringBuilder sb, string value)
    {
        if (value.Contains('\0')) throw new NotSupportedException("jsonb cannot hold U+0000");
        CanonicalForm.EscapeJson(sb, value);
    }
}
