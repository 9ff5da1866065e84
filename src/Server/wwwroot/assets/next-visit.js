import { h, kids, api, header, problemBox, caseIdFromPath } from "/assets/app.js";
import { withWareki } from "/assets/wareki.js";
import { handoutFooter } from "/assets/timeline-view.js";

// The slip a proxy takes home when the case must wait for the document inquiry's reply (issue 13):
// what to bring next time, as the municipality asks it (the case's checklist), and by when.

const s = await header();
const id = caseIdFromPath();
document.getElementById("back").href = `/desk/cases/${id}`;
document.getElementById("print").addEventListener("click", () => window.print());
const slip = document.getElementById("slip");
const c = await api(`/cases/${id}`);
const bring = c.ok ? c.data.checklist.find(i => i.code === "second-visit-documents") : null;
if (!c.ok) slip.replaceChildren(...kids(problemBox(c.problem, "表示できません")));
else if (!bring) slip.replaceChildren(h("p", { id: "nothing-to-bring" }, "この案件には、次回お持ちいただくものの案内はありません(文書照会の回答待ちではありません)。"));
else slip.replaceChildren(...kids(
  h("p", {}, h("strong", {}, `${c.data.holder.nameKanji} 様`), "(電子証明書の更新の手続き)"),
  c.data.noticeNumber ? h("p", {}, `通知書番号: ${c.data.noticeNumber}`) : null,
  h("p", {}, "ご本人あてに文書照会(回答書)を郵送しました。回答書が届きましたら、次のものをお持ちのうえ、もう一度窓口へお越しください。"),
  h("ol", { id: "bring" }, bring.bring.map(item => h("li", {}, item))),
  c.data.inquiry ? h("p", { id: "reply-due" }, h("strong", {}, `回答書の期限: ${withWareki(c.data.inquiry.replyDueOn)}`)) : null,
  h("p", {}, "回答書はご本人が記入し、封筒に入れて封をしたうえでお持ちください。"),
  handoutFooter(s)));
