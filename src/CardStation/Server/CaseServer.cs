using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CaseSystem.CardStation.Outbox;
using CaseSystem.CardStation.Station;

namespace CaseSystem.CardStation.Server;

/// <summary>The case API as the station uses it, with the station's token.</summary>
public sealed class CaseServer : IDisposable
{
    /// <summary>Seconds since the station observed what it sends (the server's <c>Observed</c> reads it).</summary>
    public const string ObservedAgeHeader = "Observed-Age";

    /// <summary>The case version the station's view showed when it tried a PIN on the card (the server's <c>Observed.SeenVersion</c>).</summary>
    public const string ObservedVersionHeader = "Observed-Version";

    private readonly HttpClient _http;
    private readonly string _municipality;

    public CaseServer(StationOptions options, HttpMessageHandler? handler = null)
    {
        _http = new HttpClient(handler ?? new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) })
        {
            BaseAddress = options.Server,
            Timeout = TimeSpan.FromSeconds(15),
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);
        _municipality = options.Municipality;
    }

    public Uri Address => _http.BaseAddress!;

    public async Task<IReadOnlyList<CaseHit>> FindAsync(CaseQuery query, CancellationToken ct = default)
    {
        var parameters = new List<string>();
        if (query.NoticeNumber is { } notice) parameters.Add("noticeNumber=" + Uri.EscapeDataString(notice));
        if (query.Name is { } name) parameters.Add("name=" + Uri.EscapeDataString(name));
        if (query.BirthDate is { } birth) parameters.Add("birthDate=" + birth.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        return await GetAsync<List<CaseHit>>($"/api/{_municipality}/cases?{string.Join('&', parameters)}", ct);
    }

    public Task<CaseSummary> GetCaseAsync(Guid caseId, CancellationToken ct = default) =>
        GetAsync<CaseSummary>($"/api/{_municipality}/cases/{caseId}", ct);

    /// <param name="age">How long ago the station observed it (its own clock's difference: the station and the server need not agree on the time).</param>
    public Task<SendOutcome> SendAsync(OutboxEntry entry, TimeSpan age, CancellationToken ct = default)
    {
        var sending = TimeProvider.System.GetTimestamp();
        return SendAsync(entry, () => age + TimeProvider.System.GetElapsedTime(sending), ct);
    }

    /// <param name="age">How long ago the station observed it, asked again for each try (<see cref="StationRetries.Request"/>).</param>
    public async Task<SendOutcome> SendAsync(OutboxEntry entry, Func<TimeSpan> age, CancellationToken ct = default)
    {
        HttpRequestMessage Request()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, entry.Path) { Content = JsonContent.Create(entry.Body, options: StationJson.Options) };
            request.Headers.Add("Idempotency-Key", entry.IdempotencyKey);
            // A header, not the body: a retry's age differs, and the same key with another body is refused.
            request.Headers.Add(ObservedAgeHeader, Math.Max(0, age().TotalSeconds).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture));
            if (entry.SeenVersion is { } seen) request.Headers.Add(ObservedVersionHeader, seen.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return request;
        }

        HttpResponseMessage response;
        try
        {
            response = await SendWithRetriesAsync(Request, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return new SendOutcome.Unreachable(e.Message);
        }
        using (response)
        {
            if (response.IsSuccessStatusCode) return new SendOutcome.Sent(response.Headers.Contains("Idempotent-Replayed"));
            var status = (int)response.StatusCode;
            var problem = await ProblemAsync(response, ct);
            return response.StatusCode switch
            {
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new SendOutcome.NotAllowed(status, problem.Title),
                HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests => new SendOutcome.Unreachable($"{status} {problem.Title}", StationRetries.RetryAfter(response)),
                _ when status is >= 400 and < 500 => new SendOutcome.Refused(status, problem.Type, problem.Title, problem.Detail),
                _ => new SendOutcome.Unreachable($"{status} {problem.Title}", StationRetries.RetryAfter(response)),
            };
        }
    }

    /// <summary>A new request for each try: a request message is sent once.</summary>
    private async Task<HttpResponseMessage> SendWithRetriesAsync(Func<HttpRequestMessage> request, CancellationToken ct) =>
        await StationRetries.Request.ExecuteAsync(async token =>
        {
            using var message = request();
            return await _http.SendAsync(message, token);
        }, ct);

    private async Task<T> GetAsync<T>(string path, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await SendWithRetriesAsync(() => new HttpRequestMessage(HttpMethod.Get, path), ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw StationException.Unreachable(Address.ToString(), e);
        }
        using (response)
        {
            if (response.IsSuccessStatusCode) return (await response.Content.ReadFromJsonAsync<T>(StationJson.Options, ct))!;
            if ((int)response.StatusCode >= 500) throw StationException.Unreachable(Address.ToString());
            var problem = await ProblemAsync(response, ct);
            throw response.StatusCode switch
            {
                HttpStatusCode.NotFound => new StationException("CaseNotFound", "案件が見つかりません。", "case not found"),
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => NotAllowed((int)response.StatusCode, problem.Title),
                _ => new StationException("Refused", problem.Title, problem.Detail ?? $"HTTP {(int)response.StatusCode}"),
            };
        }
    }

    public static StationException NotAllowed(int status, string title) => new("NotAllowed",
        $"サーバーが端末のトークンを受け付けません({status}): {title}", "the server refused the station's token; set CARDSTATION_TOKEN to a station token");

    private sealed record Problem(string? Type, string Title, string? Detail);

    private static async Task<Problem> ProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var json = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            string? Text(string name) => json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            return new Problem(Text("type"), Text("title") ?? response.ReasonPhrase ?? "", Text("detail"));
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or HttpRequestException)
        {
            return new Problem(null, response.ReasonPhrase ?? $"HTTP {(int)response.StatusCode}", null);
        }
    }

    public void Dispose() => _http.Dispose();
}
