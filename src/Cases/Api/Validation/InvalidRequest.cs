using Microsoft.AspNetCore.Mvc;

namespace CaseSystem.Cases.Api.Validation;

/// <summary>
/// The 400 problem of a request whose fields are wrong (<see cref="Problems.InvalidRequest"/>):
/// <c>errors</c> maps each field's JSON path to what is wrong with it, in Japanese and English,
/// and <c>detail</c> says the same in one line for clients that show only the detail (the card
/// station's set-aside list). No message repeats the value refused.
/// </summary>
public static class InvalidRequest
{
    public const string ErrorsKey = "errors";

    public static ProblemDetails Problem(IReadOnlyDictionary<string, string[]> errors, Problems.Kind? kind = null)
    {
        var details = Problems.Details(kind ?? Problems.InvalidRequest);
        Fill(details, errors);
        return details;
    }

    /// <summary>Puts the errors into a problem (also one written by Wolverine, rewritten by <see cref="JsonBodyProblems"/>).</summary>
    public static void Fill(ProblemDetails details, IReadOnlyDictionary<string, string[]> errors)
    {
        details.Detail = string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));
        details.Extensions[ErrorsKey] = errors;
    }
}
