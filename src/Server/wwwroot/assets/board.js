import { h, kids, header, timeJa } from "/assets/app.js";

// The wall screen of one office: live over Server-Sent Events, and back on its own after a
// network drop or a server restart (EventSource retries by itself while it can; when it gives
// up, or nothing has come for longer than the server's 15 s heartbeat, this page reconnects
// with a growing pause).
const s = await header({ wall: true });
const office = new URLSearchParams(location.search).get("office") || s.office;
const officeName = (s.offices.find(o => o.id === office) || { nameJa: office }).nameJa;
document.getElementById("office-name").replaceChildren(...kids(`${officeName} 呼出し状況`, h("span", { class: "en" }, " Queue")));
document.title = `${officeName} 呼出し表示`;
const status = document.getElementById("connection");
const url = `/api/${s.municipality}/offices/${encodeURIComponent(office)}/board/stream`;

let source = null, last = 0, pause = 1000, timer = null;

function setStatus(up, text) {
  status.classList.toggle("down", !up);
  status.dataset.state = up ? "live" : "down";
  status.replaceChildren(...kids(up ? "● 最新の状況を表示中" : text || "接続が切れました。再接続しています…", h("span", { class: "en" }, up ? " Live" : " Reconnecting")));
}

function connect() {
  timer = null;
  source?.close();
  source = new EventSource(url);
  source.addEventListener("board", e => {
    last = Date.now();
    pause = 1000;
    setStatus(true);
    render(JSON.parse(e.data));
  });
  source.addEventListener("error", () => {
    setStatus(false);
    if (source.readyState === EventSource.CLOSED) reconnectLater();
  });
}

async function reconnectLater() {
  if (timer) return;
  source?.close();
  const signedIn = await fetch("/session", { credentials: "same-origin" }).then(r => r.status !== 401, () => true);
  if (!signedIn) { setStatus(false, "サインインが切れました。サインインし直してください。"); return; }
  timer = setTimeout(connect, pause);
  pause = Math.min(pause * 2, 15000);
}

// Watchdog: the server sends the board at least every 15 s.
setInterval(() => { if (last && Date.now() - last > 35000) { setStatus(false); last = 0; reconnectLater(); } }, 5000);
window.addEventListener("online", () => { pause = 500; reconnectLater(); });

function render(board) {
  document.getElementById("clock").textContent = timeJa(board.asOf);
  // Now serving: the tickets being called; one leaves when its visit starts or ends, or it is dropped.
  document.getElementById("serving").replaceChildren(...kids(board.nowServing.length
    ? h("table", { class: "serving", id: "serving-list" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "番号"), h("th", { scope: "col" }, "窓口"))),
      h("tbody", {}, board.nowServing.map(t => h("tr", { dataset: { ticket: t.ticket || "" } },
        h("td", {}, t.ticket || "番号なし"), h("td", {}, t.counter || "受付中")))))
    : h("p", {}, "呼出し中の番号はありません")));
  document.getElementById("waiting").replaceChildren(...kids(board.waiting.length
    ? h("ul", { class: "tickets", id: "waiting-list" }, board.waiting.map(t => h("li", { dataset: { ticket: t.ticket || "" } }, t.ticket || "番号なし")))
    : h("p", {}, "お待ちの方はいません")));
  document.getElementById("estimate").replaceChildren(...kids(board.estimateJa,
    typeof board.estimatedWaitMinutes === "number" ? h("span", { class: "en" }, ` Estimated wait about ${Math.ceil(board.estimatedWaitMinutes)} min`) : null));
  document.getElementById("today").textContent =
    `本日の受付終了 ${board.finishedToday}人` + (typeof board.waitToday.meanMinutes === "number" ? ` ・ 本日の平均待ち時間 ${board.waitToday.meanMinutes}分` : "");
}

connect();
