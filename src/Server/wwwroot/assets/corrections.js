// The desk's corrections (issue 12): a ticket that leaves the queue, and the corrections of a case
// (void an arrival or a visit recorded on the wrong case, amend a visit's outcome or the documents
// of the visit in progress), each with a required reason. Shown only where the case's
// allowedActions allow; the server decides and says why when it refuses.
import { h, outcomeJa, replyFormJa } from "/assets/app.js";

export const correctionEndpoints = {
  drop: "tickets/current/drop", void: "voided-entries", outcome: "visit-outcome-amendments", documents: "visits/current/documents",
};

const reasonField = (field, key) => field(`${key}-reason`, "理由(必須・200文字以内、マイナンバー・暗証番号は書かない)", "Reason (required)",
  h("textarea", { id: `${key}-reason`, name: "reason", required: true, maxlength: 200, rows: 2 }));

/** The open ticket leaves the queue: the holder did not come when called, or the ticket is cancelled. */
export function dropForm({ commandForm, field, view }) {
  const t = view.ticket;
  return commandForm("drop", "番号札を取り消す(不在・キャンセル)", "Drop the ticket: no-show or cancelled", [
    h("p", { class: "muted", id: "open-ticket" }, `番号札 ${t && t.number ? t.number : "(番号なし)"} がお待ち・呼出し中です。`),
    field("drop-kind", "理由", "Why", h("select", { id: "drop-kind", name: "drop" },
      [["NoShow", "呼出しに応答なし(不在)"], ["Cancelled", "キャンセル"]].map(([v, t]) => h("option", { value: v }, t)))),
  ], f => ({ drop: f.get("drop") }), "番号札を取り消す");
}

/** What each voidable entry is, for the clerk. */
function entryJa(e, officeJa) {
  return e.entry === "VisitStarted"
    ? `${e.visit}回目の窓口対応(${officeJa(e.office)})・第${e.version}版`
    : `来庁 番号札 ${e.ticketNumber || "(番号なし)"}(${officeJa(e.office)})・第${e.version}版`;
}

/**
 * The corrections the case allows now, in a collapsed group: void an entry, amend an ended
 * visit's outcome, amend the documents of the visit in progress (the identity check is made again).
 */
export function correctionsGroup({ commandForm, field, view, allowed, officeJa, documentFields }) {
  const forms = [];
  if (allowed.has(correctionEndpoints.void) && view.corrections.voidable.length) {
    forms.push(commandForm("void", "記録を取り消す(別の案件に記録したとき)", "Void an entry recorded on the wrong case", [
      field("void-entry", "取り消す記録", "Entry", h("select", { id: "void-entry", name: "version" },
        view.corrections.voidable.map(e => h("option", { value: e.version }, entryJa(e, officeJa))))),
      reasonField(field, "void"),
      h("p", { class: "muted" }, "記録は消えずに残り、取消しとして履歴に表示されます。更新・暗証番号などの事実は取り消せません。"),
    ], f => ({ entryVersion: Number(f.get("version")), reason: f.get("reason") }), "取消しを記録"));
  }
  if (allowed.has(correctionEndpoints.outcome) && view.corrections.outcomeAmendable.length) {
    forms.push(commandForm("outcome", "来庁の結果を訂正する", "Amend a visit's outcome", [
      field("outcome-visit", "来庁", "Visit", h("select", { id: "outcome-visit", name: "visit" },
        view.corrections.outcomeAmendable.map(n => h("option", { value: n }, `${n}回目`)))),
      field("outcome-value", "正しい結果", "Outcome", h("select", { id: "outcome-value", name: "outcome" },
        Object.entries(outcomeJa).map(([v, t]) => h("option", { value: v }, t)))),
      reasonField(field, "outcome"),
    ], f => ({ visit: Number(f.get("visit")), outcome: f.get("outcome"), reason: f.get("reason") }), "結果の訂正を記録"));
  }
  if (allowed.has(correctionEndpoints.documents) && view.currentVisit) {
    const proxy = view.currentVisit.whoCame === "AppointedProxy";
    forms.push(commandForm("documents", "提示書類を訂正する(本人確認をやり直します)", "Amend the documents shown; identity is checked again", [
      ...documentFields("amend"),
      proxy ? field("amend-reply-form", "照会書兼回答書", "Reply form", h("select", { id: "amend-reply-form", name: "replyForm" },
        ["Sealed", "Missing", "Incomplete"].map(v => h("option", { value: v, selected: v === view.currentVisit.replyForm }, replyFormJa[v])))) : null,
      h("label", { class: "check", for: "amend-authority-on-record" },
        h("input", { type: "checkbox", id: "amend-authority-on-record", name: "authorityOnRecord" }), "親子関係・代理権を市の記録で確認できる"),
      reasonField(field, "documents"),
    ], f => ({
      documents: documentsOf(f), replyForm: proxy ? f.get("replyForm") : "NotApplicable",
      authorityOnRecord: f.get("authorityOnRecord") === "on", reason: f.get("reason"),
    }), "書類の訂正を記録"));
  }
  if (!forms.length) return null;
  return h("details", { id: "corrections", class: "corrections" },
    h("summary", {}, "記録の訂正・取消し", h("span", { class: "en" }, " Corrections")), forms);
}

/**
 * The ticked documents of a form, as the API takes them: "owner:kind" values, each with the dates
 * asked beside it (inputs named issuedOn:owner:kind and validUntil:owner:kind, ISO dates as
 * <input type=date> gives them), null where the document has no such date or it was left empty.
 */
export function documentsOf(f) {
  return f.getAll("doc").map(v => {
    const [owner, kind] = v.split(":");
    return { kind, owner, issuedOn: f.get(`issuedOn:${v}`) || null, validUntil: f.get(`validUntil:${v}`) || null };
  });
}

/**
 * The visits, from the case's events, with their corrections: a voided visit is marked and does
 * not count, an amended outcome or document list shows the amended one and says so.
 */
export function visitsFromEvents(events) {
  const visits = new Map();
  const byVersion = new Map();
  for (const e of events) {
    const d = e.data;
    if (e.type === "VisitStarted") { const v = { ...d, started: d.at, actor: e.actor }; visits.set(d.visit, v); byVersion.set(e.version, v); }
    else if (e.type === "IdentityAccepted" && visits.has(d.visit)) visits.get(d.visit).identity = { ok: true };
    else if (e.type === "IdentityRefused" && visits.has(d.visit)) visits.get(d.visit).identity = { ok: false, reason: d.reason, rule: d.rule };
    else if (e.type === "VisitEnded" && visits.has(d.visit)) visits.get(d.visit).ended = d;
    else if (e.type === "VisitOutcomeAmended" && visits.get(d.visit)?.ended) Object.assign(visits.get(d.visit), { ended: { ...visits.get(d.visit).ended, outcome: d.outcome }, outcomeAmended: d.reason });
    else if (e.type === "VisitDocumentsAmended" && visits.has(d.visit)) Object.assign(visits.get(d.visit), { documents: d.documents, replyForm: d.replyForm, documentsAmended: d.reason });
    else if (e.type === "EntryVoided" && byVersion.has(d.version)) byVersion.get(d.version).voided = d.reason;
  }
  return [...visits.values()];
}
