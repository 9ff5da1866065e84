// Shared by every page: the session, the API with the anti-forgery header, the menu, plain
// Japanese for problems, and a small DOM helper (text only: nothing from the server is parsed as HTML).

/** h("p", {class: "x"}, "text", child…): an element; attributes starting with "on" are listeners. */
export function h(tag, attrs = {}, ...children) {
  const svg = ["svg", "g", "rect", "line", "text", "title", "path", "circle", "polyline"].includes(tag);
  const el = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Children for append/replaceChildren: arrays flattened, null/undefined/false left out (so conditional parts can be written inline). */
export const kids = (...children) => children.flat(Infinity).filter(c => c !== null && c !== undefined && c !== false);

/** Japanese with its English beside it, smaller. */
export const ja = (jaText, en) => [jaText, en ? h("span", { class: "en" }, " " + en) : null];

let current = null;
export async function session() {
  if (current) return current;
  const r = await fetch("/session", { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (r.status === 401) { location.href = "/signin?next=" + encodeURIComponent(location.pathname + location.search); throw new Error("signed out"); }
  current = await r.json();
  return current;
}

/**
 * Calls /api/{municipality}{path}; returns {ok, status, data, problem}. The body is sent as JSON,
 * or as it is with its own Content-Type when `contentType` is given (a notice file). A session
 * that has ended sends the page to the sign-in, which brings the clerk back here.
 */
export async function api(path, { method = "GET", body, query, headers: extra, contentType } = {}) {
  const s = await session();
  const url = new URL(`/api/${s.municipality}${path}`, location.origin);
  for (const [k, v] of Object.entries(query || {})) if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, v);
  return send(url, { method, body: contentType || body === undefined ? body : JSON.stringify(body),
    headers: { ...(extra || {}), ...(method !== "GET" ? { "Content-Type": contentType || "application/json" } : {}) } });
}

/** A request of the signed-in page: the CSRF header on anything but GET, the sign-in when the session has ended. */
async function send(url, { method = "GET", body, headers = {} } = {}) {
  const s = await session();
  const all = { Accept: "application/json", ...headers, ...(method !== "GET" ? { [s.csrfHeader]: s.csrf } : {}) };
  const r = await fetch(url, { method, headers: all, credentials: "same-origin", body });
  if (r.status === 401) { location.href = "/signin?next=" + encodeURIComponent(location.pathname + location.search); throw new Error("signed out"); }
  const type = r.headers.get("content-type") || "";
  const data = type.includes("json") ? await r.json() : await r.text();
  return { ok: r.ok, status: r.status, data, problem: r.ok ? null : data };
}

/** A problem (RFC 9457) in plain Japanese: the rule's text, what broke it, the rule's id and source page. */
export function problemBox(problem, heading = "この操作はできません") {
  const p = typeof problem === "object" && problem ? problem : { title: String(problem) };
  const [titleJa, titleEn] = String(p.title || "").split(" / ");
  const rule = p.rule || (String(p.type || "").startsWith("urn:casesystem:rule:") ? p.type.slice("urn:casesystem:rule:".length) : null);
  return h("div", { class: "problem", role: "alert", "data-problem": p.type || "" },
    h("h3", {}, heading, h("span", { class: "en" }, " Refused")),
    h("p", { class: "title" }, h("strong", {}, titleJa), titleEn ? h("span", { class: "en" }, " " + titleEn) : null),
    p.detail ? h("p", { class: "detail" }, "理由: ", p.detail) : null,
    h("p", { class: "meta" },
      rule ? `規則 ${rule}` : p.type || "", p.seed ? ` ・ 根拠: ${p.seed}` : "", p.status ? ` ・ HTTP ${p.status}` : ""));
}

/** The menu bar: the pages of this role, who is signed in, sign-out. */
export async function header({ wall = false } = {}) {
  const s = await session();
  const top = document.getElementById("top");
  if (!top) return s;
  if (s.demo) top.before(demoBanner(s.demo));
  top.replaceChildren(...kids(
    h("span", { class: "brand" }, "電子証明書更新 案件管理", h("span", { class: "en" }, " CaseSystem")),
    wall ? null : h("nav", { "aria-label": "メニュー" }, h("ul", {}, s.pages.map(p =>
      h("li", {}, h("a", { href: p.path, "aria-current": location.pathname === p.path ? "page" : null }, p.ja, h("span", { class: "en" }, " " + p.en)))))),
    // A person (not a station or a wall display) changes their own password from their name.
    ["clerk", "supervisor", "analyst", "admin"].includes(s.role)
      ? h("a", { class: "who", href: "/account", title: "パスワードの変更 / Change password" }, `${s.municipalityJa} ${s.officeJa} ・ ${s.staffId}(${s.roleJa})`)
      : h("span", { class: "who" }, `${s.municipalityJa} ${s.officeJa} ・ ${s.staffId}(${s.roleJa})`),
    h("button", { type: "button", id: "signout", onclick: signOut }, "サインアウト", h("span", { class: "en" }, " Sign out"))));
  return s;
}

export async function signOut() {
  const s = await session();
  await fetch("/signout", { method: "POST", headers: { [s.csrfHeader]: s.csrf }, credentials: "same-origin" });
  location.href = "/signin?out=1";
}

export const whoCameJa = { Holder: "本人", AppointedProxy: "任意代理人", LegalRepresentativeOfMinor: "法定代理人(15歳未満の親権者)", GuardianOfAdultWard: "成年後見人" };
export const replyFormJa = { NotApplicable: "対象外", Sealed: "封入済み(本人記入)", Missing: "持参なし", Incomplete: "記入不備" };
export const certificateJa = { UserAuthentication: "利用者証明用電子証明書", Signing: "署名用電子証明書" };
export const outcomeJa = { Done: "手続完了", MustReturn: "再来庁が必要", Refused: "受付不可", Left: "途中で退出" };
export const closureJa = { Renewed: "更新済み", Lapsed: "失効", Withdrawn: "取下げ", MovedOut: "転出" };
export const statusJa = { active: "手続中", closed: "終了" };

const two = n => String(n).padStart(2, "0");
/** A moment in Japan time: 2026年3月16日 10:05 */
export function momentJa(iso) {
  if (!iso) return "—";
  const t = new Date(iso);
  const j = new Date(t.getTime() + 9 * 3600 * 1000);
  return `${j.getUTCFullYear()}年${j.getUTCMonth() + 1}月${j.getUTCDate()}日 ${two(j.getUTCHours())}:${two(j.getUTCMinutes())}`;
}
export const timeJa = iso => momentJa(iso).split(" ")[1] || "—";

/** Announces a change to screen readers and shows it. */
export function say(text, kind = "ok") {
  const live = document.getElementById("live");
  if (live) live.replaceChildren(...kids(h("div", { class: `notice ${kind}`, role: "status" }, text)));
}

/** The Guid in /desk/cases/{id}… */
export const caseIdFromPath = () => (location.pathname.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i) || [])[0];

/**
 * The demo's banner (ops/run --demo, issue 13): this is not a real counter, and the time the
 * system lives at, which the demo may move forward to try a later day.
 */
function demoBanner(demo) {
  const at = momentJa(demo.now);
  const input = h("input", { type: "datetime-local", id: "demo-clock-at", "aria-label": "デモの時計を進める日時" });
  return h("div", { class: "demo-banner no-print", id: "demo-banner", role: "note" },
    h("strong", {}, "デモ環境"), ` ・ 時計: ${at}(実際の時刻ではありません)`, h("span", { class: "en" }, " Demo: the system's clock is set"),
    h("form", { id: "demo-clock", class: "inline-small", onsubmit: async e => {
      e.preventDefault();
      if (!input.value) return;
      const r = await send(new URL("/demo/clock", location.origin), { method: "POST",
        headers: { "Content-Type": "application/json" }, body: JSON.stringify({ at: input.value + ":00+09:00" }) });
      if (r.ok) location.reload();
      else alert(String((r.problem && r.problem.title) || "時計を進められません").split(" / ")[0]);
    } }, input, h("button", { type: "submit" }, "時計を進める")));
}
