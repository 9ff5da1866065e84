import { h, momentJa } from "/assets/app.js";

const statusJa = { available: ["利用できます", "ok"], pending: ["まだ使えません", "warn"], conditional: ["条件により利用できます", "warn"] };

/** The activation timeline (GET /cases/{id}/timeline) as the holder is given it: per procedure, each service and from when. */
export function timelineView(timeline) {
  if (!timeline.procedures.length) return [h("p", {}, "まだ窓口での手続き(更新・発行・暗証番号の初期化)はありません。")];
  return timeline.procedures.map(p => h("div", { class: "procedure" },
    h("h3", {}, `${p.ja}(${momentJa(p.doneAt)})`, h("span", { class: "en" }, " " + p.en)),
    h("table", {},
      h("thead", {}, h("tr", {}, ["サービス", "使えるようになる目安", "現在", "注記"].map(t => h("th", { scope: "col" }, t)))),
      h("tbody", {}, p.services.map(s => {
        const [label, kind] = statusJa[s.status] || [s.status, ""];
        return h("tr", { dataset: { service: s.service } },
          h("th", { scope: "row" }, s.ja, h("span", { class: "en" }, " " + s.en)),
          h("td", {}, s.rule.ja, h("br"), h("strong", {}, momentJa(s.availableFrom)), s.latestFrom ? ` 〜 遅くとも ${momentJa(s.latestFrom)}` : ""),
          h("td", {}, h("span", { class: `tag ${kind}` }, label)),
          h("td", {}, s.caveats.length ? h("ul", {}, s.caveats.map(c => h("li", {}, c.ja))) : "—"));
      }))),
    p.caveats.length ? h("div", {}, h("h4", {}, "ご注意 ", h("span", { class: "en" }, "Notes")), h("ul", {}, p.caveats.map(c => h("li", {}, c.ja)))) : null));
}
