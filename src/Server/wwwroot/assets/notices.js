import { h, kids, api, header, session, problemBox, say } from "/assets/app.js";

// The notice import (POST /api/{m}/notices): the file is sent as it is (the server detects UTF-8
// or Shift_JIS, or takes the chosen one), and every line of it ends in one place of the report.

await header();
const form = document.getElementById("import");
const report = document.getElementById("report");
let lastFile = null;

async function send(file, { batch, charset, amend }) {
  const r = await api("/notices", { method: "POST", body: file, query: { batch, amend: amend ? "true" : null },
    contentType: "text/csv" + (charset ? `; charset=${charset}` : "") });
  return { ok: r.ok, data: typeof r.data === "string" ? { title: r.data, status: r.status } : r.data };
}

const encodingJa = { "utf-8": "UTF-8", "shift_jis": "Shift_JIS" };
const columnJa = {
  notice_number: "通知書番号", name_kanji: "氏名(漢字)", name_kana: "氏名(カナ)", birth_date: "生年月日",
  registered_address: "住所", user_authentication_expiry: "利用者証明用の有効期限", signing_expiry: "署名用の有効期限",
};
const column = c => (columnJa[c] ? `${columnJa[c]}(${c})` : c);

const role = (await session()).role;
/** A clerk resumes the case at the desk; a supervisor reads its history. */
const caseHref = id => role === "clerk" ? `/desk/cases/${id}` : `/audit/cases/${id}`;

function show(data, again) {
  const counts = [
    ["imported", "新規登録", "Imported", data.imported],
    ["already", "登録済み(同じ内容)", "Already imported", data.alreadyImported],
    ["amended", "訂正", "Amended", data.amended],
    ["conflicting", "内容が異なる(未登録)", "Data differ (not recorded)", data.conflicting],
    ["rejected", "取込不可", "Rejected", data.rejected.length],
  ];
  report.replaceChildren(...kids(
    h("p", { role: "status" }, `バッチ ${data.batch}: ${data.lines}行(${encodingJa[data.encoding] || data.encoding})を処理しました。`,
      h("span", { class: "en" }, ` ${data.lines} lines.`)),
    h("table", { id: "counts" }, h("tbody", {}, counts.map(([code, ja, en, n]) =>
      h("tr", { "data-count": code }, h("th", { scope: "row" }, ja, h("span", { class: "en" }, " " + en)), h("td", { class: "num" }, `${n}件`))))),
    data.rejected.length ? [
      h("h3", {}, "取り込めなかった行 ", h("span", { class: "en" }, "Rejected lines")),
      h("table", { id: "rejected" },
        h("thead", {}, h("tr", {}, ["行", "列", "理由"].map(t => h("th", { scope: "col" }, t)))),
        h("tbody", {}, data.rejected.map(r => h("tr", { "data-line": r.line, "data-reason": r.reason },
          h("td", { class: "num" }, `${r.line}行目`), h("td", {}, r.column ? column(r.column) : "—"), h("td", {}, r.reasonJa, h("span", { class: "en" }, " " + r.reasonEn)))))),
    ] : null,
    data.conflicts.length ? [
      h("h3", {}, "登録済みの通知書と内容が異なる行 ", h("span", { class: "en" }, "Lines whose data differ from the notice imported before")),
      h("table", { id: "conflicts" },
        h("thead", {}, h("tr", {}, ["行", "異なる列", "案件", "理由"].map(t => h("th", { scope: "col" }, t)))),
        h("tbody", {}, data.conflicts.map(c => h("tr", { "data-line": c.line },
          h("td", { class: "num" }, `${c.line}行目`), h("td", {}, c.columns.map(column).join("、")),
          h("td", {}, h("a", { href: caseHref(c.caseId) }, "案件を開く")), h("td", {}, c.reasonJa))))),
      again ? h("button", { type: "button", id: "amend-again", onclick: again },
        "この内容で訂正して取り込む", h("span", { class: "en" }, " Import again, amending them")) : null,
    ] : null));
}

async function run(amendOverride) {
  const f = new FormData(form);
  const file = amendOverride ? lastFile : f.get("file");
  if (!file || (file.size === 0 && !amendOverride)) { say("CSV ファイルを選んでください。", "bad"); return; }
  lastFile = file;
  const options = { batch: String(f.get("batch") || "").trim(), charset: String(f.get("charset") || ""), amend: amendOverride || f.get("amend") === "on" };
  say("取り込んでいます…", "ok");
  const r = await send(file, options);
  if (!r.ok) { report.replaceChildren(problemBox(r.data, "取り込めません")); say("取り込めませんでした。何も登録していません。", "bad"); return; }
  say(`取り込みました: 新規${r.data.imported}件、登録済み${r.data.alreadyImported}件、訂正${r.data.amended}件、内容が異なる${r.data.conflicting}件、取込不可${r.data.rejected.length}件`);
  show(r.data, r.data.conflicting > 0 && !options.amend ? () => run(true) : null);
}

form.addEventListener("submit", e => { e.preventDefault(); run(false); });
