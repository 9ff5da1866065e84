using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CaseSystem.Cases.Store.HashChain;

/// <summary>A case's chain head as an anchor records it: the newest link of its stream when the anchor was made.</summary>
public sealed record AnchorHead(Guid Case, string Municipality, long Version, byte[] Hash);

/// <summary>
/// One anchor: a line of the anchor log,
/// <c>{"anchor":{…},"signature":"…"}</c>, the signature (ECDSA P-256 over SHA-256, base64 of r‖s)
/// taken over the exact bytes of the <c>anchor</c> object as written, which is therefore its
/// canonical form (the verifier reads those bytes back, never re-serialises them). The body:
/// <c>format</c>, <c>number</c> (1, 2, …), <c>at</c>, <c>through</c> (the event sequence number up
/// to which every committed event is covered), <c>previous</c> (SHA-256 of the previous anchor's
/// whole line, hex; null for the first: the anchors form a chain of their own), <c>key</c> (the
/// signing key's id) and <c>heads</c>: the streams whose chain moved since the previous anchor,
/// each with its municipality, newest version and that link's hash.
/// </summary>
public sealed record AnchorRecord(long Number, DateTimeOffset At, long Through, string? Previous, string Key, IReadOnlyList<AnchorHead> Heads)
{
    public const string Format = "cs-anchor-v1";

    public byte[] Body()
    {
        using var buffer = new MemoryStream(128 + Heads.Count * 160);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteNumber("number", Number);
            json.WriteString("at", At.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
            json.WriteNumber("through", Through);
            if (Previous is null) json.WriteNull("previous");
            else json.WriteString("previous", Previous);
            json.WriteString("key", Key);
            json.WriteStartArray("heads");
            foreach (var head in Heads)
            {
                json.WriteStartObject();
                json.WriteString("case", head.Case);
                json.WriteString("municipality", head.Municipality);
                json.WriteNumber("version", head.Version);
                json.WriteString("hash", Convert.ToHexStringLower(head.Hash));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>The log line: the body as signed, and its signature.</summary>
    public static byte[] Line(byte[] body, byte[] signature) =>
        [.. "{\"anchor\":"u8, .. body, .. ",\"signature\":\""u8, .. Encoding.ASCII.GetBytes(Convert.ToBase64String(signature)), .. "\"}"u8];

    /// <summary>
    /// Splits a line into the body's bytes as written and the signature; null when the line is not
    /// an anchor line at all.
    /// </summary>
    public static (byte[] Body, byte[] Signature)? Split(ReadOnlySpan<byte> line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line.ToArray());
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("anchor", out var anchor) || anchor.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("signature", out var signature) || signature.ValueKind != JsonValueKind.String
                || !signature.TryGetBytesFromBase64(out var bytes))
            {
                return null;
            }
            // GetRawText is the element's text as it stands in the line: the bytes that were signed.
            return (Encoding.UTF8.GetBytes(anchor.GetRawText()), bytes);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The body read back; null when it is not this format.</summary>
    public static AnchorRecord? Parse(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.GetProperty("format").GetString() != Format) return null;
            var heads = new List<AnchorHead>();
            foreach (var h in root.GetProperty("heads").EnumerateArray())
            {
                heads.Add(new AnchorHead(h.GetProperty("case").GetGuid(), string.Intern(h.GetProperty("municipality").GetString()!),
                    h.GetProperty("version").GetInt64(), Convert.FromHexString(h.GetProperty("hash").GetString()!)));
            }
            var previous = root.GetProperty("previous");
            return new AnchorRecord(root.GetProperty("number").GetInt64(),
                DateTimeOffset.Parse(root.GetProperty("at").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                root.GetProperty("through").GetInt64(),
                previous.ValueKind == JsonValueKind.Null ? null : previous.GetString(),
                root.GetProperty("key").GetString()!, heads);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentNullException)
        {
            return null;
        }
    }
}
