using Microsoft.AspNetCore.Http;
using Wolverine.Http;

namespace CaseSystem.Cases.Api;

/// <summary>
/// A command endpoint of a case. <c>Idempotency-Key</c> is Wolverine's
/// <see cref="DeduplicatedWithResponseAttribute"/>: a repeat of the same request (same bytes)
/// with the same key, in the same municipality and on the same path, appends nothing and gets
/// the first response; the same key with another request is refused (422). The claim is written
/// in the command's own transaction, so that 50 identical sends at once append once and all get
/// the first answer. Without a key the command simply runs.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class CaseCommandAttribute : DeduplicatedWithResponseAttribute
{
    public const string KeyHeader = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    private static readonly object Decided = new();

    public CaseCommandAttribute() : base(DeduplicationScope.Tenant | DeduplicationScope.Endpoint)
    {
        ClaimInTransaction = true;
        Required = false;
    }

    /// <summary>The request's Idempotency-Key, if it sent a usable one.</summary>
    public static string? KeyOf(HttpContext http) =>
        http.Request.Headers[KeyHeader].ToString() is { Length: > 0 and <= 200 } key ? key : null;

    /// <summary>The endpoint decided this request itself (it is not a replay of a stored answer).</summary>
    public static void MarkDecided(HttpContext http) => http.Items[Decided] = true;

    public static bool WasDecided(HttpContext http) => http.Items.ContainsKey(Decided);
}

/// <summary>The roles that may call an endpoint (any staff role when none are named); checked by <see cref="CaseHttpPipeline"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class StaffAttribute(params Auth.StaffRole[] roles) : Attribute
{
    public IReadOnlyList<Auth.StaffRole> Roles { get; } = roles;
}
