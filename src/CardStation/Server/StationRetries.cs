using System.Net;
using CaseSystem.CardStation.Outbox;
using Polly;
using Polly.Retry;

namespace CaseSystem.CardStation.Server;

/// <summary>
/// The station's retries, on Polly: exponential back-off with jitter (so that the stations of a
/// town do not all come back in the same second after the server restarts), and the server's
/// <c>Retry-After</c> taken as it says. Two of them:
/// <list type="bullet">
/// <item><see cref="Request"/>: one request to the server, tried again at once for a blip — no
/// connection (the server restarting), the connection dropped, 502/503/504, 408, 429 — while the
/// clerk waits, so briefly: two more tries, and a <c>Retry-After</c> only up to
/// <see cref="LongestWaitInAction"/>. A timeout is not tried again (the clerk has waited long enough),
/// nor a 500 (the server failed at the request itself). A send tried again carries the same
/// Idempotency-Key, so the server records it once even when an answer was lost.</item>
/// <item><see cref="Resend"/>: the outbox sent again in the background while anything waits in it,
/// from a few seconds after the failed send up to every <see cref="LongestResendWait"/>, or when
/// the server's <c>Retry-After</c> says.</item>
/// </list>
/// Delays run on the system's clock, never the observations' clock (which tests hold still).
/// </summary>
public static class StationRetries
{
    /// <summary>The longest a clerk's action waits on the server's word; a longer <c>Retry-After</c> leaves the entry in the outbox for <see cref="Resend"/>.</summary>
    public static readonly TimeSpan LongestWaitInAction = TimeSpan.FromSeconds(3);

    public static readonly TimeSpan LongestResendWait = TimeSpan.FromSeconds(30);

    public static ResiliencePipeline<HttpResponseMessage> Request { get; } = new ResiliencePipelineBuilder<HttpResponseMessage>()
        .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
            {
                { Exception: HttpRequestException e } => IsBlip(e),
                { Result: { } response } => IsBlip(response) && (RetryAfter(response) ?? TimeSpan.Zero) <= LongestWaitInAction,
                _ => false,
            }),
            MaxRetryAttempts = 2,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(250),
            MaxDelay = TimeSpan.FromSeconds(1),
            DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result is { } response ? RetryAfter(response) : null),
            // The answer not taken is let go: its connection goes back to the pool.
            OnRetry = args =>
            {
                args.Outcome.Result?.Dispose();
                return ValueTask.CompletedTask;
            },
        })
        .Build();

    /// <summary>
    /// Tried again while the report says something waits; the attempts are the caller's to show. An
    /// exception (the outbox file damaged) ends it: that is for the clerk to see, not to retry.
    /// </summary>
    public static ResiliencePipeline<OutboxReport> Resend { get; } = new ResiliencePipelineBuilder<OutboxReport>()
        .AddRetry(new RetryStrategyOptions<OutboxReport>
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { Pending: > 0 }),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromSeconds(2),
            MaxDelay = LongestResendWait,
            DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result?.RetryAfter),
        })
        .Build();

    /// <summary>The server's <c>Retry-After</c>, in seconds or as a date.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    private static bool IsBlip(HttpResponseMessage response) => response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable
        or HttpStatusCode.GatewayTimeout or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    /// <summary>
    /// Refused, reset or ended before the answer; not a connection that timed out, which has already
    /// made the clerk wait, nor a name, TLS or protocol problem, which another try would not mend.
    /// </summary>
    private static bool IsBlip(HttpRequestException e) => !TimedOut(e) && e.HttpRequestError switch
    {
        HttpRequestError.ConnectionError or HttpRequestError.ResponseEnded => true,
        HttpRequestError.Unknown => e.InnerException is IOException,
        _ => false,
    };

    private static bool TimedOut(Exception e) => e is TimeoutException or OperationCanceledException || (e.InnerException is { } inner && TimedOut(inner));
}
