using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace CaseSystem.Cases.Auth.Oidc;

/// <summary>Which claims of an identity provider's token name the staff member, role, municipality and office.</summary>
public sealed record OidcClaimNames(string StaffId = "sub", string Role = "role", string Municipality = "municipality", string Office = "office");

/// <summary>
/// One identity provider whose JWTs the server accepts as staff tokens. Its tokens may only name
/// <see cref="Municipalities"/>: a municipality's provider cannot speak for another.
/// </summary>
public sealed record OidcIssuer(
    string Name,
    string Issuer,
    Uri MetadataAddress,
    string Audience,
    IReadOnlySet<string> Municipalities,
    OidcClaimNames Claims,
    IReadOnlyDictionary<string, StaffRole> Roles,
    IReadOnlyList<string> Algorithms,
    bool RequireHttpsMetadata);

/// <summary>
/// Reads the section <c>Cases:Oidc</c>: one subsection per identity provider under
/// <c>Cases:Oidc:Issuers:&lt;name&gt;</c> (environment: <c>Cases__Oidc__Issuers__saku__Issuer=…</c>).
/// No issuers: OIDC is off and only our own tokens are accepted. A setting that is wrong stops
/// the start with its key named, rather than refusing every token of that provider later.
/// </summary>
public static class OidcSettings
{
    public const string Section = "Cases:Oidc:Issuers";

    /// <summary>What an identity provider may sign with: asymmetric only, so no HS* token can be made with a published key, and never "none".</summary>
    public static readonly IReadOnlySet<string> AllowedAlgorithms = new HashSet<string>(StringComparer.Ordinal)
    {
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    };

    private static readonly string[] DefaultAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256];

    /// <summary>The settings of one issuer's section; any other key stops the start (and the install's example lists these).</summary>
    public static readonly IReadOnlySet<string> IssuerKeys = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Issuer", "MetadataAddress", "Audience", "Municipalities", "Roles", "Algorithms", "RequireHttpsMetadata",
        "StaffIdClaim", "RoleClaim", "MunicipalityClaim", "OfficeClaim",
    };

    /// <summary>The configured issuers (none when OIDC is not configured); <paramref name="municipalities"/> are those the server serves.</summary>
    public static IReadOnlyList<OidcIssuer> Read(IConfiguration configuration, IReadOnlyCollection<string> municipalities)
    {
        var issuers = configuration.GetSection(Section).GetChildren().Select(s => ReadIssuer(s, municipalities)).ToList();
        var twice = issuers.GroupBy(i => i.Issuer, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
        {
            throw Invalid($"{Section}: {string.Join(" and ", twice.Select(i => i.Name))} name the same Issuer; a token's iss must choose one.");
        }
        return issuers;
    }

    private static OidcIssuer ReadIssuer(IConfigurationSection section, IReadOnlyCollection<string> served)
    {
        var at = section.Path;
        var unknown = section.GetChildren().Select(c => c.Key).Where(k => !IssuerKeys.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw Invalid($"{at}: unknown setting {string.Join(", ", unknown)}; the settings are {string.Join(", ", IssuerKeys)}.");
        }

        var requireHttps = section["RequireHttpsMetadata"] is { Length: > 0 } flag
            ? bool.TryParse(flag, out var parsed) ? parsed : throw Invalid($"{at}:RequireHttpsMetadata must be true or false.")
            : true;
        var issuer = Required(section, "Issuer");
        var metadata = section["MetadataAddress"] is { Length: > 0 } address
            ? address
            : issuer.TrimEnd('/') + "/.well-known/openid-configuration";
        if (!Uri.TryCreate(metadata, UriKind.Absolute, out var metadataUri) || (metadataUri.Scheme != Uri.UriSchemeHttps && metadataUri.Scheme != Uri.UriSchemeHttp))
        {
            throw Invalid($"{at}: the metadata address {metadata} is not an absolute http(s) URL (set Issuer, or MetadataAddress).");
        }
        if (requireHttps && metadataUri.Scheme != Uri.UriSchemeHttps)
        {
            // Keys fetched over plain HTTP could be anyone's: only for a provider on this machine or in tests.
            throw Invalid($"{at}: the metadata address must be https (RequireHttpsMetadata=false allows http, for a provider on loopback).");
        }

        var municipalities = List(section, "Municipalities");
        if (municipalities.Count == 0)
        {
            throw Invalid($"{at}:Municipalities is required: the municipalities whose staff this provider may name (e.g. \"saku\").");
        }
        var unserved = municipalities.Where(m => !served.Contains(m)).ToList();
        if (unserved.Count > 0)
        {
            throw Invalid($"{at}:Municipalities: {string.Join(", ", unserved)} is not a municipality this server serves ({string.Join(", ", served)}).");
        }

        var algorithms = List(section, "Algorithms");
        if (algorithms.Count == 0) algorithms = [.. DefaultAlgorithms];
        var refused = algorithms.Where(a => !AllowedAlgorithms.Contains(a)).ToList();
        if (refused.Count > 0)
        {
            throw Invalid($"{at}:Algorithms: {string.Join(", ", refused)} is not allowed; use asymmetric ones ({string.Join(", ", AllowedAlgorithms)}).");
        }

        var defaults = new OidcClaimNames();
        var claims = new OidcClaimNames(
            ClaimName(section, "StaffIdClaim", defaults.StaffId),
            ClaimName(section, "RoleClaim", defaults.Role),
            ClaimName(section, "MunicipalityClaim", defaults.Municipality),
            ClaimName(section, "OfficeClaim", defaults.Office));

        return new OidcIssuer(section.Key, issuer, metadataUri, Required(section, "Audience"),
            new HashSet<string>(municipalities, StringComparer.Ordinal), claims, Roles(section), algorithms, requireHttps);
    }

    /// <summary>
    /// The provider's role values and our roles: <c>Roles</c> as a map (<c>"Roles": { "casesystem-clerk": "clerk" }</c>)
    /// or a string (<c>casesystem-clerk=clerk,casesystem-supervisor=supervisor</c>, for an environment
    /// variable or a value with a colon, which a configuration key cannot hold). Without it our
    /// own role names are taken as they are; with it only the values it names.
    /// </summary>
    private static IReadOnlyDictionary<string, StaffRole> Roles(IConfigurationSection issuer)
    {
        var section = issuer.GetSection("Roles");
        var pairs = section.GetChildren().Any()
            ? section.GetChildren().Select(c => (From: c.Key, To: c.Value ?? ""))
            : (section.Value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(pair =>
            {
                // The last '=' divides: a provider's value may contain one, our role names do not.
                var equals = pair.LastIndexOf('=');
                return equals <= 0
                    ? throw Invalid($"{section.Path}: \"{pair}\" is not provider-value=role.")
                    : (From: pair[..equals].Trim(), To: pair[(equals + 1)..].Trim());
            });
        var map = new Dictionary<string, StaffRole>(StringComparer.Ordinal);
        foreach (var (from, to) in pairs)
        {
            var role = StaffRoles.Parse(to) ?? throw Invalid(
                $"{section.Path}: \"{to}\" (for \"{from}\") is not a role; the roles are {string.Join(", ", Enum.GetValues<StaffRole>().Select(r => r.Name()))}.");
            if (!map.TryAdd(from, role)) throw Invalid($"{section.Path}: \"{from}\" is mapped twice.");
        }
        if (map.Count == 0)
        {
            foreach (var role in Enum.GetValues<StaffRole>()) map[role.Name()] = role;
        }
        return map;
    }

    private static List<string> List(IConfigurationSection issuer, string key)
    {
        var section = issuer.GetSection(key);
        var values = section.GetChildren().Any()
            ? section.GetChildren().Select(c => c.Value ?? "")
            : (section.Value ?? "").Split(',');
        return [.. values.Select(v => v.Trim()).Where(v => v.Length > 0).Distinct(StringComparer.Ordinal)];
    }

    private static string Required(IConfigurationSection section, string key) =>
        section[key] is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : throw Invalid($"{section.Path}:{key} is required.");

    private static string ClaimName(IConfigurationSection section, string key, string fallback) =>
        section[key] is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : fallback;

    private static InvalidOperationException Invalid(string message) => new("OIDC configuration: " + message);
}

public static class OidcRegistration
{
    /// <summary>
    /// <see cref="OidcStaffTokens"/> for the issuers of <c>Cases:Oidc</c> (none: disabled), read
    /// and checked now so that a wrong setting stops the start.
    /// </summary>
    public static IServiceCollection AddOidcStaffTokens(this IServiceCollection services, IConfiguration configuration)
    {
        var issuers = OidcSettings.Read(configuration, [.. Policies.MunicipalPolicies.All.Keys]);
        services.AddSingleton(sp => new OidcStaffTokens(issuers, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<OidcStaffTokens>>()));
        return services;
    }
}
