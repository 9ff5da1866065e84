using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Tests.Support;

namespace CaseSystem.Cases.Tests.Http;

/// <summary>Issue 12: what a station held in its outbox is recorded at the moment it was observed, and the store keeps when it was recorded.</summary>
public sealed class ObservedTimeTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private static readonly DateTimeOffset Monday10 = new(2026, 3, 16, 10, 0, 0, JapanTime.Offset);
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(db, Monday10);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<HttpResponseMessage> PinCheckAsync(string path, string? age)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path + "/pin-checks")
        {
            Content = JsonContent.Create(new { certificate = "UserAuthentication", result = "Mismatched", triesLeft = 2 }),
        };
        if (age is not null) request.Headers.Add("Observed-Age", age);
        return await _server.Http.SendAsync(request);
    }

    [Fact]
    public async Task A_PIN_check_sent_late_is_recorded_at_when_it_was_observed()
    {
        var (path, _) = await _server.OpenCaseAsync();
        Assert.Equal(HttpStatusCode.OK, (await PinCheckAsync(path, "1200")).StatusCode);
        var stored = Assert.Single(await db.EventsAsync("saku", Guid.Parse(path.Split('/')[^1])), e => e.EventTypeName == "PinMismatchRecorded");
        Assert.Equal(Monday10.AddMinutes(-20), ((RenewalEvent.PinMismatchRecorded)stored.Data).At);
    }

    [Theory]
    [InlineData("-5")]
    [InlineData("soon")]
    [InlineData("604801")]
    public async Task An_age_that_cannot_be_is_refused_naming_the_header_and_nothing_is_recorded(string age)
    {
        var (path, _) = await _server.OpenCaseAsync();
        var before = (await db.EventsAsync("saku", Guid.Parse(path.Split('/')[^1]))).Count;
        var response = await PinCheckAsync(path, age);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("Observed-Age", problem.GetProperty("detail").GetString());
        Assert.Equal(before, (await db.EventsAsync("saku", Guid.Parse(path.Split('/')[^1]))).Count);
    }
}
