import { h, momentJa } from "/assets/app.js";
import { withWareki } from "/assets/wareki.js";

const statusJa = { available: ["利用できます", "ok"], pending: ["まだ使えません", "warn"], conditional: ["条件により利用できます", "warn"] };

/** Whether the timeline has anything to say: a procedure done, or a notice about the health-insurance use. */
export const timelineHasContent = timeline =>
  timeline.procedures.length > 0 || !!timeline.insuranceRegistration || !!timeline.insuranceCardGrace;

/**
 * The notices about the card as a health-insurance card that stand before any procedure: the use
 * registration is closed within the municipality's days before the user-authentication expiry
 * (002, Fujiidera: 5 days), and an expired certificate's card works as one until the end of the
 * third month after (004).
 */
function insuranceNotices(timeline) {
  const closed = timeline.insuranceRegistration;
  const grace = timeline.insuranceCardGrace;
  return [
    closed ? h("div", { class: "notice warn", id: "insurance-registration", role: "note", dataset: { code: closed.caveat.code } },
      h("h3", {}, "健康保険証の利用申込みができません", h("span", { class: "en" }, " Health-insurance use registration closed")),
      h("p", {}, closed.caveat.ja),
      h("p", {}, `利用者証明用電子証明書の有効期限: ${withWareki(closed.certificateExpiresOn)} ・ 申込みができなくなった日: ${withWareki(closed.closedFrom)}`),
      h("p", { class: "en" }, closed.caveat.en),
      h("p", { class: "muted" }, `根拠: ${closed.caveat.seed}`)) : null,
    grace ? h("div", { class: `notice ${grace.status === "in-grace" ? "warn" : "bad"}`, id: "insurance-card-grace", role: "note", dataset: { code: grace.caveat.code, status: grace.status } },
      h("h3", {}, grace.status === "in-grace" ? "マイナ保険証として利用できる期間" : "マイナ保険証の利用期間は終了しました",
        h("span", { class: "en" }, grace.status === "in-grace" ? " Still works as a health-insurance card" : " No longer works as a health-insurance card")),
      h("p", {}, grace.caveat.ja),
      h("p", { class: "en" }, grace.caveat.en),
      h("p", { class: "muted" }, `根拠: ${grace.caveat.seed}`)) : null,
  ].filter(Boolean);
}

/** The activation timeline (GET /cases/{id}/timeline) as the holder is given it: the notices, then per procedure, each service and from when. */
export function timelineView(timeline) {
  const notices = insuranceNotices(timeline);
  if (!timeline.procedures.length) return [...notices, h("p", {}, "まだ窓口での手続き(更新・発行・暗証番号の初期化)はありません。")];
  return [...notices, ...timeline.procedures.map(p => h("div", { class: "procedure" },
    h("h3", {}, `${p.ja}(${momentJa(p.doneAt)})`, h("span", { class: "en" }, " " + p.en)),
    h("table", {},
      // "現在" is the status as of the moment shown: live on the screen, never frozen on paper.
      h("thead", {}, h("tr", {}, ["サービス", "使えるようになる目安", "現在", "注記"].map(t => h("th", { scope: "col", class: t === "現在" ? "live-only" : null }, t)))),
      h("tbody", {}, p.services.map(s => {
        const [label, kind] = statusJa[s.status] || [s.status, ""];
        return h("tr", { dataset: { service: s.service } },
          h("th", { scope: "row" }, s.ja, h("span", { class: "en" }, " " + s.en)),
          h("td", {}, s.rule.ja, h("br"), h("strong", {}, momentJa(s.availableFrom)), s.latestFrom ? ` 〜 遅くとも ${momentJa(s.latestFrom)}` : ""),
          h("td", { class: "live-only" }, h("span", { class: `tag ${kind}` }, label)),
          h("td", {}, s.caveats.length ? h("ul", {}, s.caveats.map(c => h("li", {}, c.ja))) : "—"));
      }))),
    p.caveats.length ? h("div", {}, h("h4", {}, "ご注意 ", h("span", { class: "en" }, "Notes")), h("ul", {}, p.caveats.map(c => h("li", {}, c.ja)))) : null))];
}

/** The foot of a handout: who handed it over, where to ask, and when it was printed. */
export function handoutFooter(session) {
  const contact = session.contact;
  return h("div", { class: "handout-footer", id: "handout-footer" },
    h("p", {}, `${session.municipalityJa} ${session.officeJa}`),
    contact ? h("p", { id: "handout-contact" }, `お問い合わせ: ${contact.nameJa} 電話 ${contact.phone}`, contact.hoursJa ? `(${contact.hoursJa})` : "")
      : h("p", { id: "handout-contact" }, `お問い合わせ: ${session.municipalityJa} ${session.officeJa}`),
    h("p", { id: "printed-on" }, `作成日: ${withWareki(session.today)}`));
}
