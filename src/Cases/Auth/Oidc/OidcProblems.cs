using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace CaseSystem.Cases.Auth.Oidc;

/// <summary>
/// The identity provider's metadata or keys cannot be fetched and none are held yet: the token
/// cannot be checked either way. The staff member did nothing wrong, so this is not a 401 (which
/// tells the client to sign in again) but a 503 with a time to retry, like a database outage.
/// </summary>
public sealed class IdentityProviderUnavailableException(string issuer)
    : Exception($"The identity provider {issuer} cannot be reached to check the token.")
{
    public string Issuer { get; } = issuer;
}

public static class OidcProblems
{
    public static readonly Problems.Kind IdentityProviderUnavailable = new("urn:casesystem:problem:identity-provider-unavailable", StatusCodes.Status503ServiceUnavailable,
        "認証サーバーに接続できないため、職員トークンを確認できません。少し待ってからもう一度お試しください。/ The identity provider cannot be reached to check the staff token; try again shortly.");

    /// <summary>Seconds a client waits before trying again; also how long the server answers 503 at once before it tries the provider again.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>The 503 problem with Retry-After, or null when the authentication failed for another reason.</summary>
    public static IResult? For(HttpContext http, Exception? failure)
    {
        if (failure is not IdentityProviderUnavailableException)
        {
            return null;
        }
        http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return Problems.Result(IdentityProviderUnavailable);
    }
}
