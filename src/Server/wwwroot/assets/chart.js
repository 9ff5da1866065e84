import { h } from "/assets/app.js";

/**
 * A horizontal bar chart drawn as inline SVG, with the same figures as a table beside it for
 * screen readers and exact reading. rows: [{label, values: [number|null], note}], series: [{name, cls}].
 */
export function barChart({ id, title, titleEn, rows, series, format = v => String(v), max }) {
  const labelWidth = 140, width = 520, barHeight = 18, gap = 4, rowGap = 12, valueWidth = 70;
  const plot = width - labelWidth - valueWidth;
  const top = series.length > 1 ? 26 : 6;
  const rowHeight = series.length * (barHeight + gap) + rowGap;
  const height = top + Math.max(1, rows.length) * rowHeight + 4;
  const values = rows.flatMap(r => r.values).filter(v => typeof v === "number");
  const scale = max ?? Math.max(1e-9, ...values);
  const svg = h("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": `${id}-title` },
    h("title", { id: `${id}-title` }, title),
    series.length > 1 ? series.map((s, i) => h("g", {},
      h("rect", { x: labelWidth + i * 170, y: 6, width: 14, height: 14, class: `bar ${s.cls || ""}` }),
      h("text", { x: labelWidth + i * 170 + 20, y: 18 }, s.name))) : null,
    h("line", { x1: labelWidth, x2: labelWidth, y1: top - 2, y2: height - 2, class: "axis" }),
    rows.length === 0 ? h("text", { x: labelWidth + 8, y: top + 14 }, "データがありません") : null,
    rows.map((r, i) => {
      const y = top + i * rowHeight;
      return h("g", {},
        h("text", { x: labelWidth - 8, y: y + barHeight - 4, "text-anchor": "end" }, r.label),
        series.map((s, j) => {
          const v = r.values[j];
          const by = y + j * (barHeight + gap);
          if (typeof v !== "number") return h("text", { x: labelWidth + 6, y: by + barHeight - 4, class: "muted" }, r.note || "—");
          const w = Math.max(1, (v / scale) * plot);
          return h("g", {},
            h("rect", { x: labelWidth, y: by, width: w, height: barHeight, class: `bar ${s.cls || ""}` },
              h("title", {}, `${r.label} ${s.name}: ${format(v)}`)),
            h("text", { x: labelWidth + w + 6, y: by + barHeight - 4 }, format(v)));
        }));
    }));
  const table = h("details", {}, h("summary", {}, "表で見る ", h("span", { class: "en" }, "As a table")),
    h("table", {},
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "区分"), series.map(s => h("th", { scope: "col", class: "num" }, s.name)))),
      h("tbody", {}, rows.map(r => h("tr", {}, h("th", { scope: "row" }, r.label),
        r.values.map(v => h("td", { class: "num" }, typeof v === "number" ? format(v) : (r.note || "—"))))))));
  return h("section", { class: "card", id, "aria-labelledby": `${id}-h` },
    h("h2", { id: `${id}-h` }, title, titleEn ? h("span", { class: "en" }, " " + titleEn) : null), svg, table);
}
