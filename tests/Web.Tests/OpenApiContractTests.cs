using System.Text.Json;
using CaseSystem.Cases.Auth;
using CaseSystem.Web.Tests.Support;

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
}
