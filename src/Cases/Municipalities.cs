using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CaseSystem.Cases;

/// <summary>
/// The municipalities (tenants) the system serves, by slug, with their local government codes as
/// domain.md lists them; each must have a policy profile that agrees (checked at start-up).
/// </summary>
public static class Municipalities
{
    public static IReadOnlyDictionary<string, string> Codes { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["takatsuki"] = "272078",
        ["saku"] = "202177",
        ["fujiidera"] = "272264",
        ["hirosaki"] = "022021",
        ["kawasaki"] = "141305",
    };

    public static bool IsKnown(string slug) => Codes.ContainsKey(slug);

    internal static ValueTask<object?> RequireKnown(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        Unknown(context.HttpContext) is { } problem ? ValueTask.FromResult<object?>(problem) : next(context);

    /// <summary>The 404 problem for a route whose <c>{municipality}</c> this system does not serve, else null.</summary>
    public static IResult? Unknown(HttpContext http)
    {
        var slug = http.GetRouteValue("municipality") as string ?? "";
        return IsKnown(slug)
            ? null
            : Problems.Result(Problems.UnknownMunicipality,
                $"「{slug}」は登録されている自治体ではありません。/ '{slug}' is not a municipality this system serves.");
    }
}
