using CaseSystem.Cases;
using CaseSystem.Cases.Api;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Store.HashChain;
using Marten;

namespace CaseSystem.Projections.AuditTrail;

/// <param name="CorrectedBy">The versions of the later corrections of this entry: the void of it, the amendments of its visit's outcome or documents.</param>
/// <param name="Voided">Whether a later entry voided it: it stays in the log, and no longer counts.</param>
public sealed record AuditEntry(
    long Sequence, long Version, string Type, string Ja, DateTimeOffset At, DateTimeOffset RecordedAt,
    string? Actor, string? Office, string? Command, string? CorrelationId, object Data,
    IReadOnlyList<long> CorrectedBy, bool Voided);

/// <summary>A case's whole history as a supervisor audits it: every event with who, where, when and why, whether its hash chain holds, and who has read it.</summary>
public sealed record AuditTrailView(Guid CaseId, string Municipality, ChainVerification Chain, IReadOnlyList<AuditEntry> Events, IReadOnlyList<CaseViewRecord> ViewedBy);

/// <summary>
/// Read from the event store itself, not from a projection: what a supervisor must be able to
/// trust is the stored record and its hash chain, checked at the moment of asking.
/// </summary>
public sealed class AuditTrailQuery(IDocumentStore store, ChainVerifier chains, CaseViewLog views)
{
    /// <summary>The case's trail; null when the municipality has no such case.</summary>
    public async Task<AuditTrailView?> ForCaseAsync(string municipality, Guid caseId, CancellationToken ct = default)
    {
        if (await chains.VerifyStreamAsync(municipality, caseId, ct) is not { } chain) return null;
        var loaded = await LoadedCase.ReadAsync(store, municipality, caseId, ct);
        var corrections = Corrected(loaded.Events);
        var entries = loaded.Events.Select(e => new AuditEntry(
            e.Sequence, e.Version, e.EventTypeName, EventNames.Ja(e.EventTypeName),
            e.Data is Cases.Renewal.RenewalEvent r ? r.At.ToOffset(JapanTime.Offset) : e.Timestamp.ToOffset(JapanTime.Offset),
            e.Timestamp.ToOffset(JapanTime.Offset), e.UserName, e.Office(), e.Command(), e.CorrelationId, e.Data,
            corrections.TryGetValue(e.Version, out var by) ? [.. by.Select(c => c.Version)] : [],
            by?.Any(c => c.Voids) == true)).ToList();
        return new AuditTrailView(caseId, municipality, chain, entries, await views.ForCaseAsync(municipality, caseId, ct));
    }

    /// <summary>
    /// For each corrected entry (by version), the corrections of it: a void names its entry's
    /// version; an outcome amended corrects the visit's end; documents amended, the visit's start.
    /// </summary>
    private static Dictionary<long, List<(long Version, bool Voids)>> Corrected(IReadOnlyList<JasperFx.Events.IEvent> events)
    {
        var started = new Dictionary<int, long>();
        var ended = new Dictionary<int, long>();
        var corrected = new Dictionary<long, List<(long, bool)>>();
        void Add(long target, long by, bool voids)
        {
            if (!corrected.TryGetValue(target, out var list)) corrected[target] = list = [];
            list.Add((by, voids));
        }
        foreach (var e in events)
        {
            switch (e.Data)
            {
                case RenewalEvent.VisitStarted v: started[v.Visit] = e.Version; break;
                case RenewalEvent.VisitEnded v: ended[v.Visit] = e.Version; break;
                case RenewalEvent.EntryVoided x: Add(x.Version, e.Version, voids: true); break;
                case RenewalEvent.VisitOutcomeAmended a when ended.TryGetValue(a.Visit, out var end): Add(end, e.Version, voids: false); break;
                case RenewalEvent.VisitDocumentsAmended a when started.TryGetValue(a.Visit, out var start): Add(start, e.Version, voids: false); break;
            }
        }
        return corrected;
    }
}

public static class EventNames
{
    public static string Ja(string eventType) => eventType switch
    {
        "ExpiryNoticeSent" => "有効期限通知書の送付",
        "NoticeAmended" => "有効期限通知書の内容の訂正",
        "CaseOpenedAtCounter" => "窓口で案件を開始",
        "RenewalWindowOpened" => "更新受付期間の開始",
        "ReservationMade" => "来庁予約",
        "ArrivedAtOffice" => "来庁(番号札発行)",
        "CalledToCounter" => "窓口へ呼出し",
        "CardRead" => "カード読取り",
        "VisitStarted" => "窓口対応",
        "IdentityAccepted" => "本人確認済み",
        "IdentityRefused" => "本人確認不可",
        "PinMatched" => "暗証番号一致",
        "PinMismatchRecorded" => "暗証番号不一致",
        "PinLocked" => "暗証番号ロック",
        "PinReset" => "暗証番号の初期化",
        "DocumentInquiryMailed" => "文書照会の送付",
        "InquiryReplyReceived" => "回答書の受理",
        "InquiryOverdue" => "回答書の期限超過",
        "CertificatesRenewed" => "電子証明書の更新",
        "CertificatesIssued" => "電子証明書の発行",
        "CertificatesIssuedOnReissuedCard" => "再交付カードへの電子証明書の発行",
        "VisitEnded" => "窓口対応の終了",
        "CertificateLapsed" => "電子証明書の失効",
        "RegistryChangeReported" => "異動の届出",
        "RegistryChangeCompleted" => "異動手続の完了",
        "CaseClosed" => "案件の終了",
        "TicketDropped" => "番号札の取消し(不在・キャンセル)",
        "EntryVoided" => "記録の取消し(訂正)",
        "VisitOutcomeAmended" => "来庁結果の訂正",
        "VisitDocumentsAmended" => "提示書類の訂正",
        _ => eventType,
    };
}
