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

    internal static ValueTask<object?> RequireKnown(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var slug = context.HttpContext.GetRouteValue("municipality") as string ?? "";
        return IsKnown(slug)
            ? next(context)
            : ValueTask.FromResult<object?>(Problems.Result(Problems.UnknownMunicipality,
                $"「{slug}」は登録されている自治体ではありません。/ '{slug}' is not a municipality this system serves."));
    }
}
