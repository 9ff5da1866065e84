using CaseSystem.Cases;
using CaseSystem.Cases.Api;
using CaseSystem.Cases.Store.HashChain;
using Marten;

namespace CaseSystem.Projections.AuditTrail;

public sealed record AuditEntry(
    long Sequence, long Version, string Type, string Ja, DateTimeOffset At, DateTimeOffset RecordedAt,
    string? Actor, string? Office, string? Command, string? CorrelationId, object Data);

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
        var entries = loaded.Events.Select(e => new AuditEntry(
            e.Sequence, e.Version, e.EventTypeName, EventNames.Ja(e.EventTypeName),
            e.Data is Cases.Renewal.RenewalEvent r ? r.At.ToOffset(JapanTime.Offset) : e.Timestamp.ToOffset(JapanTime.Offset),
            e.Timestamp.ToOffset(JapanTime.Offset), e.UserName, e.Office(), e.Command(), e.CorrelationId, e.Data)).ToList();
        return new AuditTrailView(caseId, municipality, chain, entries, await views.ForCaseAsync(municipality, caseId, ct));
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
        "VisitStarted" => "窓口受付",
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
        _ => eventType,
    };
}
