using System.Net;
using System.Text;
using System.Text.Json;
using CaseSystem.Cases.Tests.Support;

namespace CaseSystem.Cases.Tests.Http;

/// <summary>
/// The refusals no endpoint writes (issue 15): an unknown route under /api, a method the route does
/// not take, a body that is not JSON. Each is a problem with a stable type and Japanese and English text.
/// </summary>
public sealed class ApiStatusProblemTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(db, new DateTimeOffset(2026, 3, 16, 10, 0, 0, TimeSpan.FromHours(9)));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(type, problem.GetProperty("type").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        // Japanese, then English, as every problem's title.
        var title = problem.GetProperty("title").GetString()!;
        var parts = title.Split("/ ", 2);
        Assert.Equal(2, parts.Length);
        Assert.Matches(@"[\p{IsHiragana}\p{IsKatakana}\p{IsCJKUnifiedIdeographs}]", parts[0]);
        Assert.Matches(@"^[\x20-\x7E]+$", parts[1]);
        return problem;
    }

    [Fact]
    public async Task An_unknown_route_under_api_is_a_not_found_problem()
    {
        await ProblemAsync(await _server.Http.GetAsync("/api/saku/no-such-thing"), HttpStatusCode.NotFound, "urn:casesystem:problem:not-found");
        await ProblemAsync(await _server.Http.GetAsync("/api"), HttpStatusCode.NotFound, "urn:casesystem:problem:not-found");
        // A case id that is not a Guid matches no route either.
        await ProblemAsync(await _server.Http.GetAsync("/api/saku/cases/not-a-guid"), HttpStatusCode.NotFound, "urn:casesystem:problem:not-found");
        // A case that does not exist keeps its own type.
        await ProblemAsync(await _server.Http.GetAsync($"/api/saku/cases/{Guid.NewGuid()}"), HttpStatusCode.NotFound, "urn:casesystem:problem:case-not-found");
    }

    [Fact]
    public async Task Outside_api_an_unknown_route_is_not_made_a_problem()
    {
        var response = await _server.Http.GetAsync("/no-such-page");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.NotEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_method_the_route_does_not_take_is_a_method_not_allowed_problem_with_allow()
    {
        var response = await _server.Http.DeleteAsync($"/api/saku/cases/{Guid.NewGuid()}");
        await ProblemAsync(response, HttpStatusCode.MethodNotAllowed, "urn:casesystem:problem:method-not-allowed");
        Assert.Contains("GET", response.Content.Headers.Allow);
        // A command (a Wolverine endpoint) read with GET.
        response = await _server.Http.GetAsync($"/api/saku/cases/{Guid.NewGuid()}/arrivals");
        await ProblemAsync(response, HttpStatusCode.MethodNotAllowed, "urn:casesystem:problem:method-not-allowed");
        Assert.Contains("POST", response.Content.Headers.Allow);
    }

    [Fact]
    public async Task A_command_body_that_is_not_json_is_an_unsupported_media_type_problem()
    {
        var (path, etag) = await _server.OpenCaseAsync();
        var response = await _server.Http.PostAsync(path + "/arrivals",
            new StringContent("office=shimin-ka&ticketNumber=A-1", Encoding.UTF8, "application/x-www-form-urlencoded"));
        await ProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "urn:casesystem:problem:unsupported-media-type");
        // Nothing was recorded: the case is still at the version its opening left it.
        Assert.Equal(etag, (await _server.Http.GetAsync(path)).Headers.ETag?.Tag);
    }
}
