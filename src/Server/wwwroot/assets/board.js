import { h, kids, header, session } from "/assets/app.js";

// The wall screen of one office: live over Server-Sent Events, and back on its own after a
// network drop or a server restart (EventSource retries by itself while it can; when it gives
// up, or nothing has come for longer than the server's 15 s heartbeat, this page reconnects
// with a growing pause). A new call, or a recall, flashes and chimes; the clock ticks in Japan time.
// As a kiosk (/kiosk[/{office}], a display token: issue 13) it shows no menu, staff id or sign-out.
const kiosk = location.pathname === "/kiosk" || location.pathname.startsWith("/kiosk/");
const s = kiosk ? await session() : await header({ wall: true });
const office = (kiosk ? decodeURIComponent(location.pathname.split("/")[2] || "") : new URLSearchParams(location.search).get("office")) || s.office;
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

// The clock: Japan time by the server's clock (the board's asOf, less the time since it came), ticking each second.
let skew = 0;
const two = n => String(n).padStart(2, "0");
function tick() {
  const j = new Date(Date.now() + skew + 9 * 3600 * 1000);
  const clock = document.getElementById("clock");
  clock.textContent = `${two(j.getUTCHours())}:${two(j.getUTCMinutes())}:${two(j.getUTCSeconds())}`;
  clock.dateTime = new Date(Date.now() + skew).toISOString();
}
setInterval(tick, 1000);

// The chime: two tones made by WebAudio (no sound files). A browser may hold sound back until the screen is touched
// once (a kiosk's Chromium: --autoplay-policy=no-user-gesture-required); body[data-chime] says whether it sounded.
let audio = null;
function chime() {
  try {
    audio ??= new AudioContext();
    if (audio.state === "suspended") audio.resume();
    [[880, 0], [660, 0.35]].forEach(([hz, at]) => {
      const osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = hz;
      gain.gain.setValueAtTime(0.0001, audio.currentTime + at);
      gain.gain.exponentialRampToValueAtTime(0.4, audio.currentTime + at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + at + 0.3);
      osc.connect(gain).connect(audio.destination);
      osc.start(audio.currentTime + at);
      osc.stop(audio.currentTime + at + 0.32);
    });
    document.body.dataset.chime = audio.state;
  } catch {
    document.body.dataset.chime = "unavailable";
  }
}
document.addEventListener("pointerdown", () => audio?.resume(), { passive: true });

// Calls already announced (case → its latest call): the first board only records them, so a display
// that starts or reconnects does not chime for calls it was not there for.
const announced = new Map();
let first = true, chimes = 0;

function render(board) {
  skew = Date.parse(board.asOf) - Date.now();
  tick();
  const fresh = board.nowServing.filter(t => announced.get(t.caseId) !== (t.lastCalledAt || t.calledAt));
  for (const t of board.nowServing) announced.set(t.caseId, t.lastCalledAt || t.calledAt);
  // Now serving: the tickets being called; one leaves when its visit starts or ends, or it is dropped.
  document.getElementById("serving").replaceChildren(...kids(board.nowServing.length
    ? h("table", { class: "serving", id: "serving-list" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "番号"), h("th", { scope: "col" }, "窓口"))),
      h("tbody", {}, board.nowServing.map(t => h("tr", { dataset: { ticket: t.ticket || "" }, class: !first && fresh.includes(t) ? "flash" : null },
        h("td", {}, t.ticket || "番号なし"), h("td", {}, t.counter || "受付中")))))
    : h("p", {}, "呼出し中の番号はありません")));
  document.getElementById("waiting").replaceChildren(...kids(board.waiting.length
    ? h("ul", { class: "tickets", id: "waiting-list" }, board.waiting.map(t => h("li", { dataset: { ticket: t.ticket || "" } }, t.ticket || "番号なし")))
    : h("p", {}, "お待ちの方はいません")));
  document.getElementById("estimate").replaceChildren(...kids(board.estimateJa,
    typeof board.estimatedWaitMinutes === "number" ? h("span", { class: "en" }, ` Estimated wait about ${Math.ceil(board.estimatedWaitMinutes)} min`) : null));
  const recent = board.recentCalls || [];
  document.getElementById("recent").replaceChildren(...kids(recent.length
    ? h("ul", { class: "recent-calls", id: "recent-list" }, recent.map(c => h("li", { dataset: { ticket: c.ticket || "", counter: c.counter || "" } },
      `${c.ticket || "番号なし"} → ${c.counter}`)))
    : h("p", {}, "本日の呼出しはまだありません")));
  if (!first && fresh.length) {
    chimes++;
    document.body.dataset.chimes = String(chimes);
    document.body.dataset.announced = fresh.map(t => t.ticket || "").join(" ");
    chime();
  }
  first = false;
  document.getElementById("today").textContent =
    `本日の受付終了 ${board.finishedToday}人` + (typeof board.waitToday.meanMinutes === "number" ? ` ・ 本日の平均待ち時間 ${board.waitToday.meanMinutes}分` : "");
}

connect();
