import {
  h, kids, api, header, problemBox, say, momentJa, caseIdFromPath,
  whoCameJa, replyFormJa, certificateJa, outcomeJa, closureJa, statusJa,
} from "/assets/app.js";
import { withWareki } from "/assets/wareki.js";
import { stepper, expiryCountdown, replyCountdown } from "/assets/case-flow.js";
import { timelineHasContent, timelineView } from "/assets/timeline-view.js";
import { correctionEndpoints, correctionsGroup, documentsOf, dropForm, visitsFromEvents } from "/assets/corrections.js";

const s = await header();
const id = caseIdFromPath();
let view = null;
let events = [];

// Documents with a role of their own, not identity documents of list A or B.
const special = [
  { code: "letter-of-attorney", nameJa: "委任状", owner: "Holder" },
  { code: "family-register-certificate", nameJa: "戸籍全部事項証明書", owner: "Representative" },
  { code: "maternal-and-child-health-handbook", nameJa: "母子健康手帳(親子関係のわかるもの)", owner: "Representative" },
  { code: "guardianship-certificate", nameJa: "成年後見登記事項証明書", owner: "Representative", issued: true },
];
const identityDocuments = s.documents.filter(d => !special.some(x => x.code === d.code));

async function load() {
  const r = await api(`/cases/${id}`);
  if (!r.ok) { document.getElementById("live").replaceChildren(...kids(problemBox(r.problem, "案件を開けません"))); return; }
  view = r.data;
  await loadEvents();
  render();
}

async function loadEvents() {
  const r = await api(`/cases/${id}/events`);
  events = r.ok ? r.data : [];
}

function render() {
  const holder = view.holder;
  document.title = `${holder.nameKanji} さんの案件 | 電子証明書更新 案件管理`;
  document.getElementById("case-title").replaceChildren(...kids(`${holder.nameKanji} さんの案件`, h("span", { class: "en" }, " Case"),
    " ", h("span", { class: `tag ${view.status === "active" ? "ok" : ""}`, id: "case-status" },
      statusJa[view.status] + (view.closure ? `(${closureJa[view.closure]})` : ""))));
  renderHolder(holder);
  renderCertificates();
  renderChecklist();
  renderActions();
  renderVisits();
  renderTimeline();
}

function renderHolder(holder) {
  section("holder").append(...kids(h("dl", { class: "facts" },
    h("dt", {}, "氏名"), h("dd", { id: "holder-name" }, holder.nameKanji),
    h("dt", {}, "フリガナ"), h("dd", {}, holder.nameKana),
    h("dt", {}, "生年月日"), h("dd", { id: "holder-birth" }, withWareki(holder.birthDate), ` ${age(holder.birthDate, s.today)}歳`),
    h("dt", {}, "住民登録地"), h("dd", {}, holder.registeredAddress),
    h("dt", {}, "通知書番号"), h("dd", {}, view.noticeNumber || "(通知書なし・窓口で開始)"))));
}

function renderCertificates() {
  const e = view.expiry;
  const opens = view.renewalOpensOn, until = e.userAuthenticationExpiry;
  const today = s.today;
  const win = today < opens ? ["受付前", "warn"] : today > until ? ["期限切れ(新規発行になります)", "bad"] : ["受付中", "ok"];
  section("certificates").append(...kids(
    h("table", {},
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "証明書"), h("th", { scope: "col" }, "有効期限"), h("th", { scope: "col" }, "暗証番号"))),
      h("tbody", {},
        ["UserAuthentication", "Signing"].map(c => h("tr", {},
          h("th", { scope: "row" }, certificateJa[c]),
          h("td", {}, c === "Signing" && !e.signingExpiry ? "発行なし(15歳未満)" : withWareki(c === "Signing" ? e.signingExpiry : e.userAuthenticationExpiry)),
          h("td", {}, pinText(view.pins[c])))))),
    h("p", { id: "renewal-window" }, "更新できる期間: ", h("strong", {}, `${withWareki(opens)} 〜 ${withWareki(until)}`), " ",
      h("span", { class: `tag ${win[1]}` }, win[0])),
    view.renewedUntil || view.status !== "active" ? null : h("p", { id: "expiry-countdown", class: "countdown" }, expiryCountdown(today, opens, until)),
    view.renewedUntil ? h("p", { class: "notice ok", id: "renewed" }, `更新済み: 新しい有効期限は ${withWareki(view.renewedUntil)} です。`) : null,
    view.inquiry ? h("p", { id: "inquiry" }, "文書照会: ", `${withWareki(view.inquiry.mailedOn)} 送付・回答期限 ${withWareki(view.inquiry.replyDueOn)} ・ `,
      view.inquiry.replyReceived ? h("span", { class: "tag ok" }, "回答書 受理済み")
        : view.status !== "active" ? h("span", { class: "tag" }, "照会終了(案件終了)")
        : h("span", { class: `tag ${view.inquiry.overdue ? "bad" : "warn"}` }, view.inquiry.overdue ? "回答待ち(期限超過)" : "回答待ち"),
      !view.inquiry.replyReceived && view.status === "active" ? h("span", { id: "reply-countdown", class: "countdown" }, " ", replyCountdown(today, view.inquiry.replyDueOn)) : null) : null));
}

function pinText(pin) {
  if (!pin) return "—";
  if (pin.locked) return "ロック中";
  return pin.triesLeft === null || pin.triesLeft === undefined ? "未確認" : `残り${pin.triesLeft}回`;
}

function renderChecklist() {
  const list = view.checklist;
  section("checklist").append(...kids(list.length
    ? h("ul", { class: "checklist", id: "checklist-items" }, list.map(i => h("li", { dataset: { code: i.code } }, i.ja, h("span", { class: "en" }, " " + i.en))))
    : h("p", {}, view.status === "closed" ? "この案件は終了しています。" : "必要な手続きはありません。"),
    list.some(i => i.code === "second-visit-documents")
      ? h("p", { class: "no-print" }, h("a", { class: "button", href: `/desk/cases/${id}/next-visit`, id: "print-next-visit" }, "「次回お持ちいただくもの」を印刷する ", h("span", { class: "en" }, "Print what to bring next time")))
      : null));
}

/** The visits, from the case's events: who came, which documents, the identity check and how it ended, with their corrections. */
function renderVisits() {
  const visits = visitsFromEvents(events);
  const docName = code => (s.documents.find(x => x.code === code) || special.find(x => x.code === code) || { nameJa: code }).nameJa;
  const el = section("visits");
  if (!visits.length) { el.append(...kids(h("p", {}, "まだ来庁はありません。"))); return; }
  const amended = (label, reason) => reason ? h("div", { class: "muted amended" }, `${label}(理由: ${reason})`) : null;
  el.append(...kids(h("table", { id: "visit-list" },
    h("thead", {}, h("tr", {}, ["回", "日時", "窓口", "来庁者", "書類", "本人確認", "結果"].map(t => h("th", { scope: "col" }, t)))),
    h("tbody", {}, visits.map(v => h("tr", { class: v.voided ? "voided" : null, dataset: { visit: v.visit, voided: v.voided ? "true" : "false" } },
      h("td", { class: "num" }, `${v.visit}回目`, v.voided ? [h("div", {}, h("span", { class: "tag bad" }, "取消し")), h("div", { class: "muted" }, `理由: ${v.voided}`)] : null),
      h("td", {}, momentJa(v.started)),
      h("td", {}, officeJa(v.office)),
      h("td", {}, whoCameJa[v.whoCame] || v.whoCame, v.whoCame === "AppointedProxy" ? h("div", { class: "muted" }, `照会書兼回答書: ${replyFormJa[v.replyForm]}`) : null),
      h("td", {}, v.documents.length ? h("ul", {}, v.documents.map(d => h("li", {}, `${d.owner === "Holder" ? "本人" : "代理人"}: ${docName(d.kind)}`,
        d.issuedOn ? `(交付 ${withWareki(d.issuedOn)})` : "", d.validUntil ? `(有効期限 ${withWareki(d.validUntil)})` : ""))) : "—",
        amended("書類を訂正", v.documentsAmended)),
      h("td", {}, !v.identity ? "—" : v.identity.ok ? h("span", { class: "tag ok" }, "確認済み") : [h("span", { class: "tag bad" }, "確認できず"), h("div", {}, reasonJa(v.identity.reason))]),
      h("td", {}, v.ended ? `${outcomeJa[v.ended.outcome] || v.ended.outcome}(${momentJa(v.ended.at)})` : v.voided ? "—" : h("strong", {}, "対応中"),
        amended("結果を訂正", v.outcomeAmended))))))));
}

/**
 * The activation timeline, shown once there is something in it: a procedure done, or a notice
 * about the health-insurance use (002's closed registration before the expiry, 004's grace after it).
 */
async function renderTimeline() {
  const el = document.getElementById("timeline");
  const r = await api(`/cases/${id}/timeline`);
  el.dataset.loaded = "true";
  if (!r.ok || !timelineHasContent(r.data)) { el.hidden = true; return; }
  el.hidden = false;
  section("timeline").append(...kids(
    h("p", { class: "no-print" }, h("a", { class: "button", href: `/desk/cases/${id}/timeline`, id: "print-timeline" }, "お渡し用に印刷する ", h("span", { class: "en" }, "Print for the holder"))),
    timelineView(r.data)));
}

// ---- actions ------------------------------------------------------------------------------

function renderActions() {
  const el = section("actions");
  el.append(stepper(view));
  if (view.status !== "active") { el.append(...kids(h("p", {}, "終了した案件には操作できません。"))); return; }
  // Only the commands the case allows now (allowedActions, from the server's lifecycle).
  const allowed = new Set(view.allowedActions || []);
  const when = (action, form) => allowed.has(action) ? form() : null;
  const visit = view.currentVisit;
  const corrections = correctionsGroup({ commandForm, field, view, allowed, officeJa, documentFields });
  if (!visit && view.renewedUntil) {
    el.append(...kids(h("p", {}, "更新は済んでいます。お渡し用の目安を印刷して、案件を終了してください。"), when("closure", closeForm), corrections));
    return;
  }
  if (!visit) {
    el.append(...kids(
      h("p", {}, "来庁者の受付から始めます。", h("span", { class: "en" }, " Start with the visitor at the counter.")),
      when("arrivals", arrivalForm), when("calls", callForm), when("tickets/current/drop", () => dropForm({ commandForm, field, view })),
      when("visits", visitForm), corrections));
    return;
  }
  el.append(...kids(h("p", { id: "current-visit" }, `${visit.number}回目の来庁を対応中: ${whoCameJa[visit.whoCame]} ・ 本人確認 `,
    visit.identityAccepted === true ? h("span", { class: "tag ok" }, "確認済み")
      : visit.identityAccepted === false ? h("span", { class: "tag bad" }, "確認できず") : "未了",
    visit.pinsVerified.length ? ` ・ 暗証番号照合済み: ${visit.pinsVerified.map(c => certificateJa[c]).join("、")}` : "")));
  if (visit.identityAccepted === false) {
    const refused = [...events].reverse().find(e => e.type === "IdentityRefused");
    if (refused) el.append(...kids(problemBox({ title: "本人確認ができませんでした。", detail: reasonJa(refused.data.reason), rule: refused.data.rule }, "本人確認ができません")));
  } else {
    el.append(...kids(when("pin-checks", pinForm), when("inquiries", inquiryForm), when("inquiry-replies", replyForm),
      when("pin-resets", resetForm), when("renewals", renewalForm)));
  }
  el.append(...kids(when("visits/current/end", endForm), corrections));
}

/** A form that sends one command; its result replaces the page's case, a refusal shows why. */
function commandForm(key, titleJa, titleEn, fields, toBody, button) {
  const form = h("form", { id: `form-${key}`, "aria-labelledby": `form-${key}-h` },
    h("h3", { id: `form-${key}-h` }, titleJa, h("span", { class: "en" }, " " + titleEn)),
    h("div", { class: "fields" }, fields),
    h("p", {}, h("button", { type: "submit" }, button || titleJa)),
    h("div", { class: "form-problem", "aria-live": "assertive" }));
  form.addEventListener("submit", async e => {
    e.preventDefault();
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      const r = await api(`/cases/${id}/${key === "end" ? "visits/current/end" : endpoint[key]}`, { method: "POST", body: toBody(new FormData(form), form) });
      if (!r.ok) {
        // The refusal next to the button that was refused, with its rule (issue 13); a line in the live region says so.
        form.querySelector(".form-problem").replaceChildren(...kids(problemBox(r.problem)));
        say(`操作できませんでした: ${titleJa}`, "bad");
        form.querySelector(".form-problem").scrollIntoView({ block: "nearest" });
        return;
      }
      view = r.data;
      await loadEvents();
      render();
      say(`記録しました: ${titleJa}`);
      document.getElementById("actions-h").focus();
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

const endpoint = { arrival: "arrivals", call: "calls", visit: "visits", pin: "pin-checks", reset: "pin-resets",
  inquiry: "inquiries", reply: "inquiry-replies", renewal: "renewals", closure: "closure", ...correctionEndpoints };

const field = (id, labelJa, labelEn, control) => h("div", {}, h("label", { for: id }, labelJa, h("span", { class: "en" }, labelEn)), control);
const officeSelect = id => h("select", { id, name: "office" }, s.offices.map(o => h("option", { value: o.id, selected: o.id === s.office }, o.nameJa)));
const officeJa = office => (s.offices.find(o => o.id === office) || { nameJa: office }).nameJa;

function arrivalForm() {
  return commandForm("arrival", "来庁(番号札の発行)", "Arrival, ticket", [
    field("arrival-office", "窓口", "Office", officeSelect("arrival-office")),
    field("arrival-ticket", "番号札", "Ticket number", h("input", { type: "text", id: "arrival-ticket", name: "ticketNumber", required: true, autocomplete: "off" }))],
    f => ({ office: f.get("office"), ticketNumber: f.get("ticketNumber") }), "番号札を記録");
}

/** The office's counters (from its profile) as options; the list follows the office chosen. */
const counterOptions = office => ((s.offices.find(o => o.id === office) || { counters: [] }).counters || []).map(c => h("option", { value: c }, c));

function callForm() {
  const offices = officeSelect("call-office");
  const counters = h("select", { id: "call-counter", name: "counter", required: true }, counterOptions(offices.value || s.office));
  offices.addEventListener("change", () => counters.replaceChildren(...counterOptions(offices.value)));
  return commandForm("call", "窓口へ呼出し", "Call to a counter", [
    field("call-office", "窓口", "Office", offices),
    field("call-counter", "カウンター", "Counter", counters)],
    f => ({ office: f.get("office"), counter: f.get("counter"), clerkId: s.staffId }), "呼び出す");
}

/**
 * The documents' check boxes (ids prefix-rep-…, prefix-holder-…, prefix-other-…): for starting a
 * visit, and for amending its documents. A ticked document asks for the dates its rule needs
 * (documentsOf sends them): the 交付日 of a 運転経歴証明書 (it counts only if issued on or after
 * 2012-04-01, seeds 000/001/004) and the 発行日 of a 成年後見登記事項証明書 (3 months, 003/004); the
 * 有効期限 of a document that carries one (「有効期限内の書類に限ります」, 004/001).
 */
function documentFields(prefix) {
  const docs = (owner, legendJa, legendEn) => h("fieldset", {},
    h("legend", {}, legendJa, h("span", { class: "en" }, legendEn)),
    h("div", { class: "checks" }, identityDocuments.map(d =>
      documentCheck(`${prefix}-${owner === "Holder" ? "holder" : "rep"}-${d.code}`, owner, d, `[${d.list}] ${d.nameJa}`))));
  return [
    docs("Representative", "代理人・法定代理人の本人確認書類", "Representative's ID documents"),
    docs("Holder", "本人の本人確認書類(マイナンバーカード以外も)", "Holder's ID documents"),
    h("fieldset", {}, h("legend", {}, "その他の書類", h("span", { class: "en" }, "Other documents")),
      h("div", { class: "checks" }, special.map(d => documentCheck(`${prefix}-other-${d.code}`, d.owner, d, d.nameJa)))),
  ];
}

/** One document's check box, and below it, shown only while it is ticked, the dates it needs. */
function documentCheck(cid, owner, d, text) {
  const key = `${owner}:${d.code}`;
  const dates = [];
  if (d.issuedOnOrAfter) {
    dates.push(dateField(`${cid}-issued-on`, `issuedOn:${key}`, "交付日(交付年月日)", "Issued on", `${withWareki(d.issuedOnOrAfter)}以降の交付に限ります`, true));
  } else if (d.issued) {
    dates.push(dateField(`${cid}-issued-on`, `issuedOn:${key}`, "発行日", "Issued on", "発行から3か月以内のものに限ります", true));
  }
  if (d.hasValidity) {
    const grace = owner === "Holder" && d.graceAfterExpiryMonths ? `本人のものは有効期限後${d.graceAfterExpiryMonths}か月以内まで使えます` : "記載があれば入力";
    dates.push(dateField(`${cid}-valid-until`, `validUntil:${key}`, "有効期限", "Valid until", grace, false));
  }
  const box = h("input", { type: "checkbox", id: cid, name: "doc", value: key });
  const label = h("label", { for: cid }, box, text);
  if (!dates.length) return label;
  const panel = h("div", { class: "doc-dates", id: `${cid}-dates`, hidden: true }, dates);
  // Only a ticked document's dates are asked for (and required); the others are disabled, not sent.
  const toggle = () => {
    panel.hidden = !box.checked;
    for (const input of panel.querySelectorAll("input")) input.disabled = !box.checked;
  };
  box.addEventListener("change", toggle);
  toggle();
  return h("div", { class: "doc" }, label, panel);
}

const dateField = (id, name, labelJa, labelEn, hint, required) => h("div", {},
  h("label", { for: id }, labelJa, h("span", { class: "en" }, " " + labelEn)),
  h("input", { type: "date", id, name, required, max: name.startsWith("issuedOn:") ? s.today : null, "aria-describedby": `${id}-hint` }),
  h("span", { class: "muted hint", id: `${id}-hint` }, hint));

function visitForm() {
  const fields = [
    field("visit-office", "窓口", "Office", officeSelect("visit-office")),
    h("fieldset", {}, h("legend", {}, "来庁した人", h("span", { class: "en" }, "Who came")),
      Object.entries(whoCameJa).map(([v, t], i) => h("label", { class: "check", for: `who-${v}` },
        h("input", { type: "radio", id: `who-${v}`, name: "whoCame", value: v, checked: i === 0, required: true }), t))),
    field("reply-form", "照会書兼回答書(任意代理人のとき)", "Reply form, for a proxy",
      h("select", { id: "reply-form", name: "replyForm" }, ["Sealed", "Missing", "Incomplete"].map(v => h("option", { value: v }, replyFormJa[v])))),
    ...documentFields("doc"),
    h("label", { class: "check", for: "holder-present" }, h("input", { type: "checkbox", id: "holder-present", name: "holderPresent", checked: true }), "本人も来庁している ", h("span", { class: "en" }, "Holder present")),
    h("label", { class: "check", for: "authority-on-record" }, h("input", { type: "checkbox", id: "authority-on-record", name: "authorityOnRecord" }), "親子関係・代理権を市の記録で確認できる ", h("span", { class: "en" }, "Authority on the municipality's record")),
    h("p", { class: "muted" }, "書類を選ぶと、交付日・有効期限の欄が出ます。本人確認の結果は受付と同時に記録されます。"),
  ];
  return commandForm("visit", "窓口対応の開始(来庁者と書類)", "Start a visit: who came, which documents", fields, f => {
    const whoCame = f.get("whoCame");
    return {
      office: f.get("office"), whoCame,
      replyForm: whoCame === "AppointedProxy" ? f.get("replyForm") : "NotApplicable",
      holderPresent: f.get("holderPresent") === "on",
      authorityOnRecord: f.get("authorityOnRecord") === "on",
      documents: documentsOf(f),
    };
  }, "窓口対応を開始し本人確認を記録");
}

const certificateBoxes = (prefix, signingPossible = true) => h("fieldset", {}, h("legend", {}, "電子証明書", h("span", { class: "en" }, "Certificates")),
  ["UserAuthentication", "Signing"].map(c => h("label", { class: "check", for: `${prefix}-${c}` },
    h("input", { type: "checkbox", id: `${prefix}-${c}`, name: "certificate", value: c, checked: c === "UserAuthentication" || signingPossible }), certificateJa[c])));

function pinForm() {
  return commandForm("pin", "暗証番号の照合結果", "PIN check result", [
    field("pin-certificate", "電子証明書", "Certificate", h("select", { id: "pin-certificate", name: "certificate" },
      ["UserAuthentication", "Signing"].map(c => h("option", { value: c }, certificateJa[c])))),
    field("pin-result", "結果", "Result", h("select", { id: "pin-result", name: "result" },
      [["Matched", "一致"], ["Mismatched", "不一致"], ["Locked", "ロック"]].map(([v, t]) => h("option", { value: v }, t)))),
    field("pin-tries", "残り回数(不一致のとき)", "Tries left", h("input", { type: "number", id: "pin-tries", name: "triesLeft", min: 0, max: 5, value: 2 })),
  ], f => ({ certificate: f.get("certificate"), result: f.get("result"), triesLeft: Number(f.get("triesLeft") || 0) }), "照合結果を記録");
}

function resetForm() {
  return commandForm("reset", "暗証番号の初期化", "PIN reset", certificateBoxes("reset", !!view.expiry.signingExpiry),
    f => ({ certificates: f.getAll("certificate") }), "初期化を記録");
}

function inquiryForm() {
  return commandForm("inquiry", "文書照会を送付", "Mail a document inquiry", [
    field("inquiry-reason", "理由", "Reason", h("select", { id: "inquiry-reason", name: "reason" },
      [["reply-form-missing", "照会書兼回答書の持参なし"], ["reply-form-incomplete", "照会書兼回答書の記入不備"], ["pin-wrong-on-form", "回答書の暗証番号の誤り"]]
        .map(([v, t]) => h("option", { value: v }, t)))),
    h("p", { class: "muted" }, `住民登録地(${view.holder.registeredAddress})へ照会書兼回答書を郵送します。`),
  ], f => ({ reason: f.get("reason") }), "文書照会の送付を記録");
}

function replyForm() {
  return commandForm("reply", "回答書を受理", "Receive the inquiry reply",
    h("p", { class: "muted" }, "代理人が持参した回答書(本人記入・封入)を受け取ります。"), () => ({}), "回答書の受理を記録");
}

function renewalForm() {
  return commandForm("renewal", "電子証明書の更新", "Renew the certificates", [
    certificateBoxes("renew", !!view.expiry.signingExpiry),
    h("label", { class: "check", for: "renew-reissued" }, h("input", { type: "checkbox", id: "renew-reissued", name: "onReissuedCard" }), "再交付されたカードへの発行(手数料200円)"),
  ], f => ({ certificates: f.getAll("certificate"), onReissuedCard: f.get("onReissuedCard") === "on" }), "更新を記録");
}

function closeForm() {
  return commandForm("closure", "案件を終了", "Close the case", h("input", { type: "hidden", name: "closure", value: "Renewed" }),
    () => ({ closure: "Renewed" }), "更新済みとして案件を終了");
}

function endForm() {
  return commandForm("end", "窓口対応を終了", "End the visit",
    field("end-outcome", "結果", "Outcome", h("select", { id: "end-outcome", name: "outcome" },
      Object.entries(outcomeJa).map(([v, t]) => h("option", { value: v, selected: v === (view.renewedUntil ? "Done" : "MustReturn") }, t)))),
    f => ({ outcome: f.get("outcome") }), "対応を終了");
}

// ---- helpers ------------------------------------------------------------------------------

/** Empties a section but for its heading, and returns it. */
function section(sectionId) {
  const el = document.getElementById(sectionId);
  const heading = el.querySelector("h2");
  el.replaceChildren(...kids(heading));
  return el;
}

/** A refusal's reason names the documents that did not count by their codes ("driving-history-certificate: …"): shown by their names. */
const reasonJa = reason => String(reason || "").replace(/([a-z][a-z-]*[a-z]): /g, (all, code) => {
  const d = s.documents.find(x => x.code === code) || special.find(x => x.code === code);
  return d ? `${d.nameJa}: ` : all;
});

function age(birth, today) {
  const [by, bm, bd] = birth.split("-").map(Number), [ty, tm, td] = today.split("-").map(Number);
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

await load();
