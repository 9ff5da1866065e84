import { h, kids, api, header, problemBox, momentJa, caseIdFromPath } from "/assets/app.js";
import { eventData } from "/assets/event-data.js";
import { withWareki } from "/assets/wareki.js";

const s = await header();
const id = caseIdFromPath();
const officeJa = office => (s.offices.find(o => o.id === office) || { nameJa: office || "—" }).nameJa;
const whatJa = { case: "案件の表示", "case-as-of": "過去時点の案件", events: "記録の一覧", timeline: "利用再開の目安", audit: "監査での閲覧" };

const r = await api(`/cases/${id}/audit`);
if (!r.ok) {
  document.getElementById("chain").replaceChildren(...kids(problemBox(r.problem, "履歴を表示できません")));
} else {
  const trail = r.data;
  // The holder as the case's opening recorded them (the notice, or the counter's opening), amended if a notice was.
  const opened = [...trail.events].reverse().find(e => e.data && e.data.holder);
  const holder = opened ? opened.data.holder : null;
  const notice = trail.events.map(e => e.data && e.data.noticeNumber).find(Boolean);
  document.getElementById("title").replaceChildren(...kids(holder ? `${holder.nameKanji} 様の案件の履歴` : `案件 ${id} の履歴`, h("span", { class: "en" }, " Case history")));
  document.getElementById("case-facts").replaceChildren(...kids(h("dl", { class: "event-data" },
    h("dt", {}, "案件ID"), h("dd", { id: "record-case-id" }, id),
    holder ? [h("dt", {}, "名義人"), h("dd", {}, `${holder.nameKanji}(${holder.nameKana})`), h("dt", {}, "生年月日"), h("dd", {}, withWareki(holder.birthDate))] : null,
    notice ? [h("dt", {}, "通知書番号"), h("dd", {}, notice)] : null,
    h("dt", {}, "記録の件数"), h("dd", {}, `${trail.events.length}件`),
    h("dt", { class: "print-only" }, "出力"), h("dd", { class: "print-only", id: "record-printed" }, `${withWareki(s.today)} ${s.staffId}(${s.roleJa})`))));
  document.getElementById("print-record").addEventListener("click", () => window.print());
  const chain = trail.chain;
  document.getElementById("chain").replaceChildren(...kids(chain.isIntact
    ? h("div", { class: "notice ok", id: "chain-status", dataset: { intact: "true" } },
      h("strong", {}, "ハッシュチェーンの検証: 改ざんは見つかりませんでした。"), h("span", { class: "en" }, " Hash chain intact."),
      h("div", { class: "muted" }, `${trail.events.length}件の記録を、記録時のハッシュと照合しました(照会時点で検証)。`),
      // What the signed anchors cover, and what only the chain does (issue 14).
      chain.anchors ? h("div", { class: "muted", id: "chain-anchors" }, chain.anchors.note) : null)
    : h("div", { class: "problem", id: "chain-status", role: "alert", dataset: { intact: "false" } },
      h("h3", {}, "ハッシュチェーンの検証: 不一致があります"), h("span", { class: "en" }, " Hash chain broken."),
      h("pre", {}, JSON.stringify(chain, null, 2)))));
  // Corrections (issue 12): a voided entry stays, marked; a correction names the entry it corrects and why.
  const correction = e => e.type === "EntryVoided" ? `第${e.data.version}版を取消し ・ 理由: ${e.data.reason}`
    : e.type === "VisitOutcomeAmended" || e.type === "VisitDocumentsAmended" ? `${e.data.visit}回目の来庁を訂正 ・ 理由: ${e.data.reason}` : null;
  document.getElementById("events").replaceChildren(...kids(h("ol", { class: "timeline", id: "event-list" }, trail.events.map(e =>
    h("li", { dataset: { type: e.type, version: e.version, voided: e.voided ? "true" : "false" } },
      h("div", {}, h("strong", {}, `第${e.version}版 ${e.ja}`), h("span", { class: "en" }, ` ${e.type}`),
        e.voided ? [" ", h("span", { class: "tag bad" }, "取消し済み"), h("span", { class: "en" }, " Voided")] : null,
        e.correctedBy.length ? h("span", { class: "muted" }, ` (第${e.correctedBy.join("・")}版で訂正)`) : null),
      correction(e) ? h("div", { class: "correction" }, correction(e)) : null,
      h("div", { class: "when" }, `${momentJa(e.at)} ・ 職員 ${e.actor || "(システム)"} ・ ${officeJa(e.office)} ・ ${e.command || "—"}`,
        e.recordedAt !== e.at ? ` ・ 記録 ${momentJa(e.recordedAt)}` : ""),
      eventData(e.data, { office: officeJa }),
      h("details", { class: "no-print" }, h("summary", {}, "記録されたデータ(JSON) ", h("span", { class: "en" }, "Stored JSON")), h("pre", {}, JSON.stringify(e.data, null, 2))))))));
  document.getElementById("views").replaceChildren(...kids(trail.viewedBy.length
    ? h("table", { id: "viewers" },
      h("thead", {}, h("tr", {}, ["日時", "職員", "役割", "窓口", "内容"].map(t => h("th", { scope: "col" }, t)))),
      h("tbody", {}, trail.viewedBy.map(v => h("tr", {},
        h("td", {}, momentJa(v.viewedAt)), h("td", {}, v.staffId), h("td", {}, v.role), h("td", {}, officeJa(v.office)), h("td", {}, whatJa[v.what] || v.what)))))
    : h("p", {}, "閲覧の記録はありません。")));
}
