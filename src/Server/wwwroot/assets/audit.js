import { h, kids, api, header, problemBox, momentJa } from "/assets/app.js";

const s = await header();
const form = document.getElementById("search");
const results = document.getElementById("results");
for (const o of s.offices) form.elements.office.append(...kids(h("option", { value: o.id }, o.nameJa)));
const kinds = await api("/audit/event-kinds");
if (kinds.ok) for (const k of kinds.data) form.elements.type.append(...kids(h("option", { value: k.type }, `${k.ja}(${k.type})`)));
if (!form.elements.day.value) form.elements.day.value = s.today;
const officeJa = id => (s.offices.find(o => o.id === id) || { nameJa: id || "—" }).nameJa;

async function search() {
  const query = Object.fromEntries([...new FormData(form).entries()].filter(([, v]) => String(v).trim() !== ""));
  history.replaceState(null, "", "?" + new URLSearchParams(query));
  const r = await api("/audit/events", { query });
  if (!r.ok) { results.replaceChildren(...kids(problemBox(r.problem, "検索できません"))); return; }
  const found = r.data.events;
  results.replaceChildren(...kids(
    h("p", { role: "status" }, found.length ? `${found.length}件${r.data.more ? "(上限に達しました。条件を絞ってください)" : ""}` : "該当する記録はありません。"),
    found.length ? h("table", { id: "audit-results" },
      h("thead", {}, h("tr", {}, ["記録日時", "種類", "職員", "窓口", "コマンド", "案件"].map(t => h("th", { scope: "col" }, t)))),
      h("tbody", {}, found.map(e => h("tr", {},
        h("td", {}, momentJa(e.recordedAt)),
        h("td", {}, e.ja, h("span", { class: "en" }, " " + e.type)),
        h("td", {}, e.actor || "(システム)"),
        h("td", {}, officeJa(e.office)),
        h("td", {}, e.command || "—"),
        h("td", {}, h("a", { href: `/audit/cases/${e.caseId}` }, `${e.caseId.slice(0, 8)}… 第${e.version}版`)))))) : null));
}

form.addEventListener("submit", e => { e.preventDefault(); search(); });
document.getElementById("open-case").addEventListener("submit", e => {
  e.preventDefault();
  location.href = `/audit/cases/${document.getElementById("case-id").value.trim()}`;
});
const q = new URLSearchParams(location.search);
for (const [k, v] of q) if (form.elements[k]) form.elements[k].value = v;
if ([...q.keys()].length) search();
document.body.dataset.ready = "true";
