using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace CaseSystem.Cases;

/// <summary>RFC 9457 problem types. The type URIs are stable: clients branch on them.</summary>
public static class Problems
{
    public sealed record Kind(string Type, int Status, string Title);

    public static readonly Kind ConcurrencyConflict = new("urn:casesystem:problem:concurrency-conflict", StatusCodes.Status409Conflict,
        "この案件は他の操作で更新されました。読み込み直してください。/ The case was changed by someone else; reload it.");
    public static readonly Kind StreamNotFound = new("urn:casesystem:problem:case-not-found", StatusCodes.Status404NotFound,
        "案件が見つかりません。/ No such case.");
    public static readonly Kind UnknownMunicipality = new("urn:casesystem:problem:unknown-municipality", StatusCodes.Status404NotFound,
        "自治体が見つかりません。/ Unknown municipality.");
    public static readonly Kind BadIfMatch = new("urn:casesystem:problem:bad-if-match", StatusCodes.Status400BadRequest,
        "If-Match には案件の ETag(\"版数\")を指定してください。/ If-Match must be the case's ETag (\"version\").");
    public static readonly Kind BadRequest = new("urn:casesystem:problem:bad-request", StatusCodes.Status400BadRequest,
        "リクエストの内容を読み取れません。/ The request could not be read.");
    public static readonly Kind InvalidRequest = new("urn:casesystem:problem:invalid-request", StatusCodes.Status400BadRequest,
        "リクエストの項目に誤りがあります。何も記録していません。/ Some fields of the request are invalid; nothing was recorded.");
    public static readonly Kind RequestTooLarge = new("urn:casesystem:problem:request-too-large", StatusCodes.Status413PayloadTooLarge,
        "リクエストが大きすぎます。何も記録していません。/ The request is too large; nothing was recorded.");
    public static readonly Kind BadCsvColumns = new("urn:casesystem:problem:bad-csv-columns", StatusCodes.Status400BadRequest,
        "CSV の列が通知バッチの形式と合いません。個人番号を含むファイルは受け付けません。/ The CSV's columns do not match the notice format; files with My Numbers are refused.");
    public static readonly Kind BadCsvEncoding = new("urn:casesystem:problem:bad-csv-encoding", StatusCodes.Status400BadRequest,
        "CSV の文字コードを読めません。UTF-8 か Shift_JIS で保存してください。何も登録していません。/ The CSV's encoding cannot be read; save it as UTF-8 or Shift_JIS. Nothing was imported.");
    public static readonly Kind BadCsv = new("urn:casesystem:problem:bad-csv", StatusCodes.Status400BadRequest,
        "CSV として読めないため、何も登録していません。/ The file cannot be read as CSV; nothing was imported.");
    public static readonly Kind NoticeFileTooLarge = new("urn:casesystem:problem:notice-file-too-large", StatusCodes.Status413PayloadTooLarge,
        "ファイルが大きすぎます(64 MiB まで)。分けて取り込んでください。/ The file is too large (64 MiB at most); import it in parts.");
    public static readonly Kind IdempotencyKeyReused = new("urn:casesystem:problem:idempotency-key-reused", StatusCodes.Status422UnprocessableEntity,
        "この Idempotency-Key は別の内容の要求に使われています。新しい要求には新しいキーを使ってください。/ This Idempotency-Key was used for a different request; send a new key for a new request.");
    public static readonly Kind IdempotencyKeyInFlight = new("urn:casesystem:problem:idempotency-key-in-flight", StatusCodes.Status409Conflict,
        "同じ Idempotency-Key の要求を処理中です。少し待ってから再送してください。/ A request with this Idempotency-Key is still being processed; retry later.");
    public static readonly Kind Internal = new("urn:casesystem:problem:internal-error", StatusCodes.Status500InternalServerError,
        "システムエラーが発生しました。/ Internal error.");
    public static readonly Kind DatabaseUnavailable = new("urn:casesystem:problem:database-unavailable", StatusCodes.Status503ServiceUnavailable,
        "データベースに接続できません。少し待ってからもう一度お試しください。/ The database cannot be reached; try again shortly.");

    // What ASP.NET Core's routing and Wolverine answer with an empty body (no route, a method the
    // route does not take, a body that is not JSON): given a type here by ApiStatusProblems.
    public static readonly Kind NotFound = new("urn:casesystem:problem:not-found", StatusCodes.Status404NotFound,
        "そのアドレスの API はありません。/ No API at this address.");
    public static readonly Kind MethodNotAllowed = new("urn:casesystem:problem:method-not-allowed", StatusCodes.Status405MethodNotAllowed,
        "このアドレスはこのメソッドを受け付けません(Allow ヘッダーを参照)。/ This address does not take this method (see the Allow header).");
    public static readonly Kind NotAcceptable = new("urn:casesystem:problem:not-acceptable", StatusCodes.Status406NotAcceptable,
        "この API は JSON で応答します。Accept に application/json を含めてください。/ This API answers in JSON; accept application/json.");
    public static readonly Kind UnsupportedMediaType = new("urn:casesystem:problem:unsupported-media-type", StatusCodes.Status415UnsupportedMediaType,
        "本文の形式(Content-Type)を受け付けません。application/json で送ってください。何も記録していません。/ The body's Content-Type is not accepted; send application/json. Nothing was recorded.");

    public static readonly Kind IntegrityScanRunning = new("urn:casesystem:problem:integrity-scan-running", StatusCodes.Status429TooManyRequests,
        "この自治体の整合性チェックを実行中です。少し待ってから次のページを要求してください。/ An integrity check of this municipality is running; ask again shortly.");
    public static readonly Kind AnchoringOff = new("urn:casesystem:problem:anchoring-not-configured", StatusCodes.Status503ServiceUnavailable,
        "アンカーの署名鍵と記録先が設定されていないため、アンカーを作成できません(CASES_ANCHOR_KEY, CASES_ANCHOR_LOG)。/ Anchoring is not configured (CASES_ANCHOR_KEY, CASES_ANCHOR_LOG), or this server holds only the public key.");
    public static readonly Kind AnchoringBusy = new("urn:casesystem:problem:anchoring-busy", StatusCodes.Status503ServiceUnavailable,
        "他のアンカー作成が終わらないため、作成できませんでした。少し待ってからもう一度お試しください。/ Another anchoring did not finish in time; try again shortly.");

    /// <summary>Seconds a client waits before it tries again while the database cannot be reached: about a PostgreSQL restart.</summary>
    public const int DatabaseRetryAfterSeconds = 5;

    public static IResult Result(Kind kind, string? detail = null, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(detail: detail, statusCode: kind.Status, title: kind.Title, type: kind.Type, extensions: extensions);

    public static ProblemDetails Details(Kind kind, string? detail = null) =>
        new() { Type = kind.Type, Title = kind.Title, Status = kind.Status, Detail = detail };

    /// <summary>
    /// Gives Wolverine's own problem answers (written without a type) a stable type and Japanese
    /// text: the Idempotency-Key reused for another request (422) or still in flight (409), a body
    /// it could not read (400).
    /// </summary>
    public static void Customize(ProblemDetailsContext context)
    {
        Telemetry.ServerErrors.LogOnce(context);
        var details = context.ProblemDetails;
        if (details.Type is { } type && type.StartsWith("urn:casesystem:", StringComparison.Ordinal)) return;
        // A body Wolverine could not read as the request: the field named by its JSON path.
        if (Api.Validation.JsonBodyProblems.TryRewrite(context.HttpContext, details)) return;
        var kind = (details.Status, details.Detail) switch
        {
            (StatusCodes.Status422UnprocessableEntity, { } d) when d.Contains("already used for a different request", StringComparison.Ordinal) => IdempotencyKeyReused,
            (StatusCodes.Status409Conflict, { } d) when d.Contains("is still being processed", StringComparison.Ordinal) => IdempotencyKeyInFlight,
            // A body Wolverine could not read.
            (StatusCodes.Status400BadRequest, _) => BadRequest,
            // A command to a case this municipality does not have.
            (StatusCodes.Status404NotFound, _) => StreamNotFound,
            _ => null,
        };
        if (kind is null) return;
        details.Type = kind.Type;
        details.Title = kind.Title;
        if (kind != BadRequest) details.Detail = null;
    }

    /// <summary>
    /// The 503 of a database away, answered where the exception handler does not run (the
    /// authentication middleware comes before it): Retry-After and the same warning as the handler logs.
    /// </summary>
    public static IResult DatabaseUnavailableResult(HttpContext http, Exception e)
    {
        WhileDatabaseAway(http, e, http.RequestServices.GetService(typeof(Microsoft.Extensions.Logging.ILogger<ProblemDetailsExceptionHandler>))
            as Microsoft.Extensions.Logging.ILogger);
        return Result(DatabaseUnavailable);
    }

    /// <summary>
    /// Issue 14: while PostgreSQL restarts the answer is 503 with a time to retry, and the operator
    /// sees why: the warning and the Retry-After of every such answer, wherever it is made.
    /// </summary>
    internal static void WhileDatabaseAway(HttpContext http, Exception e, Microsoft.Extensions.Logging.ILogger? logger)
    {
        if (logger is not null)
        {
            Microsoft.Extensions.Logging.LoggerExtensions.LogWarning(logger, "database unavailable answering {Method} {Path} (trace {TraceId}): {Error}",
                http.Request.Method, http.Request.Path, System.Diagnostics.Activity.Current?.Id ?? http.TraceIdentifier, e.GetBaseException().Message);
            Telemetry.ServerErrors.MarkLogged(http);
        }
        http.Response.Headers.RetryAfter = DatabaseRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public static Kind? For(Exception e) => e switch
    {
        // Minimal APIs raise this (ThrowOnBadRequest) for a body of another content type.
        BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType } => UnsupportedMediaType,
        BadHttpRequestException => BadRequest,
        JasperFx.ConcurrencyException => ConcurrencyConflict,
        System.Text.Json.JsonException => BadRequest,
        _ when DatabaseGone(e) => DatabaseUnavailable,
        _ => null,
    };

    /// <summary>
    /// The database cannot be reached or is shutting down or starting (connection refused or reset,
    /// 57P01-57P03): Npgsql calls these transient, and Marten's and Wolverine's wrappers carry them inside.
    /// </summary>
    private static bool DatabaseGone(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            // 26000 (prepared statement "_autoN" does not exist): a statement Npgsql prepared automatically
            // (Max Auto Prepare) is gone with the session of a PostgreSQL that restarted; the request did
            // nothing and is to be sent again, as for a connection lost (ops/chaos, pg-restart, 2026-12-03).
            if (x is Npgsql.PostgresException postgres)
                return postgres.SqlState is "57P01" or "57P02" or "57P03" or "26000" || postgres.SqlState.StartsWith("08", StringComparison.Ordinal);
            if (x is Npgsql.NpgsqlException { IsTransient: true }) return true;
            // Several failures at once (a commit and then the read of an idempotency claim, ops/chaos): any of them.
            if (x is AggregateException all) return all.InnerExceptions.Any(DatabaseGone);
        }
        return false;
    }
}

/// <summary>
/// Turns domain and store errors into problem details: a rule violation is 422 with a type of
/// its own per rule (urn:casesystem:rule:&lt;id&gt;) and the rule's seed; anything unexpected is a
/// 500 that names no internals.
/// </summary>
internal sealed class ProblemDetailsExceptionHandler(IProblemDetailsService problems, Microsoft.Extensions.Logging.ILogger<ProblemDetailsExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (exception is CaseSystem.Cases.Renewal.RuleViolation violation)
        {
            http.Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                Exception = exception,
                ProblemDetails = new ProblemDetails
                {
                    Type = "urn:casesystem:rule:" + violation.Rule.Id,
                    Title = violation.Rule.Ja + " / " + violation.Rule.En,
                    Status = StatusCodes.Status422UnprocessableEntity,
                    Detail = violation.Detail,
                    Extensions = { ["rule"] = violation.Rule.Id, ["seed"] = violation.Rule.Seed },
                },
            });
        }
        var kind = Problems.For(exception) ?? Problems.Internal;
        var trace = System.Diagnostics.Activity.Current?.Id ?? http.TraceIdentifier;
        if (kind == Problems.Internal)
        {
            Microsoft.Extensions.Logging.LoggerExtensions.LogError(logger, exception, "unexpected error answering {Method} {Path} (trace {TraceId})",
                http.Request.Method, http.Request.Path, trace);
            Telemetry.ServerErrors.MarkLogged(http);
        }
        if (kind == Problems.DatabaseUnavailable) Problems.WhileDatabaseAway(http, exception, logger);
        http.Response.StatusCode = kind.Status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Type = kind.Type,
                Title = kind.Title,
                Status = kind.Status,
                // Neither an internal error nor a connection failure names internals (hosts, ports, statements).
                Detail = kind == Problems.Internal || kind == Problems.DatabaseUnavailable ? null : exception.Message,
            },
        });
    }
}
