import { h, momentJa, whoCameJa, replyFormJa, certificateJa, outcomeJa, closureJa } from "/assets/app.js";
import { withWareki } from "/assets/wareki.js";

// An event's stored data as a supervisor reads it (issue 13): Japanese labels, dates with their
// 和暦, moments in Japan time, codes by their names. Unknown fields are shown as they are stored.

const labels = {
  office: "窓口", whoCame: "来庁者", documents: "提示書類", replyForm: "照会書兼回答書", holderPresent: "本人の同行",
  certificates: "電子証明書", certificate: "電子証明書", newExpiry: "新しい有効期限", feeYen: "手数料(円)", reason: "理由",
  outcome: "結果", visit: "来庁の回", ticket: "番号札", ticketNumber: "番号札", counter: "窓口番号", clerkId: "職員", triesLeft: "残り回数",
  holder: "名義人", nameKanji: "氏名", nameKana: "フリガナ", birthDate: "生年月日", registeredAddress: "住民登録地",
  expiry: "有効期限", userAuthenticationExpiry: "利用者証明用の有効期限", signingExpiry: "署名用の有効期限",
  noticeNumber: "通知書番号", batch: "通知バッチ", at: "日時", mailedTo: "送付先", mailedOn: "送付日", replyDueOn: "回答期限",
  closure: "終了の区分", version: "対象の版", entry: "対象の記録", rule: "規則", detail: "詳細", kind: "種類", owner: "所有者",
  issuedOn: "交付日", validUntil: "有効期限", expiredOn: "失効日", slotStart: "予約日時", opensOn: "更新受付開始日",
  drop: "取下げの区分", change: "変更", matched: "照合結果", onReissuedCard: "再交付カード",
};
const enums = { whoCame: whoCameJa, replyForm: replyFormJa, certificate: certificateJa, outcome: outcomeJa, closure: closureJa };
const ownerJa = { Holder: "本人", Representative: "代理人" };
const isDate = v => typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v);
const isMoment = v => typeof v === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v);

function value(key, v, names) {
  if (v === null || v === undefined) return "—";
  if (key === "office" && names.office) return names.office(v);
  if (typeof v === "boolean") return v ? "はい" : "いいえ";
  if (key === "certificates" && Array.isArray(v)) return v.map(c => certificateJa[c] || c).join("、");
  if (key === "owner") return ownerJa[v] || v;
  if (enums[key] && enums[key][v]) return enums[key][v];
  if (isDate(v)) return withWareki(v);
  if (isMoment(v)) return momentJa(v);
  if (Array.isArray(v)) return v.length ? h("ul", {}, v.map(x => h("li", {}, typeof x === "object" ? eventData(x, names) : value(key, x, names)))) : "なし";
  if (typeof v === "object") return eventData(v, names);
  return String(v);
}

/** The data as a definition list; <names> may name codes (office: id → its name). */
export function eventData(data, names = {}) {
  return h("dl", { class: "event-data" }, Object.entries(data || {}).flatMap(([k, v]) =>
    [h("dt", { dataset: { field: k } }, labels[k] || k), h("dd", {}, value(k, v, names))]));
}
