namespace CaseSystem.Cases.Api.OpenApi;

/// <summary>
/// Every /api operation's id and summary, in one place: the OpenAPI document's contract with
/// integrators. Ids are stable (a generated client names its methods by them); summaries are
/// Japanese and English like the problems' titles. Keyed by method and route as the document
/// writes it (no route constraints); a mapped /api endpoint missing here fails OpenApiContractTests.
/// </summary>
public static class ApiCatalogue
{
    public sealed record Entry(string OperationId, string Summary);

    private const string M = "/api/{municipality}";
    private const string Case = M + "/cases/{caseId}";

    public static readonly IReadOnlyDictionary<string, Entry> Operations = new Dictionary<string, Entry>(StringComparer.Ordinal)
    {
        // Notices and cases.
        ["POST " + M + "/notices"] = new("importNotices", "通知バッチ(CSV)の取込 / Import a J-LIS expiry notice batch (CSV)"),
        ["POST " + M + "/cases"] = new("openCase", "窓口で案件を開始 / Open a case at the counter"),
        ["GET " + M + "/cases"] = new("findCases", "案件の検索(氏名・生年月日・通知番号)/ Find cases by name, birth date or notice number"),
        ["GET " + Case] = new("getCase", "案件(チェックリスト・可能な操作)/ The case, with its checklist and allowed actions"),
        ["GET " + Case + "/events"] = new("getCaseEvents", "案件の全履歴 / The case's full history"),
        ["GET " + Case + "/audit"] = new("getCaseAudit", "案件の監査証跡 / The case's audit trail"),
        ["GET " + Case + "/timeline"] = new("getCaseTimeline", "利用再開の目安 / The activation timeline"),
        ["GET " + Case + "/integrity"] = new("checkCaseIntegrity", "案件のハッシュチェーン検査 / Check the case's hash chain"),

        // The case's commands.
        ["POST " + Case + "/reservations"] = new("makeReservation", "来庁予約 / Make a reservation"),
        ["POST " + Case + "/arrivals"] = new("recordArrival", "来庁受付(整理券)/ Record an arrival with its ticket"),
        ["POST " + Case + "/calls"] = new("callToCounter", "窓口への呼出し / Call to a counter"),
        ["POST " + Case + "/card-reads"] = new("recordCardRead", "カードの読取り / Record a card read"),
        ["POST " + Case + "/visits"] = new("startVisit", "来庁の開始(本人確認書類)/ Start a visit with its identity documents"),
        ["POST " + Case + "/visits/current/end"] = new("endVisit", "来庁の終了 / End the current visit"),
        ["POST " + Case + "/pin-checks"] = new("recordPinCheck", "暗証番号の照合結果 / Record a PIN check"),
        ["POST " + Case + "/pin-resets"] = new("resetPin", "暗証番号の初期化 / Reset PINs"),
        ["POST " + Case + "/inquiries"] = new("mailInquiry", "照会書の郵送 / Mail a document inquiry"),
        ["POST " + Case + "/inquiry-replies"] = new("receiveInquiryReply", "回答書の受領 / Receive the inquiry's reply"),
        ["POST " + Case + "/renewals"] = new("renewCertificates", "電子証明書の更新 / Renew certificates"),
        ["POST " + Case + "/registry-changes"] = new("reportRegistryChange", "住民票の異動の申出 / Report a registry change"),
        ["POST " + Case + "/registry-changes/completed"] = new("completeRegistryChange", "住民票の異動の完了 / Complete a registry change"),
        ["POST " + Case + "/closure"] = new("closeCase", "案件の終了 / Close the case"),
        ["POST " + Case + "/tickets/current/drop"] = new("dropTicket", "整理券の取消し(不在・取りやめ)/ Drop the open ticket"),
        ["POST " + Case + "/voided-entries"] = new("voidEntry", "誤記録の取消し / Void an entry recorded on the wrong case"),
        ["POST " + Case + "/visit-outcome-amendments"] = new("amendVisitOutcome", "来庁結果の訂正 / Amend a visit's outcome"),
        ["POST " + Case + "/visits/current/documents"] = new("amendVisitDocuments", "本人確認書類の訂正 / Amend the current visit's documents"),

        // The queue.
        ["GET " + M + "/offices/{office}/board"] = new("getQueueBoard", "呼出し状況 / The office's queue board"),
        ["GET " + M + "/offices/{office}/board/stream"] = new("streamQueueBoard", "呼出し状況の配信(SSE)/ The queue board as Server-Sent Events"),
        ["POST " + M + "/offices/{office}/calls/next"] = new("callNext", "次の方の呼出し / Call the next ticket"),
        ["POST " + M + "/offices/{office}/calls/recall"] = new("recall", "再呼出し / Call a ticket again"),

        // Worklists, reports, the forecast.
        ["GET " + M + "/worklists/{list}"] = new("getWorklist", "業務リスト / A worklist"),
        ["GET " + M + "/reports/renewals"] = new("getRenewalReport", "更新状況の集計 / The renewal report"),
        ["GET " + M + "/reports/renewals.csv"] = new("getRenewalReportCsv", "更新状況の集計(CSV)/ The renewal report as CSV"),
        ["GET " + M + "/reports/weekly"] = new("getWeeklySeries", "週ごとの推移 / Renewals, lapses and waits per week"),
        ["GET " + M + "/forecast"] = new("getExpiryForecast", "有効期限の波の予測 / The expiry wave forecast"),

        // Audit and integrity.
        ["GET " + M + "/audit/events"] = new("searchAuditEvents", "操作記録の検索 / Search the recorded events"),
        ["GET " + M + "/audit/event-kinds"] = new("getAuditEventKinds", "操作の種類 / The kinds of recorded events"),
        ["GET " + M + "/integrity"] = new("checkIntegrity", "ハッシュチェーン検査(1ページ)/ Check one page of the hash chains"),
        ["POST " + M + "/integrity/anchors"] = new("anchorNow", "アンカーの作成 / Anchor the chain heads now"),

        // Operations.
        ["GET " + M + "/ops/projections"] = new("getProjections", "集計処理の状態 / The read models' status"),
        ["GET " + M + "/ops/projections/{name}/dead-letters"] = new("getProjectionDeadLetters", "集計処理の失敗イベント / A read model's dead letters"),
        ["POST " + M + "/ops/projections/{name}/{command}"] = new("controlProjection", "集計処理の操作 / Pause, resume or rebuild a read model"),

        // The staff directory.
        ["GET " + M + "/staff"] = new("listStaff", "職員名簿 / The staff directory"),
        ["POST " + M + "/staff"] = new("addStaffMember", "職員の追加 / Add a staff member"),
        ["PATCH " + M + "/staff/{staffId}"] = new("changeStaffMember", "職員の変更・無効化 / Change, disable or enable a staff member"),
        ["POST " + M + "/staff/{staffId}/password-reset"] = new("resetStaffPassword", "パスワードの再発行 / Reset a member's password"),
        ["POST " + M + "/staff/me/password"] = new("changeOwnPassword", "自分のパスワードの変更 / Change one's own password"),
    };

    public static Entry? For(string method, string route) => Operations.GetValueOrDefault(method.ToUpperInvariant() + " " + route);
}
