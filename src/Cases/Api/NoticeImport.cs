using System.Globalization;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Store;
using CaseSystem.Cases.Timers;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;
using Wolverine.Marten;

namespace CaseSystem.Cases.Api;

public sealed record RejectedLine(int Line, string? NoticeNumber, string ReasonJa, string ReasonEn);

public sealed record NoticeImportReport(string Batch, int Lines, int Imported, int AlreadyImported, IReadOnlyList<RejectedLine> Rejected);

/// <summary>
/// A J-LIS expiry notice batch as CSV: one case per notice, its id derived from the notice
/// number, so that importing a batch again records nothing new. Columns (any order):
/// notice_number, name_kanji, name_kana, birth_date, registered_address,
/// user_authentication_expiry, signing_expiry (empty for a holder without one).
/// A column the format does not know refuses the whole file: that is how a file that holds
/// My Numbers is kept out, whatever its column is called.
/// </summary>
public static class NoticeImport
{
    public static readonly string[] Columns =
        ["notice_number", "name_kanji", "name_kana", "birth_date", "registered_address", "user_authentication_expiry", "signing_expiry"];

    public static async Task<IResult> ImportAsync(string municipality, string? batch, HttpRequest request,
        TimeProvider clock, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(batch)) return Problems.Result(Problems.BadRequest, "batch=<通知バッチ名> を指定してください。/ Give the batch name as ?batch=...");
        using var reader = new StreamReader(request.Body, System.Text.Encoding.UTF8);
        await using var records = CsvRecords.ReadAsync(reader).GetAsyncEnumerator(ct);
        if (!await records.MoveNextAsync())
        {
            return Problems.Result(Problems.BadRequest, "CSV の見出し行がありません。/ The CSV has no header line.");
        }
        var header = records.Current.Fields.Select(h => h.Trim()).ToList();
        var unknown = header.Where(h => !Columns.Contains(h)).ToList();
        var missing = Columns.Where(c => c != "signing_expiry" && !header.Contains(c)).ToList();
        if (unknown.Count > 0 || missing.Count > 0 || header.Distinct().Count() != header.Count)
        {
            // Name the columns, never any value: an unknown column may be the My Number.
            return Problems.Result(Problems.BadCsvColumns,
                $"不明な列: {string.Join(", ", unknown)} / 不足している列: {string.Join(", ", missing)}。何も登録していません。");
        }

        int lines = 0, imported = 0, already = 0;
        var rejected = new List<RejectedLine>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (await records.MoveNextAsync())
        {
            lines++;
            var (line, values) = records.Current;
            string? Field(string name) => header.IndexOf(name) is var i and >= 0 && i < values.Count ? values[i].Trim() : null;
            var notice = Field("notice_number");
            if (values.Count != header.Count)
            {
                rejected.Add(new RejectedLine(line, notice, $"列の数が見出しと違います({values.Count}列)。", $"{values.Count} fields where the header has {header.Count}."));
                continue;
            }
            var (command, error) = Parse(Field, notice, batch, clock.GetUtcNow());
            if (command is null)
            {
                rejected.Add(new RejectedLine(line, notice, error!.Value.Ja, error.Value.En));
                continue;
            }
            if (!seen.Add(command.NoticeNumber))
            {
                rejected.Add(new RejectedLine(line, notice, "同じ通知番号がこのファイルに2回あります。", "The notice number appears twice in this file."));
                continue;
            }
            try
            {
                if (await RecordAsync(request.HttpContext.RequestServices, municipality, command, Actor.Of(request.HttpContext), clock, ct)) imported++;
                else already++;
            }
            catch (RuleViolation violation)
            {
                rejected.Add(new RejectedLine(line, notice, violation.Rule.Ja, violation.Rule.En));
            }
        }
        return Results.Ok(new NoticeImportReport(batch, lines, imported, already, rejected));
    }

    /// <summary>
    /// One notice: its case loaded, decided and appended at the loaded version, its timers
    /// scheduled through Wolverine's outbox in the same transaction. The case id is the notice's,
    /// so a notice imported again decides nothing. False when it was there already.
    /// </summary>
    private static async Task<bool> RecordAsync(IServiceProvider services, string municipality, RenewalCommand.RecordExpiryNotice notice,
        Actor actor, TimeProvider clock, CancellationToken ct)
    {
        var caseId = CaseIds.ForNotice(municipality, notice.NoticeNumber);
        for (var attempt = 1; ; attempt++)
        {
            await using var scope = services.CreateAsyncScope();
            var outbox = scope.ServiceProvider.GetRequiredService<IMartenOutbox>();
            await using var session = scope.ServiceProvider.GetRequiredService<IDocumentStore>().LightweightSession(municipality);
            outbox.Enroll(session);
            var stream = await session.Events.FetchForWriting<RenewalCase>(caseId, ct);
            var decision = CaseDecision.Decide(session, municipality, caseId, stream.Aggregate, notice, actor, clock);
            if (decision.Events.Count == 0) return false;
            stream.AppendMany(decision.Events);
            foreach (var timer in decision.Timers.OfType<DeliveryMessage<CaseTimerDue>>())
            {
                await outbox.SendAsync(timer.Message, timer.Options);
            }
            try
            {
                await session.SaveChangesAsync(ct);
                return true;
            }
            catch (JasperFx.ConcurrencyException) when (attempt < 3)
            {
                // The same notice imported at the same moment by another request: decided again on what that one wrote.
            }
        }
    }

    private static (RenewalCommand.RecordExpiryNotice? Command, (string Ja, string En)? Error) Parse(
        Func<string, string?> Field, string? notice, string batch, DateTimeOffset now)
    {
        static bool Date(string? text, out DateOnly date) =>
            DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

        if (string.IsNullOrEmpty(notice)) return (null, ("通知番号がありません。", "No notice number."));
        var kanji = Field("name_kanji");
        var kana = Field("name_kana");
        var address = Field("registered_address");
        if (string.IsNullOrEmpty(kanji) || string.IsNullOrEmpty(kana) || string.IsNullOrEmpty(address))
        {
            return (null, ("氏名(漢字・カナ)と住所は必須です。", "Name (kanji and kana) and address are required."));
        }
        if (!Date(Field("birth_date"), out var birth)) return (null, ("生年月日は YYYY-MM-DD で記入してください。", "birth_date must be YYYY-MM-DD."));
        if (!Date(Field("user_authentication_expiry"), out var userExpiry))
        {
            return (null, ("利用者証明用電子証明書の有効期限は YYYY-MM-DD で記入してください。", "user_authentication_expiry must be YYYY-MM-DD."));
        }
        DateOnly? signing = null;
        if (Field("signing_expiry") is { Length: > 0 } signingText)
        {
            if (!Date(signingText, out var s)) return (null, ("署名用電子証明書の有効期限は YYYY-MM-DD で記入してください。", "signing_expiry must be YYYY-MM-DD."));
            signing = s;
        }
        if (birth >= userExpiry) return (null, ("生年月日が有効期限より後です。", "The birth date is after the expiry."));
        return (new RenewalCommand.RecordExpiryNotice(notice, new Holder(kanji, kana, birth, address), new CertificateDates(userExpiry, signing), batch, now), null);
    }
}
