import { h, kids, api, header, problemBox, statusJa, closureJa, say } from "/assets/app.js";
import { dateInput, formDate, withWareki } from "/assets/wareki.js";

const s = await header();
const form = document.getElementById("search");
const results = document.getElementById("results");
const birthDate = dateInput(document.getElementById("birthDate"));

async function search() {
  const f = new FormData(form);
  const query = Object.fromEntries([...f.entries()].filter(([, v]) => String(v).trim() !== ""));
  // The birth date as typed (和暦 too) is sent as the date it was read as.
  const born = formDate(birthDate);
  if (born === null) { birthDate.reportValidity(); birthDate.focus(); return; }
  if (born) query.birthDate = born;
  if (Object.keys(query).length === 0) {
    results.replaceChildren(...kids(h("p", { class: "muted" }, "氏名・生年月日・通知書番号のいずれかを入力してください。")));
    return;
  }
  history.replaceState(null, "", "?" + new URLSearchParams(query));
  const r = await api("/cases", { query });
  if (!r.ok) { results.replaceChildren(...kids(problemBox(r.problem, "検索できません"))); return; }
  if (r.data.length === 0) { results.replaceChildren(...kids(h("p", {}, "該当する案件はありません。", h("span", { class: "en" }, " No case found.")))); return; }
  results.replaceChildren(...kids(
    h("p", { role: "status" }, `${r.data.length}件見つかりました。`),
    h("table", {},
      h("thead", {}, h("tr", {}, ["氏名", "フリガナ", "生年月日", "通知書番号", "状態", "来庁", "次の手続き", ""].map(t => h("th", { scope: "col" }, t)))),
      h("tbody", {}, r.data.map(c => h("tr", {},
        h("td", {}, h("a", { href: `/desk/cases/${c.caseId}` }, c.nameKanji)),
        h("td", {}, c.nameKana),
        h("td", {}, withWareki(c.birthDate)),
        h("td", {}, c.noticeNumber || "(窓口で開始)"),
        h("td", {}, statusJa[c.status] || c.status, c.closure ? `(${closureJa[c.closure] || c.closure})` : ""),
        h("td", { class: "num" }, `${c.visits}回`),
        h("td", {}, c.nextStep ? c.nextStep.ja : "—"),
        h("td", {}, h("a", { class: "button secondary", href: `/desk/cases/${c.caseId}`, "aria-label": `${c.nameKanji}さんの案件を開く` }, "開く"))))))));
}

// 「次の方を呼ぶ」 at this clerk's office and the counter chosen (the office's counters from its profile): the
// server picks the ticket (a reservation due now first, else the longest wait) and the case called opens.
// 「再呼出し」 calls the ticket being called at that counter again (the display chimes again).
const callForm = document.getElementById("call-next");
const counter = document.getElementById("call-next-counter");
const callResult = document.getElementById("call-next-result");
const myOffice = s.offices.find(o => o.id === s.office) || { nameJa: s.office, counters: [] };
counter.replaceChildren(...(myOffice.counters || []).map(c => h("option", { value: c }, c)));
const remembered = sessionStorage.getItem("desk-counter");
if (remembered && [...counter.options].some(o => o.value === remembered)) counter.value = remembered;
counter.addEventListener("change", () => sessionStorage.setItem("desk-counter", counter.value));
document.getElementById("call-next-office").textContent = `${myOffice.nameJa}の呼出し`;
async function callAt(path, busyText) {
  const buttons = callForm.querySelectorAll("button");
  buttons.forEach(b => { b.disabled = true; });
  callResult.replaceChildren(...kids(h("p", { role: "status" }, busyText)));
  try {
    const r = await api(`/offices/${encodeURIComponent(s.office)}/calls/${path}`, { method: "POST", body: { counter: counter.value } });
    if (!r.ok) { callResult.replaceChildren(...kids(problemBox(r.problem, "呼び出せません"))); return; }
    sessionStorage.setItem("desk-counter", counter.value);
    location.href = `/desk/cases/${r.data.caseId}`;
  } finally {
    buttons.forEach(b => { b.disabled = false; });
  }
}
callForm.addEventListener("submit", e => { e.preventDefault(); callAt("next", "呼出し中…"); });
document.getElementById("recall-button").addEventListener("click", () => callAt("recall", "再呼出し中…"));

form.addEventListener("submit", e => { e.preventDefault(); search(); });
const q = new URLSearchParams(location.search);
for (const [k, v] of q) if (form.elements[k]) form.elements[k].value = v;
birthDate.dispatchEvent(new Event("input"));
if ([...q.keys()].length) search();

// A walk-in without an imported notice (issue 13): the case is opened here, then worked on its page.
const open = document.getElementById("open-case");
const openLive = document.getElementById("live");
const dates = Object.fromEntries(["open-birthDate", "open-userExpiry", "open-signingExpiry"].map(id => [id, dateInput(document.getElementById(id))]));
const officeSelect = document.getElementById("open-office");
officeSelect.replaceChildren(...s.offices.map(o => h("option", { value: o.id, selected: o.id === s.office ? true : null }, o.nameJa)));
open.addEventListener("submit", async e => {
  e.preventDefault();
  const f = new FormData(open);
  const birthDate = formDate(dates["open-birthDate"]), userExpiry = formDate(dates["open-userExpiry"]), signingExpiry = formDate(dates["open-signingExpiry"]);
  for (const [input, value] of [[dates["open-birthDate"], birthDate], [dates["open-userExpiry"], userExpiry], [dates["open-signingExpiry"], signingExpiry]]) {
    if (value === null) { input.reportValidity(); input.focus(); return; }
  }
  const r = await api("/cases", {
    method: "POST",
    // A retry of the same submission (a double click, a lost answer) opens one case, not two.
    headers: { "Idempotency-Key": open.dataset.key || (open.dataset.key = crypto.randomUUID()) },
    body: {
      holder: { nameKanji: f.get("nameKanji").trim(), nameKana: f.get("nameKana").trim(), birthDate, registeredAddress: f.get("registeredAddress").trim() },
      expiry: { userAuthenticationExpiry: userExpiry, signingExpiry: signingExpiry || null },
      office: f.get("office"),
    },
  });
  if (!r.ok) { openLive.replaceChildren(problemBox(r.problem, "案件を作成できません")); return; }
  say("案件を作成しました。");
  location.href = `/desk/cases/${r.data.caseId}`;
});
open.addEventListener("input", () => { delete open.dataset.key; });
