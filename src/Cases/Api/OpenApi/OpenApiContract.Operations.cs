using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;

namespace CaseSystem.Cases.Api.OpenApi;

/// <summary>What each operation answers and which headers it reads and writes, beyond its body's schema.</summary>
public static partial class OpenApiContract
{
    /// <summary>
    /// The problems an operation can answer, by status: those every /api endpoint can (staff-only,
    /// per municipality), a command's, and the endpoint's own (<see cref="ProblemsMetadata"/>).
    /// </summary>
    private static IEnumerable<(string Status, string Text)> ProblemsOf(ApiDescription description, bool command, bool onCase)
    {
        var safe = description.HttpMethod is "GET" or "HEAD";
        var body = description.ParameterDescriptions.Any(p => p.Source == BindingSource.Body || p.Source == BindingSource.Form)
            || description.SupportedRequestFormats.Count > 0;
        var byStatus = new SortedDictionary<string, List<string>>(StringComparer.Ordinal)
        {
            ["400"] = ["invalid-request (errors by field)", "bad-request"],
            ["401"] = ["unauthenticated: no token, or one not valid (WWW-Authenticate: Bearer)"],
            ["403"] = safe ? ["role-not-allowed", "other-municipality"] : ["role-not-allowed", "other-municipality", "csrf-token (a page's cookie session without its token)"],
            ["404"] = onCase ? ["unknown-municipality", "case-not-found"] : ["unknown-municipality"],
            ["500"] = ["internal-error (with traceId)"],
            ["503"] = ["database-unavailable (Retry-After)", "identity-provider-unavailable"],
        };
        if (command)
        {
            byStatus["400"].Add("bad-if-match");
            byStatus["409"] = ["concurrency-conflict (If-Match no longer the case's version)", "idempotency-key-in-flight"];
            byStatus["413"] = ["request-too-large"];
            byStatus["422"] = ["urn:casesystem:rule:<rule id> (a rule refused the command; `rule`, `seed`)", "idempotency-key-reused"];
        }
        if (body) byStatus["415"] = ["unsupported-media-type"];
        foreach (var kind in description.ActionDescriptor.EndpointMetadata.OfType<ProblemsMetadata>().SelectMany(m => m.Kinds))
        {
            var status = kind.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var type = kind.Type.Replace(ProblemPrefix, "", StringComparison.Ordinal);
            if (!byStatus.TryGetValue(status, out var types)) byStatus[status] = types = [];
            if (!types.Any(t => t == type || t.StartsWith(type + " ", StringComparison.Ordinal))) types.Add(type);
        }
        return byStatus.Select(s => (s.Key, string.Join(" / ", s.Value.Select(t => t.StartsWith("urn:", StringComparison.Ordinal) ? t : ProblemPrefix + t))));
    }

    private const string ProblemPrefix = "urn:casesystem:problem:";

    private static readonly OpenApiHeader RetryAfter = Header("再試行までの秒数 / Seconds to wait before trying again", JsonSchemaType.Integer);

    /// <summary>
    /// A command's headers: Idempotency-Key (a retry answered with the first answer), If-Match (the
    /// case's ETag the command is meant for) and, from a station, when it observed what it sends; its
    /// answer's ETag (the version the case reached). A case read's ETag too.
    /// </summary>
    private static void DeclareHeaders(OpenApiOperation operation, ApiDescription description, bool command, bool onCase)
    {
        var parameters = new List<OpenApiParameter>();
        if (command)
        {
            parameters.Add(Parameter(CaseCommandAttribute.KeyHeader,
                "再送しても一度だけ実行するためのキー(最大200文字)/ A key (up to 200 characters) that makes a retry answer with the first answer, not run again"));
            if (onCase)
            {
                parameters.Add(Parameter(HeaderNames.IfMatch,
                    "案件の ETag(\"版数\")。違えば 409 / The case's ETag (\"version\") the command is meant for; 409 if the case moved on"));
            }
        }
        if (operation.OperationId is "recordCardRead" or "recordPinCheck" or "openCase")
        {
            parameters.Add(Parameter(Observed.AgeHeader,
                "端末が観測してからの秒数(未送信分の再送)/ Seconds since the station observed it (sent late from its outbox), up to 7 days"));
        }
        if (operation.OperationId is "recordPinCheck")
        {
            parameters.Add(Parameter(Observed.VersionHeader,
                "暗証番号の照合前に端末が読んだ案件の版数 / The case version the station read before it tried the PIN"));
        }
        if (parameters.Count > 0)
        {
            operation.Parameters ??= [];
            foreach (var parameter in parameters) operation.Parameters.Add(parameter);
        }

        var etag = command && onCase || description.HttpMethod == "GET" && operation.OperationId == "getCase" || operation.OperationId == "openCase";
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (!status.StartsWith('2') || response is not OpenApiResponse ok) continue;
            ok.Headers ??= new Dictionary<string, IOpenApiHeader>();
            if (etag) ok.Headers[HeaderNames.ETag] = Header("案件の版数(次の If-Match に)/ The case's version, for the next If-Match", JsonSchemaType.String);
            if (command) ok.Headers[CaseCommandAttribute.ReplayedHeader] = Header("再送への最初の応答であれば true / true when this is the first answer, replayed for a retry", JsonSchemaType.String);
            if (status == "201") ok.Headers[HeaderNames.Location] = Header("作成したものの URL / Where what was created is", JsonSchemaType.String);
        }
    }

    private static OpenApiParameter Parameter(string name, string description) => new()
    {
        Name = name,
        In = ParameterLocation.Header,
        Required = false,
        Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };

    private static OpenApiHeader Header(string description, JsonSchemaType type) => new()
    {
        Description = description,
        Schema = new OpenApiSchema { Type = type },
    };
}
