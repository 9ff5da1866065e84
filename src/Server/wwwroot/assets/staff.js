import { h, kids, api, header, problemBox, say, momentJa } from "/assets/app.js";

const s = await header();
const roleJa = { clerk: "窓口職員", supervisor: "監督者", analyst: "分析担当", admin: "システム管理者" };
const roles = Object.keys(roleJa);
const offices = s.offices;
const officeJa = id => offices.find(o => o.id === id)?.nameJa || id;
const options = (values, label, selected) => values.map(v => h("option", { value: v, selected: v === selected }, label(v)));
document.getElementById("new-role").replaceChildren(...options(roles, r => roleJa[r]));
document.getElementById("new-office").replaceChildren(...options(offices.map(o => o.id), officeJa));
const live = document.getElementById("live");

/** A temporary password is shown once, here, to be handed to the member. */
function handOver(staffId, password) {
  live.replaceChildren(...kids(h("div", { class: "notice ok", role: "status", id: "temporary" },
    h("p", {}, `${staffId} の仮パスワード: `, h("code", { class: "password" }, password)),
    h("p", {}, "この画面でのみ表示します。本人に渡し、サインイン後に「パスワードの変更」で変えてもらってください。",
      h("span", { class: "en" }, " Shown only now: hand it over; the member changes it after signing in.")))));
}

async function refresh() {
  const r = await api("/staff");
  if (!r.ok) { live.replaceChildren(...kids(problemBox(r.problem, "名簿を取得できません"))); return; }
  document.getElementById("members").replaceChildren(...kids(h("table", { id: "member-table" },
    h("thead", {}, h("tr", {}, ["職員ID", "氏名", "役割", "所属窓口", "状態", "更新日時", "操作"].map(t => h("th", { scope: "col" }, t)))),
    h("tbody", {}, r.data.map(m => h("tr", { dataset: { staff: m.staffId } },
      h("th", { scope: "row" }, m.staffId),
      h("td", {}, m.name),
      h("td", {}, h("select", { "aria-label": `${m.staffId} の役割`, onchange: e => change(m, { role: e.target.value }) },
        options(roles, r => roleJa[r], m.role.toLowerCase()))),
      h("td", {}, h("select", { "aria-label": `${m.staffId} の所属窓口`, onchange: e => change(m, { office: e.target.value }) },
        options(offices.map(o => o.id), officeJa, m.office))),
      h("td", {}, m.disabled ? h("span", { class: "tag bad" }, "無効") : m.lockedUntil && new Date(m.lockedUntil) > new Date()
        ? h("span", { class: "tag bad" }, "ロック中") : h("span", { class: "tag ok" }, "有効")),
      h("td", {}, momentJa(m.changedAt)),
      h("td", {},
        h("button", { type: "button", class: "secondary", onclick: () => change(m, { disabled: !m.disabled }), "aria-label": `${m.staffId} を${m.disabled ? "有効" : "無効"}にする` },
          m.disabled ? "有効にする" : "無効にする"), " ",
        h("button", { type: "button", class: "secondary", onclick: () => reset(m), "aria-label": `${m.staffId} のパスワードを再発行` }, "パスワード再発行"))))))));
}

async function change(member, body) {
  const r = await api(`/staff/${encodeURIComponent(member.staffId)}`, { method: "PATCH", body });
  if (!r.ok) live.replaceChildren(...kids(problemBox(r.problem)));
  else say(`${member.staffId} を更新しました。サインイン中のセッションは終了しました。`);
  await refresh();
}

async function reset(member) {
  if (!confirm(`${member.staffId} のパスワードを再発行します。サインイン中のセッションは終了します。よろしいですか?`)) return;
  const r = await api(`/staff/${encodeURIComponent(member.staffId)}/password-reset`, { method: "POST", body: {} });
  if (!r.ok) live.replaceChildren(...kids(problemBox(r.problem)));
  else handOver(member.staffId, r.data.temporaryPassword);
  await refresh();
}

document.getElementById("add").addEventListener("submit", async e => {
  e.preventDefault();
  const form = new FormData(e.target);
  const r = await api("/staff", { method: "POST", body: Object.fromEntries(form) });
  if (!r.ok) { live.replaceChildren(...kids(problemBox(r.problem, "追加できません"))); return; }
  handOver(r.data.staffId, r.data.temporaryPassword);
  e.target.reset();
  await refresh();
});
await refresh();
