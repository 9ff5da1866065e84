using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace CaseSystem.Cases.Api.Validation;

/// <summary>
/// The OpenAPI document's schemas of what <see cref="StrictJson"/>'s converters read: ASP.NET
/// Core's schema generator sees a custom converter and says nothing of the value, so enums are
/// described here by their names, and the command requests (read through
/// <see cref="PathReportingConverterFactory"/>) by their properties, required ones named, no others allowed.
/// </summary>
public static class RequestSchemas
{
    private static readonly JsonSerializerOptions Contracts = StrictJson.Contracts();

    public static async Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
        if (type.IsEnum)
        {
            schema.Type = type == context.JsonTypeInfo.Type ? JsonSchemaType.String : JsonSchemaType.String | JsonSchemaType.Null;
            schema.Enum = [.. Enum.GetNames(type).Select(n => (JsonNode)JsonValue.Create(n))];
            return;
        }
        if (RequestValidationPolicy.ValidatorFor(type) is null) return;
        schema.Type = JsonSchemaType.Object;
        schema.AdditionalPropertiesAllowed = false;
        schema.Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        schema.Required = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in Contracts.GetTypeInfo(type).Properties)
        {
            schema.Properties[property.Name] = await context.GetOrCreateSchemaAsync(property.PropertyType, cancellationToken: ct);
            if (property.IsRequired) schema.Required.Add(property.Name);
        }
    }
}
