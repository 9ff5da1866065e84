import { h } from "/assets/app.js";

// The case page's sense of where a case stands (issue 13): its step in the counter's flow, and
// the days a clerk counts (to the expiry, to the inquiry reply's due date).

/**
 * Where the case stands in the counter's flow (issue 13): 受付 → 本人確認 → 暗証番号 → 更新・発行 →
 * 交付・終了, from the case view; the steps before are done, the current one is open below.
 */
const steps = [["reception", "受付"], ["identity", "本人確認"], ["pin", "暗証番号"], ["renewal", "更新・発行"], ["finish", "交付・終了"]];
function currentStep(view) {
  const visit = view.currentVisit;
  if (view.status !== "active" || view.renewedUntil) return "finish";
  if (!visit) return "reception";
  if (visit.identityAccepted !== true) return "identity";
  const outstanding = ["UserAuthentication", "Signing"].filter(c => c !== "Signing" || view.expiry.signingExpiry);
  return outstanding.every(c => visit.pinsVerified.includes(c)) ? "renewal" : "pin";
}
export function stepper(view) {
  const current = currentStep(view);
  const at = steps.findIndex(([code]) => code === current);
  const closed = view.status !== "active";
  return h("ol", { class: "stepper", id: "stepper", "aria-label": "手続きの流れ" }, steps.map(([code, ja], i) =>
    h("li", { dataset: { step: code, state: closed || i < at ? "done" : i === at ? "current" : "todo" }, "aria-current": i === at && !closed ? "step" : null },
      closed || i < at ? "✓ " : "", ja)));
}

/** Whole days from one ISO date to another. */
const daysBetween = (from, to) => Math.round((Date.parse(to.slice(0, 10) + "T00:00:00Z") - Date.parse(from.slice(0, 10) + "T00:00:00Z")) / 86400000);

/** What a clerk needs to know of the expiry today: days until renewal opens, until expiry, or since it. */
export function expiryCountdown(today, opens, until) {
  if (today < opens) return `更新の受付開始まであと${daysBetween(today, opens)}日(有効期限まであと${daysBetween(today, until)}日)`;
  const left = daysBetween(today, until);
  if (left > 0) return `有効期限まであと${left}日`;
  if (left === 0) return "本日が有効期限です";
  return `有効期限から${-left}日経過(失効)`;
}

export function replyCountdown(today, due) {
  const left = daysBetween(today, due);
  return left > 0 ? `(回答期限まであと${left}日)` : left === 0 ? "(本日が回答期限)" : `(回答期限を${-left}日超過)`;
}

