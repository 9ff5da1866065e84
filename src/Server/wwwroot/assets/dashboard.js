import { h, kids, api, header, problemBox } from "/assets/app.js";
import { barChart } from "/assets/chart.js";
import { showWeekly, showForecast } from "/assets/forecast.js";

const s = await header();
const form = document.getElementById("filters");
for (const o of s.offices) form.elements.office.append(...kids(h("option", { value: o.id }, o.nameJa)));
const officeJa = id => id ? (s.offices.find(o => o.id === id) || { nameJa: id }).nameJa : "(来庁なし)";
const pct = v => `${(v * 100).toFixed(1)}%`;
const num = v => v.toFixed(2);
const min = v => `${v.toFixed(1)}分`;
const days = v => `${v.toFixed(1)}日`;
const small = "5件未満";
const protectedNote = "他の区分の保護のため非表示";

function filters() {
  const f = new FormData(form), q = {};
  for (const k of ["office", "whoCame", "ageBand"]) if (f.get(k)) q[k] = f.get(k);
  if (f.get("cohortFrom")) q.cohortFrom = `${f.get("cohortFrom")}-01`;
  if (f.get("cohortTo")) q.cohortTo = `${f.get("cohortTo")}-01`;
  return q;
}

async function show() {
  const q = filters();
  const csv = new URL(`/api/${s.municipality}/reports/renewals.csv`, location.origin);
  for (const [k, v] of Object.entries({ ...q, groupBy: "cohortMonth,office" })) csv.searchParams.set(k, v);
  document.getElementById("csv").href = csv.pathname + csv.search;

  const [byMonth, byOffice] = await Promise.all([
    api("/reports/renewals", { query: { ...q, groupBy: "cohortMonth" } }),
    api("/reports/renewals", { query: { ...q, groupBy: "office" } }),
  ]);
  if (!byMonth.ok || !byOffice.ok) {
    document.getElementById("live").replaceChildren(...kids(problemBox((byMonth.ok ? byOffice : byMonth).problem, "集計を表示できません")));
    return;
  }
  document.getElementById("live").replaceChildren(...kids());
  const t = byMonth.data.totals;
  const card = (label, en, value, ratio) => h("div", { class: "figure" }, h("div", { class: "value" }, value),
    ratio ? h("div", { class: "ratio" }, ratio) : null, h("div", { class: "label" }, label, h("span", { class: "en" }, " " + en)));
  // Every rate beside its numerator and denominator.
  const of = (n, d, unit) => typeof n === "number" && typeof d === "number" ? `${n}${unit} / ${d}${unit}` : null;
  const or = (v, f) => typeof v === "number" ? f(v) : "—";
  document.getElementById("totals").replaceChildren(...kids(
    card("案件", "Cases", `${t.cases}件`),
    card("期限内に更新", "Renewed before expiry", `${t.renewedBeforeExpiry}件`),
    card("失効", "Lapsed", `${t.lapsed}件`),
    card("更新率", "Renewal rate", or(t.renewalRate, pct), of(t.renewed, t.rateBase, "件")),
    card("1件あたり来庁回数", "Visits per case", or(t.visitsPerCase, num), of(t.finishedVisits, t.finishedCases, "")),
    card("文書照会の割合", "Inquiry share", or(t.inquiryShare, pct), of(t.inquiries, t.casesWithVisit, "件")),
    card("平均待ち時間", "Mean wait", or(t.waitMinutesMean, min), typeof t.waitedVisits === "number" ? `${t.waitedVisits}回の来庁` : null)));

  const month = r => r.cohortMonth ? `${r.cohortMonth.slice(0, 4)}年${Number(r.cohortMonth.slice(5, 7))}月` : "—";
  const rows = (groups, label, pick, ratio) => groups.map(r => ({
    label: ratio && !r.suppressed ? `${label(r)} (${ratio(r)})` : label(r), values: pick(r),
    note: r.suppressedToProtect ? protectedNote : r.suppressed ? small : null }));
  const months = byMonth.data.groups, offices = byOffice.data.groups;
  document.getElementById("charts").replaceChildren(...kids(
    barChart({ id: "chart-rate-month", title: "有効期限月別の更新率", titleEn: "Renewal rate by expiry month",
      rows: rows(months, month, r => [r.renewalRate], r => `${r.renewed}/${r.rateBase}`), series: [{ name: "更新率" }], format: pct, max: 1 }),
    barChart({ id: "chart-rate-office", title: "窓口別の更新率", titleEn: "Renewal rate by office",
      rows: rows(offices, r => officeJa(r.office), r => [r.renewalRate], r => `${r.renewed}/${r.rateBase}`), series: [{ name: "更新率" }], format: pct, max: 1 }),
    barChart({ id: "chart-visits", title: "1件あたりの来庁回数(窓口別)", titleEn: "Visits per case by office",
      rows: rows(offices, r => officeJa(r.office), r => [r.visitsPerCase], r => `${r.finishedVisits}/${r.finishedCases}`), series: [{ name: "来庁回数" }], format: num }),
    barChart({ id: "chart-inquiry", title: "文書照会の割合(有効期限月別)", titleEn: "Inquiry share by expiry month",
      rows: rows(months, month, r => [r.inquiryShare], r => `${r.inquiries}/${r.casesWithVisit}`), series: [{ name: "照会の割合" }], format: pct, max: 1 }),
    barChart({ id: "chart-turnaround", title: "文書照会から回答受理までの日数", titleEn: "Inquiry turnaround, days",
      rows: rows(months, month, r => [r.inquiryTurnaroundDaysMean, r.inquiryTurnaroundDaysMedian]),
      series: [{ name: "平均" }, { name: "中央値", cls: "alt" }], format: days }),
    barChart({ id: "chart-waits", title: "窓口別の待ち時間", titleEn: "Waits by office",
      rows: rows(offices, r => officeJa(r.office), r => [r.waitMinutesMean, r.waitMinutesP90]),
      series: [{ name: "平均" }, { name: "90パーセンタイル", cls: "alt" }], format: min })));
}

form.addEventListener("submit", e => { e.preventDefault(); show(); });
await show();
await Promise.all([showWeekly(s, document.getElementById("weekly")), showForecast(s, document.getElementById("forecast"))]);
