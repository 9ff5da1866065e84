using System.Collections;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace CaseSystem.Cases.Api.Validation;

/// <summary>
/// Rewrites the problem Wolverine writes for a body it could not read ("Invalid JSON format", with
/// System.Text.Json's message as detail) into ours, naming the field by its JSON path:
/// <list type="bullet">
/// <item>a body that is not JSON at all (cut short, a stray character) stays
/// <see cref="Problems.BadRequest"/>, with where it broke (line and byte, and the path reached);</item>
/// <item>JSON in the wrong shape (a missing field, an unknown or repeated one, a value of the wrong
/// type, an enum name not defined) is <see cref="Problems.InvalidRequest"/>, as the validators' refusals.</item>
/// </list>
/// System.Text.Json's own message is not passed on (it can quote a character of the body).
/// </summary>
public static partial class JsonBodyProblems
{
    /// <summary>The title Wolverine gives a body it could not deserialize (Wolverine.Http's HttpHandler.ReadJsonAsync).</summary>
    public const string WolverineTitle = "Invalid JSON format";

    [GeneratedRegex(@"^(?<message>.*?)(?: Path: (?<path>.*) \| LineNumber: (?<line>\d+) \| BytePositionInLine: (?<byte>\d+)\.)?$", RegexOptions.Singleline)]
    private static partial Regex WithPosition();

    [GeneratedRegex(@"^JSON deserialization for type '[^']*' was missing required properties including: (?<names>.*)\.$", RegexOptions.Singleline)]
    private static partial Regex MissingProperties();

    [GeneratedRegex(@"'(?<name>[^']*)'")]
    private static partial Regex Quoted();

    /// <summary>Whether this was Wolverine's unreadable-body problem; if so it is rewritten.</summary>
    public static bool TryRewrite(HttpContext http, Microsoft.AspNetCore.Mvc.ProblemDetails details)
    {
        if (details.Status != StatusCodes.Status400BadRequest || details.Title != WolverineTitle) return false;
        var match = WithPosition().Match(details.Detail ?? "");
        var message = match.Groups["message"].Value;
        var path = match.Groups["path"].Success ? match.Groups["path"].Value : "$";
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Add(string at, FieldError error) => errors[Field(at)] = [error.ToString()];

        var kind = Problems.InvalidRequest;
        if (MissingProperties().Match(message) is { Success: true } missing)
        {
            foreach (Match name in Quoted().Matches(missing.Groups["names"].Value)) Add(path + "." + name.Groups["name"].Value, FieldError.Required);
        }
        else if (message.StartsWith("The JSON property ", StringComparison.Ordinal) && message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            Add(path, FieldError.UnknownField);
        }
        else if (message.StartsWith("Duplicate property ", StringComparison.Ordinal))
        {
            Add(path, FieldError.DuplicateField);
        }
        else if (message.StartsWith("The JSON value could not be converted to ", StringComparison.Ordinal))
        {
            Add(path, Expected(http, path));
        }
        else
        {
            kind = Problems.BadRequest;
            var (line, position) = (Number(match, "line") + 1, Number(match, "byte") + 1);
            Add(path, new FieldError($"JSON として読めません({line}行目 {position}バイト目)", $"Not valid JSON (line {line}, byte {position})"));
        }
        details.Type = kind.Type;
        details.Title = kind.Title;
        // Wolverine's 0-based position: replaced by where it broke, 1-based, for a body that is not JSON.
        details.Extensions.Remove("lineNumber");
        details.Extensions.Remove("bytePositionInLine");
        if (kind == Problems.BadRequest)
        {
            details.Extensions["line"] = Number(match, "line") + 1;
            details.Extensions["byte"] = Number(match, "byte") + 1;
        }
        InvalidRequest.Fill(details, errors);
        return true;
    }

    private static long Number(Match match, string group) => match.Groups[group].Success ? long.Parse(match.Groups[group].Value) : 0;

    /// <summary>A JSON path as the errors map keys it: <c>$.documents[1].kind</c> → <c>documents[1].kind</c>; the body itself is <c>$</c>.</summary>
    public static string Field(string path) => path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

    /// <summary>What the field at the path takes, from the endpoint's request type as the API's JSON options see it.</summary>
    private static FieldError Expected(HttpContext http, string path)
    {
        var requestType = http.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
        var type = requestType is null ? null : TypeAt(requestType, path);
        type = type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            { IsEnum: true } => new($"次のいずれかを指定してください: {Names(type)}", $"One of: {Names(type)}"),
            _ when type == typeof(DateOnly) => new("日付を YYYY-MM-DD で指定してください", "A date as YYYY-MM-DD"),
            _ when type == typeof(DateTimeOffset) => new("時差付きの日時を指定してください(例 2026-03-16T10:00:00+09:00)", "A moment with its offset (e.g. 2026-03-16T10:00:00+09:00)"),
            _ when type == typeof(int) || type == typeof(long) => new("整数を指定してください", "An integer"),
            _ when type == typeof(bool) => new("true か false を指定してください", "A boolean: true or false"),
            _ when type == typeof(string) => new("文字列を指定してください", "A string"),
            _ when type is not null && type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type) => new("配列を指定してください", "An array"),
            _ when type is not null => new("オブジェクトを指定してください", "An object"),
            _ => new("値の型または形式が違います", "Wrong type or format"),
        };
    }

    private static string Names(Type enumType) => string.Join(", ", Enum.GetNames(enumType));

    /// <summary>The request types' contracts by JSON name (camelCase, as the API's options), without the API's converters.</summary>
    private static readonly JsonSerializerOptions Contracts = StrictJson.Contracts();

    /// <summary>The type of the value at a path like <c>$.documents[1].owner</c> under <paramref name="root"/>, or null.</summary>
    private static Type? TypeAt(Type root, string path)
    {
        var type = root;
        foreach (Match step in PathSteps().Matches(path))
        {
            if (Nullable.GetUnderlyingType(type) is { } underlying) type = underlying;
            var info = Contracts.GetTypeInfo(type);
            type = step.Groups["index"].Success
                ? info.ElementType
                : info.Properties.FirstOrDefault(p => p.Name == step.Groups["name"].Value)?.PropertyType;
            if (type is null) return null;
        }
        return type;
    }

    [GeneratedRegex(@"\.(?<name>[^.\[]+)|\[(?<index>\d+)\]")]
    private static partial Regex PathSteps();
}
