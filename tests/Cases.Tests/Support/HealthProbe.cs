using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CaseSystem.Cases.Tests.Support;

/// <summary>Polls a health endpoint until it answers a status (a ready probe turns within seconds of a start or an outage).</summary>
public static class HealthProbe
{
    public static async Task<JsonElement> UntilAsync(HttpClient http, string path, HttpStatusCode wanted, TimeSpan? within = null)
    {
        var until = DateTimeOffset.UtcNow + (within ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            using var response = await http.GetAsync(path);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (response.StatusCode == wanted) return body;
            if (DateTimeOffset.UtcNow > until) Assert.Fail($"{path} answered {(int)response.StatusCode} {body}, not {(int)wanted}, until the deadline");
            await Task.Delay(100);
        }
    }

    /// <summary>The status of the named check in a health answer's body.</summary>
    public static string? Check(JsonElement body, string name) =>
        body.GetProperty("checks").EnumerateArray().FirstOrDefault(c => c.GetProperty("name").GetString() == name) is { ValueKind: JsonValueKind.Object } c
            ? c.GetProperty("status").GetString()
            : null;
}
