import { h, kids, api, problemBox } from "/assets/app.js";
import { barChart } from "/assets/chart.js";

const week = w => `${w.isoWeek} (${Number(w.monday.slice(5, 7))}/${Number(w.monday.slice(8, 10))}〜)`;

/** Renewals, lapses and waits per ISO week: two charts, each with its table. */
export async function showWeekly(s, into) {
  const r = await api("/reports/weekly", { query: { weeks: 13 } });
  if (!r.ok) { into.replaceChildren(...kids(problemBox(r.problem, "週ごとの推移を表示できません"))); return; }
  const weeks = r.data.weeks;
  into.replaceChildren(...kids(
    barChart({ id: "chart-weekly-outcomes", title: "週ごとの更新と失効", titleEn: "Renewals and lapses per week",
      rows: weeks.map(w => ({ label: week(w), values: [w.renewals, w.lapses] })),
      series: [{ name: "更新" }, { name: "失効", cls: "alt" }], format: v => `${v}件` }),
    barChart({ id: "chart-weekly-waits", title: "週ごとの平均待ち時間", titleEn: "Mean wait per week",
      rows: weeks.map(w => ({ label: `${week(w)} ${w.waitedVisits}回`, values: [w.waitMinutesMean],
        note: w.waitedVisits > 0 ? "5回未満" : "来庁なし" })),
      series: [{ name: "平均待ち時間" }], format: v => `${v.toFixed(1)}分` })));
}

/** The expiry wave: the assumptions with their figures, a chart of expected visits against capacity, and the weeks × offices table. */
export async function showForecast(s, into) {
  const r = await api("/forecast");
  if (!r.ok) { into.replaceChildren(...kids(problemBox(r.problem, "予測を表示できません"))); return; }
  const f = r.data, a = f.assumptions;
  const source = v => v === "observed" ? "実績" : "既定値";
  const main = (f.offices.find(o => o.office === a.unassignedTo) || { nameJa: a.unassignedTo }).nameJa;
  const assumptions = h("ul", {},
    h("li", {}, `更新率 ${(a.renewalRate * 100).toFixed(1)}%(${source(a.renewalRateSource)}${a.renewed != null ? `: ${a.renewed}件 / ${a.rateBase}件` : ""})`),
    h("li", {}, `1件あたり来庁回数 ${a.visitsPerCase.toFixed(2)}(${source(a.visitsPerCaseSource)}${a.visits != null ? `: ${a.visits}回 / ${a.finishedCases}件` : ""})`),
    h("li", {}, `平均対応時間 ${a.serviceMinutes.toFixed(1)}分(${source(a.serviceMinutesSource)}${a.servedVisits != null ? `: ${a.servedVisits}回の来庁` : ""})`),
    h("li", {}, `まだ来庁のない通知の分は${main}に計上しています。`, h("span", { class: "en" }, " Notices never visited are counted at the main office.")));
  const totals = f.weeks.map((w, i) => ({
    label: week(w),
    values: [f.offices.reduce((n, o) => n + o.weeks[i].expectedVisits, 0), f.offices.reduce((n, o) => n + o.weeks[i].capacity, 0)],
  }));
  const chart = barChart({ id: "chart-forecast", title: "見込み来庁数と対応可能数(全窓口)", titleEn: "Expected visits and capacity, all offices",
    rows: totals, series: [{ name: "見込み来庁数" }, { name: "対応可能数", cls: "alt" }], format: v => `${Math.round(v * 10) / 10}件` });
  const over = f.offices.flatMap(o => o.weeks.filter(c => c.overCapacity).map(c => `${o.nameJa} ${c.isoWeek}`));
  const table = h("div", { class: "forecast-wrap" }, h("table", { class: "forecast", id: "forecast-table" },
    h("caption", {}, "週ごとの有効期限到来件数・見込み来庁数 / 対応可能数 ", h("span", { class: "en" }, "Expiring, expected visits / capacity")),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "週"), f.offices.map(o => h("th", { scope: "col", class: "num" }, o.nameJa)))),
    h("tbody", {}, f.weeks.map((w, i) => h("tr", {}, h("th", { scope: "row" }, week(w)),
      f.offices.map(o => {
        const c = o.weeks[i];
        return h("td", { class: c.overCapacity ? "num over" : "num", title: `受付${c.receptionMinutes}分 × 窓口${o.counters} ÷ ${o.serviceMinutes}分` },
          `期限${c.expiring}件・見込${c.expectedVisits} / ${c.capacity}`, c.overCapacity ? " 超過" : "");
      }))))));
  into.replaceChildren(...kids(
    h("h2", {}, "予測の前提 ", h("span", { class: "en" }, "Assumptions")), assumptions,
    h("p", { id: "forecast-over", class: over.length ? "problem" : "muted" },
      over.length ? `対応可能数を超える週: ${over.join("、")}` : "対応可能数を超える週はありません。"),
    chart, table));
}
