using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CaseSystem.Chaos;

/// <summary>An answer that settles a request: its status, problem type, the case version it names and its body.</summary>
internal sealed record Answer(int Status, string? ProblemType, long? Version, string? Location, JsonElement? Body)
{
    public bool Ok => Status is >= 200 and < 300;
}

/// <summary>
/// One clerk's requests to whichever server the pool gives them. A request that gets no answer, a
/// 5xx, or Wolverine's "still being processed" 409 is sent again, the same bytes with the same
/// Idempotency-Key (so a command that went in is answered from its first answer, not done twice; a
/// notice file is idempotent by itself), until an answer settles it, the phase ends, or
/// <see cref="RetryFor"/> has passed. A 503 is retried after half a second, not the Retry-After's
/// 5 s: the load keeps pressing on the server while PostgreSQL restarts. Every answer is counted in the journal.
/// </summary>
internal sealed class ClerkHttp(int client, ServerPool pool, HttpClient http, string token, Journal journal, Func<bool> stopping)
{
    public static readonly TimeSpan RetryFor = TimeSpan.FromSeconds(30);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private const string InFlight = "urn:casesystem:problem:idempotency-key-in-flight";

    public static byte[] Body(object value) => JsonSerializer.SerializeToUtf8Bytes(value, Json);

    /// <summary>The settling answer, or null when none came (stopped, or retried for <see cref="RetryFor"/>).</summary>
    public async Task<Answer?> SendAsync(string command, HttpMethod method, string path, byte[]? body, string contentType,
        string? idempotencyKey, long? ifMatch, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            if (stopping()) return null;
            if (Stopwatch.GetElapsedTime(started) > RetryFor)
            {
                journal.GaveUp();
                return null;
            }
            if (pool.UrlFor(client) is not { } server)
            {
                await Task.Delay(100, ct);
                continue;
            }
            using var request = new HttpRequestMessage(method, new Uri(server, path));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            if (body is not null)
            {
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }
            if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
            if (ifMatch is { } version) request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{version.ToString(CultureInfo.InvariantCulture)}\""));

            Answer answer;
            bool retryAfter;
            try
            {
                using var response = await http.SendAsync(request, ct);
                var bytes = await response.Content.ReadAsByteArrayAsync(ct);
                answer = Read((int)response.StatusCode, response, bytes);
                retryAfter = response.Headers.RetryAfter is not null;
            }
            catch (Exception e) when (e is HttpRequestException or IOException || (e is TaskCanceledException && !ct.IsCancellationRequested))
            {
                // Killed process, refused or reset connection, or no answer within the client's timeout.
                journal.NoAnswer();
                await Task.Delay(200, ct);
                continue;
            }
            journal.Answered(command, answer.Status, answer.ProblemType, retryAfter);
            if (answer.Status >= 500 || (answer.Status == 409 && answer.ProblemType == InFlight))
            {
                await Task.Delay(answer.Status == 503 ? 500 : 300, ct);
                continue;
            }
            return answer;
        }
    }

    private static Answer Read(int status, HttpResponseMessage response, byte[] bytes)
    {
        JsonElement? body = null;
        string? type = null;
        long? version = null;
        if (bytes.Length > 0 && response.Content.Headers.ContentType?.MediaType is { } media && media.Contains("json", StringComparison.Ordinal))
        {
            try
            {
                using var document = JsonDocument.Parse(bytes);
                body = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                // Not JSON after all: the status says enough.
            }
        }
        if (body is { ValueKind: JsonValueKind.Object } o)
        {
            if (o.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String) type = t.GetString();
            if (o.TryGetProperty("version", out var v) && v.TryGetInt64(out var bodyVersion)) version = bodyVersion;
        }
        // The ETag is the case's version, on first answers and replays alike (CaseHttpPipeline).
        if (response.Headers.ETag?.Tag is { Length: > 2 } tag && long.TryParse(tag.Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var etag))
        {
            version = etag;
        }
        return new Answer(status, type, version, response.Headers.Location?.ToString(), body);
    }
}
