import { kids, api, header, problemBox, say } from "/assets/app.js";

await header();
document.getElementById("change").addEventListener("submit", async e => {
  e.preventDefault();
  const r = await api("/staff/me/password", { method: "POST",
    body: { current: document.getElementById("current").value, next: document.getElementById("next-password").value } });
  if (!r.ok) { document.getElementById("live").replaceChildren(...kids(problemBox(r.problem, "変更できません"))); return; }
  e.target.reset();
  say("パスワードを変更しました。/ Password changed.");
});
