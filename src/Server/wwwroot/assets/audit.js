import { h, kids, api, header, problemBox, momentJa, statusJa, closureJa } from "/assets/app.js";
import { dateInput, formDate, withWareki } from "/assets/wareki.js";

const s = await header();
const form = document.getElementById("search");
const results = document.getElementById("results");
for (const o of s.offices) form.elements.office.append(...kids(h("option", { value: o.id }, o.nameJa)));
const kinds = await api("/audit/event-kinds");
if (kinds.ok) for (const k of kinds.data) form.elements.type.append(...kids(h("option", { value: k.type }, `${k.ja}(${k.type})`)));
if (!form.elements.day.value && !new URLSearchParams(location.search).has("from")) form.elements.day.value = s.today;
const officeJa = id => (s.offices.find(o => o.id === id) || { nameJa: id || "—" }).nameJa;

async function search() {
  const query = Object.fromEntries([...new FormData(form).entries()].filter(([, v]) => String(v).trim() !== ""));
  // A range of days (at most 31) when both ends are given; else the one day.
  if (query.from || query.to) delete query.day;
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

// Supervisors find a case by name, 通知書番号 or birth date (issue 13), then read its history.
const find = document.getElementById("find");
const found = document.getElementById("found");
const birth = dateInput(document.getElementById("find-birth"));
find.addEventListener("submit", async e => {
  e.preventDefault();
  const query = Object.fromEntries([...new FormData(find).entries()].filter(([, v]) => String(v).trim() !== ""));
  const born = formDate(birth);
  if (born === null) { birth.reportValidity(); return; }
  if (born) query.birthDate = born;
  if (!Object.keys(query).length) { found.replaceChildren(h("p", {}, "氏名・通知書番号・生年月日のいずれかを入力してください。")); return; }
  const r = await api("/cases", { query });
  if (!r.ok) { found.replaceChildren(...kids(problemBox(r.problem, "検索できません"))); return; }
  found.replaceChildren(...kids(r.data.length === 0 ? h("p", {}, "該当する案件はありません。") : h("table", { id: "found-cases" },
    h("thead", {}, h("tr", {}, ["氏名", "生年月日", "通知書番号", "状態", ""].map(t => h("th", { scope: "col" }, t)))),
    h("tbody", {}, r.data.map(c => h("tr", {},
      h("td", {}, c.nameKanji, h("div", { class: "muted" }, c.nameKana)),
      h("td", {}, withWareki(c.birthDate)),
      h("td", {}, c.noticeNumber || "(窓口で開始)"),
      h("td", {}, statusJa[c.status] || c.status, c.closure ? `(${closureJa[c.closure] || c.closure})` : ""),
      h("td", {}, h("a", { href: `/audit/cases/${c.caseId}` }, "履歴を見る"))))))));
});
