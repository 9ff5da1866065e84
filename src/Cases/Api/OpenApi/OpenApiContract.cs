using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;

namespace CaseSystem.Cases.Api.OpenApi;

/// <summary>
/// The OpenAPI document as the contract with integrators (issue 15): the /api operations only
/// (pages, assets, sign-in and /health are for browsers and probes), each with its id and summary
/// from <see cref="ApiCatalogue"/>, the staff bearer token, and the problems it can answer.
/// </summary>
public static partial class OpenApiContract
{
    public const string BearerScheme = "bearer";
    public const string ProblemSchema = "Problem";

    public static void Configure(OpenApiOptions options)
    {
        options.ShouldInclude = d => d.RelativePath is { } path && (path == "api" || path.StartsWith("api/", StringComparison.Ordinal));
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "CaseSystem API (マイナンバーカード電子証明書更新 案件管理)";
            document.Info.Description = "Staff tokens as `Authorization: Bearer`; every refusal is an RFC 9457 problem (application/problem+json) "
                + "whose `type` is stable (urn:casesystem:problem:… or urn:casesystem:rule:…), with a Japanese and English `title`.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "職員トークン(ops/token)または自治体の IdP の JWT / A staff token (ops/token) or a JWT of the municipality's identity provider",
            };
            document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
            document.Components.Schemas[ProblemSchema] = Problem();
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var description = context.Description;
            // ApiExplorer keeps the route's constraints ({caseId:guid}); the document's paths, and the catalogue, do not.
            var route = "/" + Constraint().Replace(description.RelativePath ?? "", "{$1}");
            if (ApiCatalogue.For(description.HttpMethod ?? "", route) is { } entry)
            {
                operation.OperationId = entry.OperationId;
                operation.Summary = entry.Summary;
            }
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] }];
            operation.Responses ??= new OpenApiResponses();
            // Over what Wolverine and ASP.NET Core declare (their ProblemDetails without our type's meaning): ours is what is written.
            // What the operation is, for its problems and its headers: a case command, and on one case.
            var command = description.ActionDescriptor.EndpointMetadata.OfType<CaseCommandAttribute>().Any();
            var onCase = route.Contains("{caseId}", StringComparison.Ordinal);
            foreach (var (status, text) in ProblemsOf(description, command, onCase))
            {
                operation.Responses[status] = new OpenApiResponse
                {
                    Description = text,
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, context.Document) },
                    },
                    Headers = status is "429" or "503" ? new Dictionary<string, IOpenApiHeader> { [HeaderNames.RetryAfter] = RetryAfter } : null,
                };
            }
            DeclareHeaders(operation, description, command, onCase);
            return Task.CompletedTask;
        });
    }

    /// <summary>RFC 9457's members, and the extensions some of ours carry.</summary>
    private static OpenApiSchema Problem() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "RFC 9457 problem details",
        Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "stable: urn:casesystem:problem:… or urn:casesystem:rule:…" },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Japanese / English" },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "invalid-request: messages by the field's JSON path",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
            ["rule"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "a rule's id (422)" },
            ["seed"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "the municipal page the rule comes from (422)" },
            ["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String },
        },
        Required = new HashSet<string>(StringComparer.Ordinal) { "type", "title", "status" },
    };

    [System.Text.RegularExpressions.GeneratedRegex(@"\{([^}:?]+)[:?][^}]*\}")]
    private static partial System.Text.RegularExpressions.Regex Constraint();
}
