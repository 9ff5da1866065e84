using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace CaseSystem.Cases.Api.Validation;

/// <summary>
/// How the API reads JSON (ASP.NET Core's HTTP JSON options, which Wolverine's endpoints read
/// their bodies with): what System.Text.Json can refuse while binding, it refuses, so that a body
/// reaches the validators (<see cref="CommandRequestValidation"/>) only in the request's shape.
/// <list type="bullet">
/// <item>Enum values by their exact name only: no numbers (<c>"certificate": 7</c>), no numeric
/// strings, no other case, no comma lists, no undefined names (<see cref="StrictEnumConverter{T}"/>).</item>
/// <item>Numbers as numbers (<c>"triesLeft": "3"</c> is refused) and no fractions where an integer goes.</item>
/// <item>Unknown properties are refused, not ignored: a misspelt field is not silently lost, and
/// nothing unasked for (a PIN, a My Number) is ever accepted. Duplicate properties are refused.</item>
/// <item>A constructor parameter without a default that is not nullable must be present
/// (a missing enum or number would otherwise bind its default value); a nullable one may be left out.</item>
/// <item>A moment (<see cref="DateTimeOffset"/>) must say its offset (<c>Z</c> or <c>+09:00</c>): without one it would be read in the server's zone.</item>
/// </list>
/// Responses are written as before (enums by name).
/// </summary>
public static class StrictJson
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.Converters.Add(new PathReportingConverterFactory());
        options.Converters.Add(new StrictEnumConverterFactory());
        options.Converters.Add(new OffsetRequiredConverter());
        options.NumberHandling = JsonNumberHandling.Strict;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.AllowDuplicateProperties = false;
        options.TypeInfoResolver = (options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(RequireNonNullableParameters);
    }

    /// <summary>The request types' shapes as read (names, required fields), without the converters: for describing them (<see cref="RequestSchemas"/>, <see cref="JsonBodyProblems"/>).</summary>
    public static JsonSerializerOptions Contracts() =>
        new(JsonSerializerDefaults.Web) { TypeInfoResolver = new DefaultJsonTypeInfoResolver().WithAddedModifier(RequireNonNullableParameters) };

    /// <summary>A constructor parameter without a default value is required unless nullable (then it may be left out, and reads as null).</summary>
    private static void RequireNonNullableParameters(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object) return;
        foreach (var property in type.Properties)
        {
            // Only where the property can be set (a record's positional property): an anonymous
            // type's, written in answers and never read, would make System.Text.Json refuse it.
            if (property is { AssociatedParameter: { } parameter, Set: not null }) property.IsRequired = !parameter.HasDefaultValue && !parameter.IsNullable;
        }
    }
}

/// <summary>Enums as their declared names, exactly; anything else is a <see cref="JsonException"/> at its path.</summary>
public sealed class StrictEnumConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(StrictEnumConverter<>).MakeGenericType(typeToConvert))!;
}

public sealed class StrictEnumConverter<T> : JsonConverter<T> where T : struct, Enum
{
    private static readonly FrozenDictionary<string, T> ByName = Enum.GetValues<T>().ToFrozenDictionary(v => v.ToString(), StringComparer.Ordinal);

    // A JsonException without a message: System.Text.Json adds the path where it broke.
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && reader.GetString() is { } name && ByName.TryGetValue(name, out var value)
            ? value
            : throw new JsonException();

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());

    public override T ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetString() is { } name && ByName.TryGetValue(name, out var value) ? value : throw new JsonException();

    public override void WriteAsPropertyName(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WritePropertyName(value.ToString());
}

/// <summary>An ISO 8601 moment that states its offset; written as System.Text.Json writes one.</summary>
public sealed class OffsetRequiredConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String || !reader.TryGetDateTimeOffset(out var value)) throw new JsonException();
        var text = reader.GetString()!;
        var hasOffset = text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
        return hasOffset ? value : throw new JsonException();
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

/// <summary>
/// For the command request types: reads the body with the same options and, when System.Text.Json
/// refuses it with a message that does not say where (a missing, unknown or repeated property),
/// adds the path, line and byte in System.Text.Json's own format. Wolverine passes on only the
/// message of a failed read, and <see cref="JsonBodyProblems"/> names the field from it.
/// </summary>
public sealed class PathReportingConverterFactory : JsonConverterFactory
{
    private JsonSerializerOptions? _inner;

    public override bool CanConvert(Type typeToConvert) => RequestValidationPolicy.ValidatorFor(typeToConvert) is not null;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options)
    {
        if (_inner is null)
        {
            var inner = new JsonSerializerOptions(options);
            inner.Converters.Remove(inner.Converters.OfType<PathReportingConverterFactory>().Single());
            Interlocked.CompareExchange(ref _inner, inner, null);
        }
        return (JsonConverter)Activator.CreateInstance(typeof(PathReporting<>).MakeGenericType(typeToConvert), _inner)!;
    }

    private sealed class PathReporting<T>(JsonSerializerOptions inner) : JsonConverter<T>
    {
        public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            try
            {
                return JsonSerializer.Deserialize<T>(ref reader, inner);
            }
            catch (JsonException e) when (e.Path is not null && !e.Message.Contains(" Path: ", StringComparison.Ordinal))
            {
                throw new JsonException($"{e.Message} Path: {e.Path} | LineNumber: {e.LineNumber ?? 0} | BytePositionInLine: {e.BytePositionInLine ?? 0}.",
                    e.Path, e.LineNumber, e.BytePositionInLine, e);
            }
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => JsonSerializer.Serialize(writer, value, inner);
    }
}
