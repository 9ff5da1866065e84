using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CaseSystem.Cases.Auth;

/// <summary>The roles; <see cref="Display"/> (issue 13) is a wall display's own token: it reads its office's queue board and nothing else.</summary>
public enum StaffRole { Clerk, Supervisor, Analyst, Station, Admin, Display }

/// <summary>
/// Who is acting: the staff member (or counter station), their role, municipality and office, and
/// when the token naming them expires. This is everything a token carries: no names, no PINs, no
/// personal data of residents.
/// </summary>
public sealed record StaffIdentity(string StaffId, StaffRole Role, string Municipality, string Office, DateTimeOffset ExpiresAt)
{
    /// <summary>The id of the token that names this identity (ops/token's jti), by which it can be revoked; null for a browser session.</summary>
    public string? TokenId { get; init; }
}

public static class StaffRoles
{
    /// <summary>The role's name in tokens, claims and on the command line: clerk, supervisor, analyst, station, admin, display.</summary>
    public static string Name(this StaffRole role) => role switch
    {
        StaffRole.Clerk => "clerk",
        StaffRole.Supervisor => "supervisor",
        StaffRole.Analyst => "analyst",
        StaffRole.Station => "station",
        StaffRole.Admin => "admin",
        StaffRole.Display => "display",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "not a staff role"),
    };

    /// <summary>The role of that exact lowercase name, or null (numbers and other spellings are not roles).</summary>
    public static StaffRole? Parse(string? name) => name switch
    {
        "clerk" => StaffRole.Clerk,
        "supervisor" => StaffRole.Supervisor,
        "analyst" => StaffRole.Analyst,
        "station" => StaffRole.Station,
        "admin" => StaffRole.Admin,
        "display" => StaffRole.Display,
        _ => null,
    };
}

/// <summary>
/// Issues and checks staff bearer tokens:
/// <c>cs1.&lt;base64url(JSON of the identity)&gt;.&lt;base64url(HMAC-SHA256(key, "cs1." + payload))&gt;</c>.
/// The MAC covers the payload as text, and the signature is compared as text against the one this
/// key makes, so a token has exactly one valid spelling (no padding or spare-bit variants).
/// Expiry is kept to the second (JSON field <c>exp</c>, Unix seconds).
/// </summary>
public sealed class StaffTokenSigner
{
    public const string Prefix = "cs1.";
    public const int MinimumKeyLength = 32;

    /// <summary>Longer than any token this signer issues for sensible field lengths; longer ones are refused unread.</summary>
    private const int MaxTokenLength = 4096;

    private readonly byte[] _key;

    public StaffTokenSigner(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < MinimumKeyLength)
        {
            throw new ArgumentException($"A staff token key must have at least {MinimumKeyLength} bytes; this one has {key.Length}.", nameof(key));
        }
        _key = (byte[])key.Clone();
    }

    public string Issue(StaffIdentity who)
    {
        ArgumentNullException.ThrowIfNull(who);
        RequireField(who.StaffId, nameof(who.StaffId));
        RequireField(who.Municipality, nameof(who.Municipality));
        RequireField(who.Office, nameof(who.Office));

        var json = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteString("staff", who.StaffId);
            writer.WriteString("role", who.Role.Name());
            writer.WriteString("municipality", who.Municipality);
            writer.WriteString("office", who.Office);
            writer.WriteNumber("exp", who.ExpiresAt.ToUnixTimeSeconds());
            // Its id, so that it can be revoked before it expires (ops/token revoke; issue 14).
            writer.WriteString("jti", who.TokenId ?? Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)));
            writer.WriteEndObject();
        }
        var payload = Base64Url.EncodeToString(json.WrittenSpan);
        return Prefix + payload + "." + Sign(payload);
    }

    /// <summary>The identity the token names, or null if it is malformed, not signed with this key, expired at <paramref name="now"/>, or incomplete.</summary>
    public StaffIdentity? Validate(string? token, DateTimeOffset now)
    {
        if (token is null || token.Length > MaxTokenLength || !token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }
        var rest = token.AsSpan(Prefix.Length);
        var dot = rest.IndexOf('.');
        if (dot <= 0 || rest[(dot + 1)..].Contains('.'))
        {
            return null;
        }
        var payload = rest[..dot].ToString();
        var signature = rest[(dot + 1)..];

        // Check the signature before reading anything the token claims.
        var expected = Sign(payload);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(signature.ToString())))
        {
            return null;
        }

        var who = ReadPayload(payload);
        return who is not null && now < who.ExpiresAt ? who : null;
    }

    /// <summary>
    /// The anti-forgery token of a browser session whose cookie holds <paramref name="sessionToken"/>:
    /// HMAC of the session token under this key, so the server keeps no state and a page of
    /// another site, which can neither read the cookie nor this value, cannot forge it.
    /// </summary>
    public string CsrfToken(string sessionToken)
    {
        ArgumentNullException.ThrowIfNull(sessionToken);
        return Base64Url.EncodeToString(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes("csrf." + sessionToken)));
    }

    /// <summary>Whether <paramref name="sent"/> is the anti-forgery token of the session, compared in fixed time.</summary>
    public bool CsrfMatches(string sessionToken, string? sent) =>
        !string.IsNullOrEmpty(sent) && sent.Length <= 128
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(CsrfToken(sessionToken)), Encoding.UTF8.GetBytes(sent));

    private string Sign(string payload) =>
        Base64Url.EncodeToString(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(Prefix + payload)));

    private static StaffIdentity? ReadPayload(string payload)
    {
        if (!Base64Url.IsValid(payload))
        {
            return null;
        }
        try
        {
            using var doc = JsonDocument.Parse(Base64Url.DecodeFromChars(payload));
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }
            var staff = Text(root, "staff");
            var role = StaffRoles.Parse(Text(root, "role"));
            var municipality = Text(root, "municipality");
            var office = Text(root, "office");
            var jti = Text(root, "jti");
            if (staff is null || role is null || municipality is null || office is null || jti is null
                || !root.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number || !exp.TryGetInt64(out var seconds)
                || seconds < DateTimeOffset.MinValue.ToUnixTimeSeconds() || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            {
                return null;
            }
            return new StaffIdentity(staff, role.Value, municipality, office, DateTimeOffset.FromUnixTimeSeconds(seconds)) { TokenId = jti };
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { } s
        && !string.IsNullOrWhiteSpace(s)
            ? s
            : null;

    private static void RequireField(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"A staff token needs {name}.", name);
        }
    }
}

/// <summary>
/// The secret that signs staff tokens. It lives outside the repository, in the user's
/// configuration folder (or where CASES_TOKEN_KEY_FILE says), readable by its owner only.
/// </summary>
public static class StaffTokenKey
{
    public const int Length = 32;
    public const string EnvironmentVariable = "CASES_TOKEN_KEY_FILE";

    /// <summary>$CASES_TOKEN_KEY_FILE if set, else $XDG_CONFIG_HOME/casesystem/token.key, else ~/.config/casesystem/token.key.</summary>
    public static string DefaultPath
    {
        get
        {
            if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } explicitPath)
            {
                return Path.GetFullPath(explicitPath);
            }
            // The XDG spec says a relative XDG_CONFIG_HOME is invalid and is to be ignored.
            var config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
            if (string.IsNullOrEmpty(config) || !Path.IsPathRooted(config))
            {
                var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
                if (string.IsNullOrEmpty(home))
                {
                    throw new InvalidOperationException(
                        $"Cannot place the staff token key: no home folder and no XDG_CONFIG_HOME. Set {EnvironmentVariable} to the key file's path.");
                }
                config = Path.Combine(home, ".config");
            }
            return Path.Combine(config, "casesystem", "token.key");
        }
    }

    /// <summary>The key in <paramref name="path"/>; if there is no such file, 32 new random bytes written there (mode 600, its folder created).</summary>
    public static byte[] LoadOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        path = Path.GetFullPath(path);
        if (File.Exists(path))
        {
            return Load(path);
        }

        // Two processes starting at once agree on one key, and no one ever reads half a key.
        var key = RandomNumberGenerator.GetBytes(Length);
        return SecretFile.CreateOnce(path, key) ? key : Load(path);
    }

    private static byte[] Load(string path)
    {
        var key = File.ReadAllBytes(path);
        if (key.Length != Length)
        {
            throw new InvalidOperationException(
                $"The staff token key file {path} has {key.Length} bytes; a key is exactly {Length} bytes. " +
                "It is not a key this system wrote: delete it to have a new one made (tokens issued with the old key stop working), " +
                $"or set {EnvironmentVariable} to the right file.");
        }
        return key;
    }
}
