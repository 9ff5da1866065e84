using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace CaseSystem.Cases.Auth.Oidc;

/// <summary>
/// Checks a JWT of a configured identity provider (<see cref="OidcSettings"/>) and turns it into
/// the same staff principal as our own tokens, so that every RequireStaff check holds unchanged.
/// The provider is chosen by the token's <c>iss</c>; its signature is checked with the keys of
/// that provider's metadata (Microsoft.IdentityModel's ConfigurationManager: fetched on first use,
/// refreshed every 12 hours and when a token names a key it does not hold, at most every 5
/// minutes), then its issuer, audience, algorithm and lifetime (at the server's TimeProvider, 30 s
/// of skew). A refusal is a failure naming no part of the token.
/// </summary>
public sealed class OidcStaffTokens : IDisposable
{
    /// <summary>Longer than any access token a provider issues for a staff member; longer ones are refused unread.</summary>
    private const int MaxTokenLength = 16 * 1024;

    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    /// <summary>A provider that does not answer within this holds up the counter's request no longer.</summary>
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, Provider> _providers;
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = MetadataTimeout };
    private readonly JsonWebTokenHandler _handler = new() { MaximumTokenSizeInBytes = MaxTokenLength };
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;

    public OidcStaffTokens(IReadOnlyList<OidcIssuer> issuers, TimeProvider clock, ILogger<OidcStaffTokens> logger)
    {
        _clock = clock;
        _logger = logger;
        _providers = issuers.ToDictionary(i => i.Issuer, i => new Provider(i, _http), StringComparer.Ordinal);
    }

    /// <summary>Whether any identity provider is configured; if not, only our own tokens are accepted.</summary>
    public bool Enabled => _providers.Count > 0;

    /// <summary>
    /// Success with the staff principal; a failure naming no part of the token; or a failure with
    /// <see cref="IdentityProviderUnavailableException"/> when the provider's keys cannot be had.
    /// </summary>
    public async Task<AuthenticateResult> AuthenticateAsync(string token, string scheme, CancellationToken ct)
    {
        if (FindProvider(token) is not { } provider)
        {
            _logger.LogInformation("OIDC token refused: not a JWT of a configured issuer");
            return Refused;
        }
        var issuer = provider.Settings;

        // While the provider was just found unreachable, answer at once instead of queueing every
        // counter's request behind another fetch that will time out too.
        if (provider.UnavailableUntil > _clock.GetUtcNow())
        {
            return AuthenticateResult.Fail(new IdentityProviderUnavailableException(issuer.Name));
        }
        try
        {
            // Throws only while no metadata has ever been fetched; afterwards the last good one is kept.
            await provider.Metadata.GetConfigurationAsync(ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            provider.UnavailableUntil = _clock.GetUtcNow().AddSeconds(OidcProblems.RetryAfterSeconds);
            _logger.LogWarning("OIDC issuer {Issuer}: metadata {MetadataAddress} cannot be fetched ({Error}); answering 503 for {Seconds} s",
                issuer.Name, issuer.MetadataAddress, e.GetBaseException().GetType().Name, OidcProblems.RetryAfterSeconds);
            return AuthenticateResult.Fail(new IdentityProviderUnavailableException(issuer.Name));
        }

        // The handler refreshes the metadata and tries once more when the token names an unknown
        // key (a rotation at the provider); the parameters are the request's own since it marks them.
        var result = await _handler.ValidateTokenAsync(token, provider.Parameters(_clock));
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            // The exception's type says why (expired, audience, signature, algorithm…); its message may quote the token.
            _logger.LogInformation("OIDC token of {Issuer} refused: {Reason}", issuer.Name, result.Exception?.GetType().Name ?? "invalid");
            return Refused;
        }
        if (Map(issuer, jwt) is not { } who)
        {
            return Refused;
        }
        return AuthenticateResult.Success(new AuthenticationTicket(StaffClaims.Principal(who), scheme));
    }

    private static AuthenticateResult Refused => AuthenticateResult.Fail("The staff token is invalid or expired.");

    /// <summary>The provider named by the token's (not yet verified) <c>iss</c>: only to choose whose keys check it.</summary>
    private Provider? FindProvider(string token)
    {
        if (token.Length > MaxTokenLength || !_handler.CanReadToken(token))
        {
            return null;
        }
        try
        {
            var jwt = new JsonWebToken(token);
            return jwt.Issuer is { Length: > 0 } iss && _providers.TryGetValue(iss, out var provider) ? provider : null;
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException)
        {
            return null;
        }
    }

    /// <summary>
    /// The staff identity of a verified token under the issuer's mapping, or null (logged as a
    /// warning: the provider and this server disagree about a staff member, which the operator fixes).
    /// </summary>
    private StaffIdentity? Map(OidcIssuer issuer, JsonWebToken jwt)
    {
        var names = issuer.Claims;
        var staffId = Single(jwt, names.StaffId);
        if (staffId is null)
        {
            return Refuse(issuer, "no single staff id claim", names.StaffId);
        }

        // A role claim may be a list (several groups); exactly one of its values must map to a role of ours.
        var roles = jwt.Claims.Where(c => c.Type == names.Role && c.ValueType == ClaimValueTypes.String)
            .Select(c => issuer.Roles.TryGetValue(c.Value, out var role) ? role : (StaffRole?)null)
            .OfType<StaffRole>().Distinct().ToList();
        if (roles.Count != 1)
        {
            return Refuse(issuer, roles.Count == 0 ? "no value maps to a role" : "values map to more than one role", names.Role, staffId);
        }

        // A provider of one municipality need not say which; one of several must.
        var municipality = Single(jwt, names.Municipality) ?? (issuer.Municipalities.Count == 1 && !jwt.Claims.Any(c => c.Type == names.Municipality)
            ? issuer.Municipalities.Single()
            : null);
        if (municipality is null)
        {
            return Refuse(issuer, "no single value", names.Municipality, staffId);
        }
        if (!issuer.Municipalities.Contains(municipality))
        {
            return Refuse(issuer, "a municipality this issuer may not speak for", names.Municipality, staffId);
        }

        var office = Single(jwt, names.Office);
        if (office is null)
        {
            return Refuse(issuer, "no single value", names.Office, staffId);
        }
        return new StaffIdentity(staffId, roles[0], municipality, office, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero));
    }

    private StaffIdentity? Refuse(OidcIssuer issuer, string why, string claim, string? staffId = null)
    {
        _logger.LogWarning("OIDC token of {Issuer} for staff {StaffId} refused: {Reason} (claim {Claim})", issuer.Name, staffId ?? "(none)", why, claim);
        return null;
    }

    /// <summary>The claim's value if the token has it exactly once, as a string that is not blank.</summary>
    private static string? Single(JsonWebToken jwt, string type)
    {
        var values = jwt.Claims.Where(c => c.Type == type).Take(2).ToList();
        return values is [{ ValueType: ClaimValueTypes.String } only] && !string.IsNullOrWhiteSpace(only.Value) ? only.Value : null;
    }

    public void Dispose() => _http.Dispose();

    private sealed class Provider(OidcIssuer settings, HttpClient http)
    {
        public OidcIssuer Settings { get; } = settings;

        public ConfigurationManager<OpenIdConnectConfiguration> Metadata { get; } = new(
            settings.MetadataAddress.AbsoluteUri,
            new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever(http) { RequireHttps = settings.RequireHttpsMetadata });

        private long _unavailableUntil = DateTimeOffset.MinValue.UtcTicks;

        /// <summary>Until when the metadata is not tried again after a failed fetch (read and written by concurrent requests).</summary>
        public DateTimeOffset UnavailableUntil
        {
            get => new(Volatile.Read(ref _unavailableUntil), TimeSpan.Zero);
            set => Volatile.Write(ref _unavailableUntil, value.UtcTicks);
        }

        public TokenValidationParameters Parameters(TimeProvider clock) => new()
        {
            ConfigurationManager = Metadata,
            ValidIssuer = Settings.Issuer,
            ValidAudience = Settings.Audience,
            ValidAlgorithms = Settings.Algorithms,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = ClockSkew,
            // The lifetime at the server's clock (the one our own tokens are checked at), not the machine's.
            LifetimeValidator = (notBefore, expires, _, _) =>
            {
                var now = clock.GetUtcNow().UtcDateTime;
                return expires is { } exp && now < exp + ClockSkew && (notBefore is not { } nbf || nbf <= now + ClockSkew);
            },
        };
    }
}
