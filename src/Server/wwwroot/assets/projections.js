import { h, kids, api, header, problemBox, say, momentJa } from "/assets/app.js";

await header();
const target = document.getElementById("status");
const stateJa = { building: "再構築中", active: "稼働中", retired: "退役" };
const statusJa = { running: "実行中", paused: "停止中" };

async function refresh() {
  const r = await api("/ops/projections");
  if (!r.ok) { target.replaceChildren(...kids(problemBox(r.problem, "状態を取得できません"))); return; }
  target.replaceChildren(...kids(h("table", { id: "projection-table" },
    h("thead", {}, h("tr", {}, ["名前", "世代", "状態", "位置 / 先頭", "遅れ(件)", "遅れ(秒)", "担当プロセス", "エラー", "操作"].map(t => h("th", { scope: "col" }, t)))),
    h("tbody", {}, r.data.map(p => h("tr", { dataset: { name: p.name, generation: p.generation } },
      h("th", { scope: "row" }, p.name),
      h("td", { class: "num" }, `${p.generation}(v${p.codeVersion})`),
      h("td", {}, `${stateJa[p.state] || p.state} ・ `, h("span", { class: `tag ${p.status === "paused" ? "bad" : "ok"}` }, statusJa[p.status] || p.status)),
      h("td", { class: "num" }, `${p.checkpoint} / ${p.head}`),
      h("td", { class: "num" }, String(p.lagEvents)),
      h("td", { class: "num" }, p.lagSeconds.toFixed(1)),
      h("td", {}, p.owner || "(なし)"),
      h("td", {}, p.pausedAt ? `イベント ${p.pausedAt} で停止: ` : "", p.lastError ? [p.lastError, p.lastErrorAt ? ` (${momentJa(p.lastErrorAt)})` : ""] : "—",
        p.deadLetters ? h("div", {}, `保留イベント ${p.deadLetters}件`) : null),
      h("td", {}, p.state === "retired" ? "—" : [
        p.status === "paused" ? [
          h("button", { type: "button", onclick: () => act(p.name, "resume"), "aria-label": `${p.name} を再開` }, "再開"), " ",
          h("button", { type: "button", class: "secondary", onclick: () => act(p.name, "resume", { skip: "true" }), "aria-label": `${p.name} を失敗イベントを飛ばして再開` }, "飛ばして再開"), " "] : null,
        p.state === "active" ? h("button", { type: "button", class: "secondary", onclick: () => act(p.name, "rebuild"), "aria-label": `${p.name} を再構築` }, "再構築") : null])))))));
}

async function act(name, what, query) {
  if (what === "rebuild" && !confirm(`${name} を最初から再構築します。稼働中の世代は再構築が追いつくまで応答を続けます。よろしいですか?`)) return;
  const r = await api(`/ops/projections/${encodeURIComponent(name)}/${what}`, { method: "POST", query, body: {} });
  if (!r.ok) document.getElementById("live").replaceChildren(...kids(problemBox(r.problem)));
  else say(what === "rebuild" ? `${name}: 第${r.data.generation}世代の再構築を始めました。` : `${name}: 再開しました。`);
  await refresh();
}

document.getElementById("refresh").addEventListener("click", refresh);
await refresh();
setInterval(refresh, 5000);
