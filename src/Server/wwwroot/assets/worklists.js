// The worklists (issue 13): one tab per list with its count, each row linking to the case
// (a clerk's desk page, a supervisor's history), dates with their 和暦.
import { h, kids, api, header, problemBox, momentJa, timeJa } from "/assets/app.js";
import { withWareki } from "/assets/wareki.js";

const s = await header();
const form = document.getElementById("filters");
for (const o of s.offices) form.elements.office.append(h("option", { value: o.id }, o.nameJa));
const officeJa = id => id ? (s.offices.find(o => o.id === id) || { nameJa: id }).nameJa : "—";
const caseHref = id => s.role === "supervisor" ? `/audit/cases/${id}` : `/desk/cases/${id}`;
const name = c => h("a", { href: caseHref(c.caseId) }, c.nameKanji, h("span", { class: "en" }, " " + c.nameKana));
const notice = c => c.noticeNumber || "(窓口で開始)";
const worker = c => c.lastWorkedBy || "—";

// What each list shows: its title, the sentence that says what is on it, its columns.
const LISTS = [
  { id: "replies-awaited", ja: "回答待ち", en: "Replies awaited",
    says: "文書照会を送付し、回答期限内で回答書をまだ受け取っていない案件です。",
    cols: [["氏名", name], ["通知書番号", notice], ["窓口", c => officeJa(c.office)], ["照会の送付日", c => withWareki(c.inquiryMailedOn)],
      ["回答期限", c => withWareki(c.replyDueOn)], ["最後の対応者", worker]] },
  { id: "inquiries-overdue", ja: "回答期限超過", en: "Inquiries overdue",
    says: "回答期限を過ぎても回答書を受け取っていない案件です。",
    cols: [["氏名", name], ["通知書番号", notice], ["窓口", c => officeJa(c.office)], ["回答期限", c => withWareki(c.replyDueOn)],
      ["超過", c => h("span", { class: "tag bad" }, `${c.daysOverdue}日超過`)], ["最後の対応者", worker]] },
  { id: "expiring-no-visit", ja: "期限間近・未来庁", en: "Expiry near, no visit",
    says: "利用者証明用電子証明書の有効期限が近く、まだ来庁のない案件です。",
    cols: [["氏名", name], ["通知書番号", notice], ["有効期限", c => withWareki(c.userAuthenticationExpiry)],
      ["残り", c => h("span", { class: c.daysToExpiry <= 7 ? "tag bad" : "tag warn" }, c.daysToExpiry === 0 ? "本日まで" : `あと${c.daysToExpiry}日`)],
      ["窓口", c => officeJa(c.office)]] },
  { id: "reservations-today", ja: "本日の予約", en: "Today's reservations",
    says: "本日来庁を予約している案件です(予約時刻順)。",
    cols: [["予約時刻", c => timeJa(c.reservedAt)], ["予約窓口", c => officeJa(c.reservedOffice)], ["氏名", name], ["通知書番号", notice],
      ["来庁", c => c.seenToday ? h("span", { class: "tag ok" }, "来庁済み") : h("span", { class: "tag" }, "未来庁")]] },
  { id: "mine", ja: "自分の担当", en: "My open cases",
    says: "手続中の案件のうち、最後に対応した職員があなたのものです(通知書の取込みと自動処理は対応に数えません)。",
    cols: [["氏名", name], ["通知書番号", notice], ["窓口", c => officeJa(c.office)], ["有効期限", c => withWareki(c.userAuthenticationExpiry)],
      ["来庁", c => `${c.visits}回`], ["開始した職員", c => c.openedBy || "—"], ["最終更新", c => momentJa(c.updatedAt)]] },
];

const tabs = document.getElementById("tabs");
const panels = document.getElementById("panels");
for (const l of LISTS) {
  tabs.append(h("button", { type: "button", role: "tab", id: `tab-${l.id}`, "aria-controls": `panel-${l.id}`, "aria-selected": "false", tabindex: "-1",
    onclick: () => select(l.id), onkeydown: e => arrows(e, l.id) },
    l.ja, h("span", { class: "en" }, " " + l.en), " ", h("span", { class: "count", id: `count-${l.id}` }, "…")));
  panels.append(h("div", { role: "tabpanel", id: `panel-${l.id}`, "aria-labelledby": `tab-${l.id}`, tabindex: "0", hidden: true }));
}

function select(id, focus = false) {
  for (const l of LISTS) {
    const on = l.id === id;
    const tab = document.getElementById(`tab-${l.id}`);
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
    document.getElementById(`panel-${l.id}`).hidden = !on;
    if (on && focus) tab.focus();
  }
  history.replaceState(null, "", location.search + "#" + id);
}

function arrows(e, id) {
  const i = LISTS.findIndex(l => l.id === id);
  const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: LISTS.length - 1 }[e.key];
  if (to === undefined) return;
  e.preventDefault();
  select(LISTS[(to + LISTS.length) % LISTS.length].id, true);
}

async function load() {
  const query = { office: form.elements.office.value, days: form.elements.days.value, limit: 200 };
  history.replaceState(null, "", "?" + new URLSearchParams(Object.entries(query).filter(([k, v]) => v !== "" && k !== "limit")) + location.hash);
  const pages = await Promise.all(LISTS.map(l => api(`/worklists/${l.id}`, { query: l.id === "expiring-no-visit" ? query : { ...query, days: undefined } })));
  LISTS.forEach((l, i) => {
    const r = pages[i];
    const panel = document.getElementById(`panel-${l.id}`);
    const count = document.getElementById(`count-${l.id}`);
    if (!r.ok) { count.textContent = "—"; panel.replaceChildren(problemBox(r.problem, "表示できません")); return; }
    const { items, count: total, today } = r.data;
    count.textContent = `${total}件`;
    document.getElementById("as-of").textContent = `${withWareki(today)}現在(サーバーの日付)`;
    panel.replaceChildren(...kids(
      h("p", {}, l.says),
      total > items.length ? h("p", { class: "notice warn", role: "status" }, `${total}件のうち先頭の${items.length}件を表示しています。窓口で絞り込んでください。`) : null,
      items.length === 0 ? h("p", { class: "muted empty" }, "該当する案件はありません。", h("span", { class: "en" }, " None.")) :
        h("table", { id: `list-${l.id}` },
          h("thead", {}, h("tr", {}, l.cols.map(([t]) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, items.map(c => h("tr", { "data-case": c.caseId }, l.cols.map(([, cell]) => h("td", {}, cell(c)))))))));
  });
}

form.addEventListener("submit", e => { e.preventDefault(); if (form.reportValidity()) load().then(() => { document.body.dataset.loaded = String(Date.now()); }); });
const q = new URLSearchParams(location.search);
for (const [k, v] of q) if (form.elements[k]) form.elements[k].value = v;
select(LISTS.some(l => "#" + l.id === location.hash) ? location.hash.slice(1) : LISTS[0].id);
await load();
document.body.dataset.ready = "true";
