import { h, kids } from "/assets/app.js";

const q = new URLSearchParams(location.search);
for (const next of document.querySelectorAll("input.next")) next.value = q.get("next") || "";
// The municipality last signed in to, so that a clerk types only their id and password.
const municipality = document.getElementById("municipality");
const remembered = localStorage.getItem("casesystem.municipality");
if (remembered) municipality.value = remembered;
document.getElementById("signin-password").addEventListener("submit", () => localStorage.setItem("casesystem.municipality", municipality.value));
const message = document.getElementById("message");
if (q.get("error")) message.append(...kids(h("div", { class: "problem", role: "alert" },
  h("strong", {}, "サインインできませんでした。"), h("span", { class: "en" }, " Sign-in failed."),
  h("p", {}, "職員ID・パスワードが違うか、続けて間違えたため15分間ロックされています。トークンの場合は、無効・期限切れ・失効のいずれかです。"),
  h("p", { class: "en" }, "The id or password is wrong, or the account is locked for 15 minutes after repeated failures; a token may be invalid, expired or revoked."))));
if (q.get("out")) message.append(...kids(h("div", { class: "notice ok", role: "status" }, "サインアウトしました。", h("span", { class: "en" }, " Signed out."))));
// Enter submits (Shift+Enter would only add a line, which a token never needs).
document.getElementById("token").addEventListener("keydown", e => {
  if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); document.getElementById("signin").requestSubmit(); }
});
