import { h, kids, api, header, problemBox, caseIdFromPath } from "/assets/app.js";
import { withWareki } from "/assets/wareki.js";
import { timelineView, handoutFooter } from "/assets/timeline-view.js";

const s = await header();
const id = caseIdFromPath();
document.getElementById("back").href = `/desk/cases/${id}`;
document.getElementById("print").addEventListener("click", () => window.print());
const target = document.getElementById("for-holder");
const [c, t] = await Promise.all([api(`/cases/${id}`), api(`/cases/${id}/timeline`)]);
if (!c.ok || !t.ok) target.replaceChildren(...kids(problemBox((c.ok ? t : c).problem, "表示できません")));
else target.replaceChildren(...kids(
  h("p", {}, h("strong", {}, `${c.data.holder.nameKanji} 様`),
    c.data.renewedUntil ? `  新しい電子証明書の有効期限: ${withWareki(c.data.renewedUntil)}` : ""),
  timelineView(t.data),
  handoutFooter(s)));
