using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CaseSystem.Cases.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CaseSystem.Cases.Tests.Auth.Oidc;

/// <summary>
/// A small OpenID provider of the test's own on 127.0.0.1: its metadata
/// (<c>/.well-known/openid-configuration</c>) and a JWKS with the keys it made, and it mints
/// JWTs as a municipality's provider would. <see cref="Available"/> false makes both documents
/// answer 503, as a provider that is down.
/// </summary>
public sealed class TestIssuer : IAsyncDisposable
{
    public const string Audience = "casesystem";

    private readonly WebApplication _app;
    private readonly object _gate = new();
    private List<SigningCredentials> _published = [];
    private int _metadataRequests;

    private TestIssuer(WebApplication app) => _app = app;

    /// <summary>The issuer's URL, its <c>iss</c>; the metadata is under it.</summary>
    public string Issuer { get; private set; } = "";

    /// <summary>What new tokens are signed with: an RSA key of kid "rsa-1" at first, published.</summary>
    public SigningCredentials Signing { get; private set; } = null!;

    public bool Available { get; set; } = true;

    /// <summary>How often the metadata document was fetched.</summary>
    public int MetadataRequests => Volatile.Read(ref _metadataRequests);

    public static async Task<TestIssuer> StartAsync()
    {
        var app = LoopbackApp.Create();
        var issuer = new TestIssuer(app);
        app.MapGet("/.well-known/openid-configuration", () =>
        {
            Interlocked.Increment(ref issuer._metadataRequests);
            return issuer.Available
                ? Results.Json(new Dictionary<string, object>
                {
                    ["issuer"] = issuer.Issuer,
                    ["jwks_uri"] = issuer.Issuer + "/jwks",
                    ["authorization_endpoint"] = issuer.Issuer + "/authorize",
                    ["response_types_supported"] = new[] { "code" },
                    ["subject_types_supported"] = new[] { "public" },
                    ["id_token_signing_alg_values_supported"] = new[] { "RS256", "ES256" },
                })
                : Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        });
        app.MapGet("/jwks", () => issuer.Available
            ? Results.Text(issuer.Jwks(), "application/json")
            : Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
        await app.StartAsync();
        issuer.Issuer = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/');
        issuer.Signing = issuer.Publish(NewRsa("rsa-1"));
        return issuer;
    }

    public static SigningCredentials NewRsa(string kid, string algorithm = SecurityAlgorithms.RsaSha256) =>
        new(new RsaSecurityKey(RSA.Create(2048)) { KeyId = kid }, algorithm);

    public static SigningCredentials NewEc(string kid) =>
        new(new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = kid }, SecurityAlgorithms.EcdsaSha256);

    /// <summary>Adds the key to the JWKS (the ones there stay).</summary>
    public SigningCredentials Publish(SigningCredentials credentials)
    {
        lock (_gate) _published = [.. _published, credentials];
        return credentials;
    }

    /// <summary>A key rotation: a new RSA key is published and signs from now on.</summary>
    public SigningCredentials Rotate(string kid) => Signing = Publish(NewRsa(kid));

    /// <summary>
    /// A JWT as the provider issues it for a staff member, valid from <paramref name="now"/> for an
    /// hour unless told; <paramref name="claims"/> are added to (or with a null value, removed
    /// from) sub, role, municipality and office.
    /// </summary>
    public string Mint(DateTimeOffset now, IDictionary<string, object?>? claims = null, SigningCredentials? signing = null,
        string? issuer = null, string audience = Audience, TimeSpan? lifetime = null)
    {
        var expires = now + (lifetime ?? TimeSpan.FromHours(1));
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience,
            IssuedAt = (expires < now ? expires : now).AddMinutes(-1).UtcDateTime,
            NotBefore = (expires < now ? expires : now).AddMinutes(-1).UtcDateTime,
            Expires = expires.UtcDateTime,
            Claims = Payload(claims),
            SigningCredentials = signing ?? Signing,
        });
    }

    /// <summary>An unsigned JWT (<c>"alg": "none"</c>) with the same payload as <see cref="Mint"/>'s.</summary>
    public string MintUnsigned(DateTimeOffset now)
    {
        var payload = new Dictionary<string, object>(Payload(null))
        {
            ["iss"] = Issuer, ["aud"] = Audience, ["nbf"] = now.AddMinutes(-1).ToUnixTimeSeconds(), ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
        };
        return Base64Url.EncodeToString("""{"alg":"none","typ":"JWT"}"""u8) + "."
            + Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(payload)) + ".";
    }

    /// <summary>An HS256 JWT whose HMAC key is the published RSA key's modulus, naming that key's kid: the "public key as secret" attack.</summary>
    public string MintWithPublicKeyAsSecret(DateTimeOffset now)
    {
        var rsa = (RsaSecurityKey)Signing.Key;
        var modulus = rsa.Rsa.ExportParameters(false).Modulus!;
        return Mint(now, signing: new SigningCredentials(new SymmetricSecurityKey(modulus) { KeyId = rsa.KeyId }, SecurityAlgorithms.HmacSha256));
    }

    private static Dictionary<string, object> Payload(IDictionary<string, object?>? changes)
    {
        var payload = new Dictionary<string, object?>
        {
            ["sub"] = "clerk-7",
            ["role"] = "casesystem-clerk",
            ["municipality"] = "saku",
            ["office"] = "shimin-ka",
        };
        foreach (var (name, value) in changes ?? new Dictionary<string, object?>()) payload[name] = value;
        return payload.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value!);
    }

    private string Jwks()
    {
        List<SigningCredentials> keys;
        lock (_gate) keys = _published;
        var json = new StringBuilder("{\"keys\":[");
        json.AppendJoin(',', keys.Select(credentials => JsonSerializer.Serialize(credentials.Key switch
        {
            RsaSecurityKey rsa when rsa.Rsa.ExportParameters(false) is var p => new Dictionary<string, string>
            {
                ["kty"] = "RSA", ["use"] = "sig", ["kid"] = rsa.KeyId, ["alg"] = credentials.Algorithm,
                ["n"] = Base64Url.EncodeToString(p.Modulus), ["e"] = Base64Url.EncodeToString(p.Exponent),
            },
            ECDsaSecurityKey ec when ec.ECDsa.ExportParameters(false) is var p => new Dictionary<string, string>
            {
                ["kty"] = "EC", ["use"] = "sig", ["kid"] = ec.KeyId, ["alg"] = credentials.Algorithm, ["crv"] = "P-256",
                ["x"] = Base64Url.EncodeToString(p.Q.X), ["y"] = Base64Url.EncodeToString(p.Q.Y),
            },
            var key => throw new NotSupportedException(key.GetType().Name),
        })));
        return json.Append("]}").ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
