using System.Text.Json;
using System.Text.RegularExpressions;
using CaseSystem.Cases.Auth;
using CaseSystem.Web.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace CaseSystem.Web.Tests;

/// <summary>
/// The API contract (issue 15) on the server as ops/run builds it (cases, read models, pages):
/// the OpenAPI document and the names it gives what binds.
/// </summary>
public sealed class OpenApiContractTests : IAsyncLifetime
{
    private readonly WebServer _web = new();

    public Task InitializeAsync() => _web.InitializeAsync();

    public Task DisposeAsync() => _web.DisposeAsync();

    private async Task<JsonElement> DocumentAsync() => JsonDocument.Parse(await _web.Server.Http.GetStringAsync("/openapi/v1.json")).RootElement;

    [Fact]
    public async Task Query_parameters_are_named_in_camelCase_as_the_README_names_them_and_bind_by_those_names()
    {
        var paths = (await DocumentAsync()).GetProperty("paths");
        var report = paths.GetProperty("/api/{municipality}/reports/renewals").GetProperty("get").GetProperty("parameters")
            .EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query").Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Equal(["cohortFrom", "cohortTo", "office", "whoCame", "ageBand", "groupBy", "suppressBelow"], report);
        foreach (var path in paths.EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Value.TryGetProperty("parameters", out _)))
            {
                foreach (var parameter in operation.Value.GetProperty("parameters").EnumerateArray())
                {
                    var name = parameter.GetProperty("name").GetString()!;
                    if (parameter.GetProperty("in").GetString() is "query" or "path") Assert.True(char.IsLower(name[0]), $"{operation.Name} {path.Name}: {name}");
                }
            }
        }

        _web.Server.Role = StaffRole.Analyst;
        var filter = (await _web.GetJsonAsync("/api/saku/reports/renewals?cohortFrom=2026-01-01&cohortTo=2026-06-30&groupBy=office")).GetProperty("filter");
        Assert.Equal("2026-01-01", filter.GetProperty("cohortFrom").GetString());
        Assert.Equal("2026-06-30", filter.GetProperty("cohortTo").GetString());
    }

    [Fact]
    public async Task The_document_is_valid_and_has_every_api_endpoint_with_its_id_summary_token_and_problems_and_nothing_else()
    {
        var text = await _web.Server.Http.GetStringAsync("/openapi/v1.json");
        var read = OpenApiDocument.Parse(text, "json");
        Assert.Empty(read.Diagnostic?.Errors ?? []);
        Assert.NotNull(read.Document);
        Assert.Empty(read.Document.Validate(Microsoft.OpenApi.ValidationRuleSet.GetDefaultRuleSet()) ?? []);

        var document = JsonDocument.Parse(text).RootElement;
        Assert.Equal("http", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("type").GetString());
        var paths = document.GetProperty("paths");
        // Pages, assets, the sign-in and the probe are not the API.
        Assert.All(paths.EnumerateObject(), p => Assert.StartsWith("/api/", p.Name));

        // Every endpoint mapped under /api, as routing knows them, is in the document.
        var mapped = _web.Server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && raw.StartsWith("/api/", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m =>
                (Method: m.ToLowerInvariant(), Route: Regex.Replace(e.RoutePattern.RawText!, @"\{([^}:]+):[^}]+\}", "{$1}"))))
            .Distinct().ToList();
        Assert.True(mapped.Count > 40, $"{mapped.Count} endpoints under /api");
        var ids = new HashSet<string>();
        foreach (var (method, route) in mapped)
        {
            var operation = paths.TryGetProperty(route, out var item) && item.TryGetProperty(method, out var found) ? found : default;
            Assert.True(operation.ValueKind == JsonValueKind.Object, $"{method} {route} is not in the document");
            var id = operation.TryGetProperty("operationId", out var o) ? o.GetString() : null;
            Assert.False(string.IsNullOrWhiteSpace(id), $"{method} {route}: no operationId");
            Assert.True(ids.Add(id!), $"{method} {route}: operationId {id} twice");
            Assert.False(string.IsNullOrWhiteSpace(operation.TryGetProperty("summary", out var s) ? s.GetString() : null), $"{method} {route}: no summary");
            Assert.True(operation.TryGetProperty("security", out _), $"{method} {route}: no security");
            var responses = operation.GetProperty("responses");
            // Every answer but "no content" says what it carries.
            var successes = responses.EnumerateObject().Where(r => r.Name.StartsWith('2')).ToList();
            Assert.True(successes.Count > 0, $"{method} {route}: no success response");
            foreach (var success in successes.Where(r => r.Name != "204"))
            {
                Assert.True(success.Value.TryGetProperty("content", out var content) && content.EnumerateObject().All(c => c.Value.TryGetProperty("schema", out _)),
                    $"{method} {route}: {success.Name} without a schema");
            }
            // Waiting is said with Retry-After wherever it is asked for.
            foreach (var status in new[] { "429", "503" }.Where(s => responses.TryGetProperty(s, out _)))
            {
                Assert.True(responses.GetProperty(status).TryGetProperty("headers", out var headers) && headers.TryGetProperty("Retry-After", out _), $"{method} {route}: {status} without Retry-After");
            }
            foreach (var status in new[] { "400", "401", "403", "404", "503" })
            {
                Assert.True(responses.TryGetProperty(status, out var problem), $"{method} {route}: no {status}");
                Assert.Equal("#/components/schemas/Problem",
                    problem.GetProperty("content").GetProperty("application/problem+json").GetProperty("schema").GetProperty("$ref").GetString());
            }
        }

        // A command: its body's schema, its path parameters and the problems only a command gives.
        var arrival = paths.GetProperty("/api/{municipality}/cases/{caseId}/arrivals").GetProperty("post");
        Assert.Equal("recordArrival", arrival.GetProperty("operationId").GetString());
        Assert.Equal("#/components/schemas/ArrivalRequest",
            arrival.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.Equal(["municipality", "caseId"], arrival.GetProperty("parameters").EnumerateArray()
            .Where(p => p.GetProperty("in").GetString() == "path").Select(p => p.GetProperty("name").GetString()));
        foreach (var status in new[] { "200", "409", "413", "415", "422" }) Assert.True(arrival.GetProperty("responses").TryGetProperty(status, out _), status);
        // Its headers: a retry's key and the version it is meant for in, the version reached out.
        Assert.Equal(["Idempotency-Key", "If-Match"], Headers(arrival));
        Assert.True(arrival.GetProperty("responses").GetProperty("200").GetProperty("headers").TryGetProperty("ETag", out _));
        Assert.Equal(["Idempotency-Key", "If-Match", "Observed-Age", "Observed-Version"],
            Headers(paths.GetProperty("/api/{municipality}/cases/{caseId}/pin-checks").GetProperty("post")));
        Assert.True(paths.GetProperty("/api/{municipality}/cases/{caseId}").GetProperty("get").GetProperty("responses").GetProperty("200")
            .GetProperty("headers").TryGetProperty("ETag", out _));

        // An endpoint's own refusals, under their statuses.
        foreach (var (route, method, status, type) in new[]
        {
            ("/api/{municipality}/staff", "post", "409", "urn:casesystem:problem:staff-id-taken"),
            ("/api/{municipality}/staff/me/password", "post", "403", "urn:casesystem:problem:wrong-password"),
            ("/api/{municipality}/integrity", "get", "429", "urn:casesystem:problem:integrity-scan-running"),
            ("/api/{municipality}/integrity/anchors", "post", "503", "urn:casesystem:problem:anchoring-busy"),
            ("/api/{municipality}/offices/{office}/calls/next", "post", "409", "urn:casesystem:problem:no-one-waiting"),
            ("/api/{municipality}/ops/projections/{name}/{command}", "post", "403", "urn:casesystem:problem:projection-system-wide"),
            ("/api/{municipality}/notices", "post", "413", "urn:casesystem:problem:notice-file-too-large"),
            ("/api/{municipality}/cases/{caseId}/arrivals", "post", "422", "urn:casesystem:rule:"),
        })
        {
            var said = paths.GetProperty(route).GetProperty(method).GetProperty("responses").GetProperty(status).GetProperty("description").GetString()!;
            Assert.Contains(type, said);
            Assert.DoesNotContain("problem:urn:", said);
        }
        // The staff directory's answers are named schemas, not anonymous objects.
        Assert.Equal("#/components/schemas/StaffCredentials", paths.GetProperty("/api/{municipality}/staff").GetProperty("post").GetProperty("responses")
            .GetProperty("201").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());

        // The main reads say what they answer.
        foreach (var (route, type) in new[]
        {
            ("/api/{municipality}/cases/{caseId}", "application/json"), ("/api/{municipality}/cases", "application/json"),
            ("/api/{municipality}/offices/{office}/board", "application/json"), ("/api/{municipality}/offices/{office}/board/stream", "text/event-stream"),
            ("/api/{municipality}/reports/renewals", "application/json"), ("/api/{municipality}/reports/renewals.csv", "text/csv"),
            ("/api/{municipality}/forecast", "application/json"), ("/api/{municipality}/integrity", "application/json"),
        })
        {
            var ok = paths.GetProperty(route).GetProperty("get").GetProperty("responses").GetProperty("200");
            Assert.True(ok.TryGetProperty("content", out var content) && content.TryGetProperty(type, out _), $"{route}: 200 {type}");
        }
    }

    private static List<string?> Headers(JsonElement operation) => operation.GetProperty("parameters").EnumerateArray()
        .Where(p => p.GetProperty("in").GetString() == "header").Select(p => p.GetProperty("name").GetString()).ToList();

    [Fact]
    public async Task The_API_reference_page_shows_the_document_with_its_script_from_the_server()
    {
        _web.Server.Role = null; // public, like the document
        var response = await _web.Server.Http.GetAsync("/api-reference");
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {html}");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("openapi/", html);
        var scripts = Regex.Matches(html, "<script[^>]+src=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            Assert.False(script.StartsWith("http", StringComparison.Ordinal), script);
            var url = new Uri(new Uri(_web.BaseAddress, "/api-reference/"), script);
            Assert.True((await _web.Server.Http.GetAsync(url)).IsSuccessStatusCode, url.ToString());
        }
    }
}
