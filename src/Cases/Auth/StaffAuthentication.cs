using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using CaseSystem.Cases.Auth.Oidc;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using CaseSystem.Cases.Auth.Members;

namespace CaseSystem.Cases.Auth;

/// <summary>The claims a staff token becomes. The name claim is the staff id; the role claim is the role's lowercase name.</summary>
public static class StaffClaims
{
    public const string StaffId = "staff_id";
    public const string Role = "role";
    public const string Municipality = "municipality";
    public const string Office = "office";
    public const string ExpiresAt = "exp";

    public static ClaimsPrincipal Principal(StaffIdentity who) => new(new ClaimsIdentity(
        [
            new Claim(StaffId, who.StaffId),
            new Claim(Role, who.Role.Name()),
            new Claim(Municipality, who.Municipality),
            new Claim(Office, who.Office),
            new Claim(ExpiresAt, who.ExpiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64),
        ],
        StaffAuthentication.Scheme, StaffId, Role));
}

/// <summary>Problem types of staff authentication; stable like those in <see cref="Problems"/>.</summary>
public static class StaffProblems
{
    public static readonly Problems.Kind Unauthenticated = new("urn:casesystem:problem:unauthenticated", StatusCodes.Status401Unauthorized,
        "職員の認証が必要です。/ Staff authentication is required.");
    public static readonly Problems.Kind OtherMunicipality = new("urn:casesystem:problem:other-municipality", StatusCodes.Status403Forbidden,
        "他の自治体の業務は行えません。/ Staff may act only for their own municipality.");
    public static readonly Problems.Kind CsrfRejected = new("urn:casesystem:problem:csrf-token", StatusCodes.Status403Forbidden,
        "画面からの操作として確認できません。画面を読み込み直してください。/ The request lacks the page's anti-forgery token; reload the page.");
    public static readonly Problems.Kind RoleNotAllowed = new("urn:casesystem:problem:role-not-allowed", StatusCodes.Status403Forbidden,
        "この操作はあなたの役割では行えません。/ Your role may not do this.");

    internal const string MissingTokenDetail =
        "Authorization: Bearer <職員トークン> を付けてください。/ Send the header Authorization: Bearer <staff token>.";
    internal const string InvalidTokenDetail =
        "職員トークンが無効か期限切れです。発行し直してください。/ The staff token is invalid or expired; get a new one.";

    /// <summary>401 with <c>WWW-Authenticate: Bearer</c> (RFC 6750: with <c>error="invalid_token"</c> when a token was sent but refused).</summary>
    internal static IResult Unauthenticate(HttpContext http, bool tokenSent)
    {
        http.Response.Headers.WWWAuthenticate = tokenSent ? "Bearer error=\"invalid_token\"" : "Bearer";
        return Problems.Result(Unauthenticated, tokenSent ? InvalidTokenDetail : MissingTokenDetail);
    }

    internal static IResult RoleNotAllowedFor(IReadOnlyCollection<StaffRole> allowed) =>
        Problems.Result(RoleNotAllowed, allowed.Count == 0
            ? null
            : $"許可されている役割: {string.Join(", ", allowed.Select(r => r.Name()))} / Allowed roles: {string.Join(", ", allowed.Select(r => r.Name()))}");
}

public static class StaffAuthentication
{
    public const string Scheme = "StaffToken";

    /// <summary>
    /// The token signer, with the key from CASES_TOKEN_KEY_FILE (configuration or environment) or
    /// <see cref="StaffTokenKey.DefaultPath"/>, created there on first use; the "StaffToken"
    /// authentication scheme (the default scheme); authorization; and TimeProvider.System unless a
    /// TimeProvider is registered already.
    /// </summary>
    public static IServiceCollection AddStaffAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        var configured = configuration[StaffTokenKey.EnvironmentVariable];
        var path = string.IsNullOrWhiteSpace(configured) ? StaffTokenKey.DefaultPath : configured;
        // Read (or made) now, so a broken key file stops the start instead of the first request.
        var signer = new StaffTokenSigner(StaffTokenKey.LoadOrCreate(path));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(signer);
        // JWTs of the municipalities' identity providers (Cases:Oidc), if any are configured.
        services.AddOidcStaffTokens(configuration);
        services.AddAuthentication(Scheme).AddScheme<AuthenticationSchemeOptions, StaffTokenAuthenticationHandler>(Scheme, _ => { });
        services.AddAuthorization();
        return services;
    }

    /// <summary>
    /// Every endpoint of the group needs a valid staff token of the route's <c>{municipality}</c>,
    /// held by one of <paramref name="roles"/> (any role when none are named). Otherwise: 401
    /// unauthenticated, 403 other-municipality, 403 role-not-allowed, in that order of checks.
    /// </summary>
    public static RouteGroupBuilder RequireStaff(this RouteGroupBuilder group, params StaffRole[] roles) =>
        group.AddEndpointFilter(Filter(roles));

    /// <inheritdoc cref="RequireStaff(RouteGroupBuilder, StaffRole[])"/>
    public static RouteHandlerBuilder RequireStaff(this RouteHandlerBuilder endpoint, params StaffRole[] roles) =>
        endpoint.AddEndpointFilter(Filter(roles));

    /// <summary>The staff member acting in this request. Throws if the request was not authenticated with a staff token.</summary>
    public static StaffIdentity Staff(this HttpContext http) => http.User.Staff();

    /// <inheritdoc cref="Staff(HttpContext)"/>
    public static StaffIdentity Staff(this ClaimsPrincipal user) =>
        user.FindStaff() ?? throw new InvalidOperationException(
            "This request has no staff identity. Put the endpoint under RequireStaff(...) (or RequireAuthorization with the StaffToken scheme).");

    /// <summary>The staff member the principal was authenticated as with a staff token, or null.</summary>
    public static StaffIdentity? FindStaff(this ClaimsPrincipal? user)
    {
        var identity = user?.Identities.FirstOrDefault(i => i.IsAuthenticated && i.AuthenticationType == Scheme);
        if (identity is null)
        {
            return null;
        }
        var staffId = identity.FindFirst(StaffClaims.StaffId)?.Value;
        var role = StaffRoles.Parse(identity.FindFirst(StaffClaims.Role)?.Value);
        var municipality = identity.FindFirst(StaffClaims.Municipality)?.Value;
        var office = identity.FindFirst(StaffClaims.Office)?.Value;
        var expires = identity.FindFirst(StaffClaims.ExpiresAt)?.Value;
        return staffId is null || role is null || municipality is null || office is null
               || !long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? null
            : new StaffIdentity(staffId, role.Value, municipality, office, DateTimeOffset.FromUnixTimeSeconds(seconds));
    }

    private static Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> Filter(StaffRole[] roles)
    {
        var allowed = roles.Distinct().ToArray();
        return async (context, next) => await CheckAsync(context.HttpContext, allowed) ?? await next(context);
    }

    /// <summary>
    /// The staff check of a request to a route with a <c>{municipality}</c>: null when the request
    /// carries a valid staff token of that municipality held by one of <paramref name="allowed"/>
    /// (any role when none), else the problem to answer (401 unauthenticated, 403 csrf-token,
    /// 403 other-municipality, 403 role-not-allowed, in that order of checks).
    /// </summary>
    public static async Task<IResult?> CheckAsync(HttpContext http, IReadOnlyCollection<StaffRole> allowed)
    {
        // Authenticated here with the scheme named, so this holds whatever the default scheme
        // is and whether or not the authentication middleware ran (the handler caches its result).
        var result = await http.AuthenticateAsync(Scheme);
        if (result.Failure is StaffStoreException store) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(store.InnerException!);
        if (OidcProblems.For(http, result.Failure) is { } unavailable) return unavailable;
        if (result.Failure is StaffSession.CsrfRejectedException)
        {
            return Problems.Result(StaffProblems.CsrfRejected,
                $"Cookie でのログイン中の {http.Request.Method} には {StaffSession.CsrfHeader} ヘッダーが必要です。/ A {http.Request.Method} in a cookie session needs the {StaffSession.CsrfHeader} header.");
        }
        if (!result.Succeeded || result.Principal.FindStaff() is not { } who)
        {
            return StaffProblems.Unauthenticate(http, tokenSent: !result.None);
        }
        http.User = result.Principal;

        var municipality = http.GetRouteValue("municipality") as string
            ?? throw new InvalidOperationException(
                $"RequireStaff is for routes with a {{municipality}} parameter; {http.GetEndpoint()?.DisplayName} has none.");
        if (!string.Equals(who.Municipality, municipality, StringComparison.Ordinal))
        {
            // Says nothing of the route's municipality beyond what the caller sent.
            return Problems.Result(StaffProblems.OtherMunicipality);
        }
        if (allowed.Count > 0 && !allowed.Contains(who.Role))
        {
            return StaffProblems.RoleNotAllowedFor(allowed);
        }
        return null;
    }
}

/// <summary>
/// The browser session of the pages: after sign-in an HttpOnly, SameSite=Strict cookie holds the
/// id of a server-side session (<see cref="Members.StaffSessions"/>: one shift at most, ended at
/// once by sign-out or by an admin). A request authenticated by that cookie whose method is not
/// safe must also carry <see cref="CsrfHeader"/> with <see cref="StaffTokenSigner.CsrfToken"/> of the session.
/// </summary>
public static class StaffSession
{
    public const string Cookie = "cs_session";
    public const string CsrfHeader = "X-CSRF-Token";

    public static bool IsSafe(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    /// <summary>The failure of a cookie-authenticated unsafe request without its anti-forgery token.</summary>
    public sealed class CsrfRejectedException() : Exception("A cookie-authenticated request that changes state lacks the anti-forgery token.");
}

/// <summary>
/// Reads <c>Authorization: Bearer &lt;token&gt;</c>, or without that header the session cookie
/// (<see cref="StaffSession"/>), and checks the token with the signer at the injected
/// TimeProvider's now; a bearer token not of ours is a provider's JWT when OIDC is configured (<see cref="OidcStaffTokens"/>). Neither: no result. Another scheme than Bearer: no result. A token
/// refused: a failure that names no part of the token.
/// </summary>
internal sealed class StaffTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    StaffTokenSigner signer,
    OidcStaffTokens oidc,
    TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string Bearer = "Bearer ";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        try
        {
            return await AuthenticateRequestAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The sessions and revocations are in PostgreSQL. The authentication middleware runs
            // before the exception handler, so an error reading them is carried to RequireStaff,
            // which throws it again inside the endpoint: the exception handler answers it as every
            // endpoint's (503 while the database is away, issue 14; else a logged 500 problem).
            return AuthenticateResult.Fail(new StaffStoreException(e));
        }
    }

    private async Task<AuthenticateResult> AuthenticateRequestAsync()
    {
        var headers = Request.Headers.Authorization;
        if (headers.Count == 0)
        {
            return await FromSessionCookieAsync();
        }
        if (headers.Count > 1)
        {
            return AuthenticateResult.Fail("More than one Authorization header.");
        }
        var header = headers[0] ?? "";
        if (!header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var token = header[Bearer.Length..].Trim();
        if (oidc.Enabled && !token.StartsWith(StaffTokenSigner.Prefix, StringComparison.Ordinal))
        {
            return await oidc.AuthenticateAsync(token, Scheme.Name, Context.RequestAborted);
        }
        if (signer.Validate(token, clock.GetUtcNow()) is not { } who)
        {
            return AuthenticateResult.Fail("The staff token is invalid or expired.");
        }
        // Revoked by its id, or its staff member disabled in the directory (where the app has one).
        if (Sessions is { } sessions && await sessions.IsRevokedAsync(who, Context.RequestAborted))
        {
            return AuthenticateResult.Fail("The staff token was revoked.");
        }
        return AuthenticateResult.Success(new AuthenticationTicket(StaffClaims.Principal(who), Scheme.Name));
    }

    private StaffSessions? Sessions => Context.RequestServices.GetService<StaffSessions>();

    /// <summary>The session cookie names a server-side session (<see cref="StaffSessions"/>); an unsafe method also needs the page's anti-forgery header.</summary>
    private async Task<AuthenticateResult> FromSessionCookieAsync()
    {
        if (!Request.Cookies.TryGetValue(StaffSession.Cookie, out var id) || string.IsNullOrEmpty(id))
        {
            return AuthenticateResult.NoResult();
        }
        if (Sessions is not { } sessions || await sessions.FindAsync(id, Context.RequestAborted) is not { } who)
        {
            return AuthenticateResult.Fail("The session ended or expired.");
        }
        if (!StaffSession.IsSafe(Request.Method) && !signer.CsrfMatches(id, Request.Headers[StaffSession.CsrfHeader].ToString()))
        {
            return AuthenticateResult.Fail(new StaffSession.CsrfRejectedException());
        }
        return AuthenticateResult.Success(new AuthenticationTicket(StaffClaims.Principal(who), Scheme.Name));
    }

    /// <summary>For endpoints that use RequireAuthorization rather than RequireStaff: the same 401 problem.</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        if (result.Failure is StaffStoreException { InnerException: { } failure })
        {
            // Here in the authorization middleware, before the exception handler: answered (and logged) as it would.
            if (Problems.For(failure) != Problems.DatabaseUnavailable)
            {
                Logger.LogError(failure, "unexpected error authenticating {Method} {Path} (trace {TraceId})",
                    Request.Method, Request.Path, System.Diagnostics.Activity.Current?.Id ?? Context.TraceIdentifier);
            }
            await (Problems.For(failure) == Problems.DatabaseUnavailable
                ? Problems.DatabaseUnavailableResult(Context, failure)
                : Problems.Result(Problems.Internal)).ExecuteAsync(Context);
            return;
        }
        if (OidcProblems.For(Context, result.Failure) is { } unavailable)
        {
            await unavailable.ExecuteAsync(Context);
            return;
        }
        if (result.Failure is StaffSession.CsrfRejectedException)
        {
            await Problems.Result(StaffProblems.CsrfRejected).ExecuteAsync(Context);
            return;
        }
        await StaffProblems.Unauthenticate(Context, tokenSent: !result.None).ExecuteAsync(Context);
    }

    /// <summary>For endpoints that use RequireAuthorization with role policies: a 403 role-not-allowed problem.</summary>
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        StaffProblems.RoleNotAllowedFor([]).ExecuteAsync(Context);
}

/// <summary>An error reading the sessions or the revocations while authenticating (the database away, most often), carried to where it can be answered.</summary>
public sealed class StaffStoreException(Exception inner) : Exception("Staff authentication could not read the sessions or revocations.", inner);
