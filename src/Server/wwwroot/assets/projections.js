import { h, kids, api, header, problemBox, say, momentJa } from "/assets/app.js";

await header();
const target = document.getElementById("status");
const stateJa = { running: "稼働中", paused: "停止中(エラー)", stopped: "停止", rebuilding: "再構築中" };
const commandJa = { resume: "再開", replay: "保留イベントの再適用" };
const opened = new Set();

async function refresh() {
  const r = await api("/ops/projections");
  if (!r.ok) { target.replaceChildren(...kids(problemBox(r.problem, "状態を取得できません"))); return; }
  const rows = await Promise.all(r.data.map(async p => ({ p, letters: opened.has(p.name) ? await deadLetters(p.name) : null })));
  target.replaceChildren(...kids(h("table", { id: "projection-table" },
    h("thead", {}, h("tr", {}, ["名前", "版", "状態", "位置 / 先頭", "遅れ(件)", "遅れ(秒)", "担当プロセス", "停止理由", "保留イベント", "操作"].map(t => h("th", { scope: "col" }, t)))),
    h("tbody", {}, rows.map(({ p, letters }) => [
      h("tr", { dataset: { name: p.name, version: p.version, state: p.owner ? (p.state || "") : "unowned" } },
        h("th", { scope: "row" }, p.name),
        h("td", { class: "num" }, `v${p.version}`),
        h("td", {}, p.owner
          ? h("span", { class: `tag ${p.state === "running" ? "ok" : "bad"}` }, stateJa[p.state] || p.state || "開始待ち")
          : h("span", { class: "tag bad" }, "担当なし")),
        h("td", { class: "num" }, `${p.position} / ${p.head}`),
        h("td", { class: "num" }, String(p.lagEvents)),
        h("td", { class: "num" }, p.lagSeconds.toFixed(1)),
        h("td", {}, p.owner || "(なし)"),
        h("td", {}, p.pauseReason ? [p.failedAt ? `イベント ${p.failedAt}: ` : "", p.pauseReason] : "—"),
        h("td", { class: "num" }, p.deadLetters
          ? h("button", { type: "button", class: "secondary", "aria-expanded": String(opened.has(p.name)), onclick: () => toggle(p.name), "aria-label": `${p.name} の保留イベント ${p.deadLetters}件を表示` }, `${p.deadLetters}件`)
          : "0"),
        h("td", {}, p.owner ? [
          p.state === "paused" || p.state === "stopped"
            ? [h("button", { type: "button", onclick: () => act(p.name, "resume"), "aria-label": `${p.name} を再開` }, "再開"), " "] : null,
          p.deadLetters
            ? h("button", { type: "button", class: "secondary", onclick: () => act(p.name, "replay"), "aria-label": `${p.name} の保留イベントを再適用` }, "保留を再適用") : null,
          ] : "—")),
      letters ? h("tr", { class: "dead-letters", dataset: { for: p.name } }, h("td", { colspan: 10 }, letterTable(letters))) : null,
    ])))));
}

async function deadLetters(name) {
  const r = await api(`/ops/projections/${encodeURIComponent(name)}/dead-letters`);
  return r.ok ? r.data : [];
}

const letterTable = letters => h("table", {},
  h("thead", {}, h("tr", {}, ["イベント番号", "自治体", "案件", "種類", "保留日時", "エラー"].map(t => h("th", { scope: "col" }, t)))),
  h("tbody", {}, letters.map(d => h("tr", {},
    h("td", { class: "num" }, String(d.sequence)), h("td", {}, d.municipality || "—"), h("td", {}, d.caseId || "—"),
    h("td", {}, d.eventType || "—"), h("td", {}, momentJa(d.parkedAt)), h("td", {}, d.error)))));

async function toggle(name) {
  if (opened.has(name)) opened.delete(name); else opened.add(name);
  await refresh();
}

async function act(name, what) {
  const r = await api(`/ops/projections/${encodeURIComponent(name)}/${what}`, { method: "POST", body: {} });
  if (!r.ok) document.getElementById("live").replaceChildren(...kids(problemBox(r.problem)));
  else say(`${name}: ${commandJa[what]}を依頼しました(担当: ${r.data.owner})。`);
  await refresh();
}

document.getElementById("refresh").addEventListener("click", refresh);
await refresh();
setInterval(refresh, 5000);
