using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace CaseSystem.Cases.Api.Notices;

/// <summary>
/// <c>POST /api/{municipality}/notices?batch=NAME[&amp;amend=true]</c>: a J-LIS expiry notice batch
/// as CSV, one case per notice, its id derived from the notice number (<see cref="Renewal.CaseIds"/>).
/// <para>
/// <b>Whole file or line by line.</b> The whole body is read, decoded and parsed before anything
/// is appended. What makes the file itself unreadable refuses all of it, with a 400 problem that
/// names the first line at fault and nothing appended: bytes that are neither UTF-8 nor CP932
/// (<see cref="NoticeFileText"/>), a NUL byte, a quote never closed, a header that is not the
/// format's. Otherwise every line (after the header) ends in exactly one place of the report:
/// imported, already imported (the same notice, the same data), amended, a conflict (the same
/// notice number with other data: nothing recorded unless <c>amend=true</c>), or rejected with its
/// line, a reason code, the column, and the reason in Japanese and English. The lines are then
/// written in chunks (<see cref="NoticeWriter"/>), each its own transaction: if the server or the
/// database fails part-way, the request fails (500) with the earlier chunks recorded, and the same
/// file sent again completes it (a notice recorded already is "already imported").
/// </para>
/// <para>
/// <b>No value is ever echoed</b>, in a problem, a report or a log: reasons name lines and
/// columns only, since a My Number may have been pasted into any field (a field that looks like
/// one is refused, <see cref="Renewal.MyNumbers.LooksLikeOne"/>). A column the format does not
/// know refuses the whole file, named by its position.
/// </para>
/// </summary>
public static class NoticeImport
{
    /// <summary>The largest file taken (bytes): about 300,000 notices.</summary>
    public const long MaxBytes = 64L * 1024 * 1024;

    public static async Task<IResult> ImportAsync(string municipality, string? batch, string? amend, HttpRequest request, TimeProvider clock,
        ILoggerFactory logs, CancellationToken ct)
    {
        batch = batch?.Trim() ?? "";
        if (batch.Length == 0) return Problems.Result(Problems.BadRequest, "batch=<通知バッチ名> を指定してください。/ Give the batch name as ?batch=...");
        // The batch name enters every notice's event: the edge's characters, and never what looks like a My Number.
        if (batch.Length > 100 || Validation.RequestErrors.HasRefusedCharacter(batch) || Renewal.MyNumbers.LooksLikeOne(batch))
        {
            return Problems.Result(Problems.BadRequest,
                "通知バッチ名は100文字までで、制御文字や個人番号のような12桁の数字は使えません。/ The batch name is at most 100 characters, without control characters or a 12-digit number like a My Number.");
        }
        if (AmendRequested(amend) is not { } amending)
        {
            return Problems.Result(Problems.BadRequest, "amend には true か false を指定してください。/ amend must be true or false.");
        }

        var started = Stopwatch.GetTimestamp();
        if (await ReadBodyAsync(request, ct) is not { } body) return Problems.Result(Problems.NoticeFileTooLarge);
        MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType);
        var (text, encodingFault) = NoticeFileText.Decode(body.Span, contentType?.Charset.Value);
        if (encodingFault is not null) return Refused(Problems.BadCsvEncoding, encodingFault);
        var (records, csvFault) = CsvRecords.Read(text!.Text);
        if (csvFault is not null) return Refused(Problems.BadCsv, csvFault);

        if (records.Count == 0) return Problems.Result(Problems.BadRequest, "CSV の見出し行がありません。/ The CSV has no header line.");
        if (HeaderFault(records[0]) is { } headerFault) return Problems.Result(Problems.BadCsvColumns, headerFault);
        var header = records[0].Fields.Select((h, i) => (Name: h.Trim(), i)).ToDictionary(h => h.Name, h => h.i);

        var today = JapanTime.DateOf(clock.GetUtcNow());
        var tally = new NoticeImportTally();
        var notices = new List<NoticeLine>();
        var firstLineOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var lines = 0;
        foreach (var record in records.Skip(1))
        {
            // Excel writes rows it once formatted as empty fields: no line at all.
            if (record.Fields.All(string.IsNullOrWhiteSpace)) continue;
            lines++;
            var (notice, fault) = NoticeLines.Read(record, header, today);
            if (fault is not null)
            {
                tally.Rejected.Add(new RejectedLine(record.Line, fault.Reason, fault.Column, fault.Ja, fault.En));
            }
            else if (firstLineOf.TryGetValue(notice!.NoticeNumber, out var first))
            {
                tally.Rejected.Add(new RejectedLine(record.Line, "duplicate-in-file", NoticeLines.NoticeNumber,
                    $"同じ通知書番号が {first} 行目にもあります。", $"The notice number is on line {first} too."));
            }
            else
            {
                firstLineOf.Add(notice.NoticeNumber, record.Line);
                notices.Add(notice);
            }
        }

        var http = request.HttpContext;
        var correlation = request.Headers["X-Correlation-ID"].ToString() is { Length: > 0 and <= 200 } c ? c : null;
        await new NoticeWriter(http.RequestServices, municipality, batch, amending, Actor.Of(http), correlation, clock).WriteAsync(notices, tally, ct);
        var report = tally.Report(batch, text.Encoding, amending, lines);
        logs.CreateLogger(typeof(NoticeImport)).LogInformation(
            "notice import ({Encoding}{Amend}) into {Municipality}: {Lines} lines, {Imported} imported, {Already} already, {Amended} amended, {Conflicting} conflicting, {Rejected} rejected in {Seconds:0.0} s",
            report.Encoding, amending ? ", amend" : "", municipality, lines, report.Imported, report.AlreadyImported, report.Amended, report.Conflicting,
            report.Rejected.Count, Stopwatch.GetElapsedTime(started).TotalSeconds);
        return Results.Ok(report);
    }

    /// <summary>amend=true|false (default false); null when it is something else (not echoed).</summary>
    private static bool? AmendRequested(string? amend) => amend switch
    {
        null or "" or "false" or "0" => false,
        "true" or "1" => true,
        _ => null,
    };

    /// <summary>The whole body, or null when it is larger than <see cref="MaxBytes"/>.</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBytes) return null;
        // Kestrel's own limit (30 MB by default) is raised for this request; ours is checked as it is read.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxBytes + 1;
        using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 64 * 1024);
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    /// <summary>Why the header is not the format's: columns it does not know (by position: the header may be a line of data), columns missing, a column twice.</summary>
    private static string? HeaderFault(CsvRecord header)
    {
        var names = header.Fields.Select(h => h.Trim()).ToList();
        var unknown = names.Select((h, i) => (h, Position: i + 1)).Where(x => !NoticeLines.Columns.Contains(x.h)).Select(x => x.Position).ToList();
        var missing = NoticeLines.Columns.Where(c => c != NoticeLines.Optional && !names.Contains(c)).ToList();
        var twice = names.GroupBy(h => h).Where(g => g.Count() > 1 && NoticeLines.Columns.Contains(g.Key)).Select(g => g.Key).ToList();
        if (unknown.Count == 0 && missing.Count == 0 && twice.Count == 0) return null;
        // Name the columns the format knows, and the others by position only: never what the header says.
        var positions = string.Join(", ", unknown);
        return $"不明な列: {(unknown.Count == 0 ? "なし" : positions + " 列目")} / 不足している列: {(missing.Count == 0 ? "なし" : string.Join(", ", missing))}" +
               $"{(twice.Count == 0 ? "" : " / 重複している列: " + string.Join(", ", twice))}。何も登録していません。" +
               $" Unknown columns: {(unknown.Count == 0 ? "none" : "at " + positions)}; missing: {(missing.Count == 0 ? "none" : string.Join(", ", missing))}" +
               $"{(twice.Count == 0 ? "" : "; twice: " + string.Join(", ", twice))}. Nothing was imported.";
    }

    private static IResult Refused(Problems.Kind kind, FileFault fault) => Problems.Result(kind,
        (fault.Line is { } line ? $"{line} 行目: " : "") + fault.Ja + " / " + (fault.Line is { } l ? $"Line {l}: " : "") + fault.En,
        new Dictionary<string, object?> { ["reason"] = fault.Reason, ["line"] = fault.Line });
}
