import { h, kids } from "/assets/app.js";

const q = new URLSearchParams(location.search);
document.getElementById("next").value = q.get("next") || "";
const message = document.getElementById("message");
if (q.get("error")) message.append(...kids(h("div", { class: "problem", role: "alert" },
  h("strong", {}, "トークンが無効か期限切れです。"), h("span", { class: "en" }, " The token is invalid or expired."),
  h("p", {}, "発行し直したトークンを貼り付けてください。"))));
if (q.get("out")) message.append(...kids(h("div", { class: "notice ok", role: "status" }, "サインアウトしました。", h("span", { class: "en" }, " Signed out."))));
// Enter submits (Shift+Enter would only add a line, which a token never needs).
document.getElementById("token").addEventListener("keydown", e => {
  if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); document.getElementById("signin").requestSubmit(); }
});
