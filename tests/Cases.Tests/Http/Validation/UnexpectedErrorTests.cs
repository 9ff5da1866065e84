using System.Net;
using System.Text.Json;
using CaseSystem.Cases.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CaseSystem.Cases.Tests.Http.Validation;

/// <summary>An unexpected exception: logged once with a trace id; the 500 problem carries that trace id and never the exception's text.</summary>
public sealed class UnexpectedErrorTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private const string Internals = "connection string Password=hunter2 my number 123456789012";

    private readonly LogCollector _log = new();
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(db, DateTimeOffset.UtcNow,
        map: app => app.MapGet("/boom", string () => throw new InvalidOperationException(Internals)),
        configure: builder => builder.Logging.AddProvider(_log));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task The_500_carries_the_trace_id_it_was_logged_with_and_no_internals()
    {
        var response = await _server.Http.GetAsync("/boom");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal("urn:casesystem:problem:internal-error", problem.GetProperty("type").GetString());
        var traceId = problem.GetProperty("traceId").GetString();
        Assert.False(string.IsNullOrEmpty(traceId));
        Assert.DoesNotContain("hunter2", text);
        Assert.DoesNotContain("123456789012", text);
        Assert.DoesNotContain(nameof(InvalidOperationException), text);

        var logged = _log.Entries.Where(e => e.Exception?.Message == Internals).ToList();
        var entry = Assert.Single(logged);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Contains(traceId!, entry.Message);
    }

    [Fact]
    public async Task Opening_a_case_with_an_empty_object_is_400_and_logs_no_error()
    {
        var response = await RequestLog.PostJsonAsync(_server.Http, "/api/saku/cases", "{}");

        var errors = (await RequestLog.InvalidAsync(response)).GetProperty("errors");
        Assert.Equal(["expiry", "holder", "office"], errors.EnumerateObject().Select(p => p.Name).Order());
        Assert.DoesNotContain(_log.Entries, e => e.Level is LogLevel.Error or LogLevel.Critical);
    }
}
