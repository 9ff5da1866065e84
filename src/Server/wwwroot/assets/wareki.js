// Dates as they are written at a counter (issue 13): read in 和暦 or Western form, shown with the
// 和暦 beside the Western date. The same table and forms as src/Contracts/JapaneseDates.cs; the
// cases both must agree on are tests/Shared/japanese-dates.json.

/** From the oldest: name, letter (S55.1.20), the resident register's era number (3550120), first day. */
export const ERAS = [
  { name: "明治", letter: "M", code: 1, start: "1868-10-23" },
  { name: "大正", letter: "T", code: 2, start: "1912-07-30" },
  { name: "昭和", letter: "S", code: 3, start: "1926-12-25" },
  { name: "平成", letter: "H", code: 4, start: "1989-01-08" },
  { name: "令和", letter: "R", code: 5, start: "2019-05-01" },
];

const pad = n => String(n).padStart(2, "0");
const iso = (y, m, d) => `${String(y).padStart(4, "0")}-${pad(m)}-${pad(d)}`;
const parts = date => date.slice(0, 10).split("-").map(Number);
const yearJa = y => (y === 1 ? "元" : String(y));

/** The era of an ISO date, or null before Meiji. */
export function eraOf(date) {
  const day = date.slice(0, 10);
  return [...ERAS].reverse().find(e => e.start <= day) || null;
}

export const western = date => { const [y, m, d] = parts(date); return `${y}年${m}月${d}日`; };

/** 令和8年3月16日; 令和元年5月1日 in an era's first year. */
export function wareki(date) {
  const era = eraOf(date);
  if (!era) return western(date);
  const [y, m, d] = parts(date);
  return `${era.name}${yearJa(y - Number(era.start.slice(0, 4)) + 1)}年${m}月${d}日`;
}

/** 2026年3月16日(令和8年) */
export function withWareki(date) {
  if (!date) return "—";
  const era = eraOf(date);
  if (!era) return western(date);
  const [y] = parts(date);
  return `${western(date)}(${era.name}${yearJa(y - Number(era.start.slice(0, 4)) + 1)}年)`;
}

const refused = (ja, en) => ({ date: null, ja, en });

function westernReading(y, m, d) {
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > new Date(Date.UTC(y, m, 0)).getUTCDate()) {
    return refused("存在しない日付です。", "That date does not exist.");
  }
  return { date: iso(y, m, d), ja: null, en: null };
}

function inEra(era, year, m, d) {
  if (year < 1) return refused(`${era.name}の年は1(元年)からです。`, `${era.name} years start at 1.`);
  const reading = westernReading(Number(era.start.slice(0, 4)) + year - 1, m, d);
  if (!reading.date) return reading;
  const actual = eraOf(reading.date);
  if (actual !== era) {
    const right = actual ? wareki(reading.date) : western(reading.date);
    return refused(`${era.name}${yearJa(year)}年${m}月${d}日という日付はありません(${right}のことですか)。`,
      `That day is not in the ${era.name} era (did you mean ${right}?).`);
  }
  return reading;
}

const WESTERN = /^([0-9]{4})(?:[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})|年([0-9]{1,2})月([0-9]{1,2})日?)$/;
const DIGITS = /^([0-9]{4})([0-9]{2})([0-9]{2})$/;
const ERA = /^(明治|大正|昭和|平成|令和|[MTSHRmtshr])\.?([0-9]{1,2}|元)(?:[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})|年([0-9]{1,2})月([0-9]{1,2})日?)$/;
const REGISTER = /^([0-9])([0-9]{2})([0-9]{2})([0-9]{2})$/;

/**
 * A date as a person types it: 1980-01-20, 1980/1/20, 1980年1月20日, 19800120; 昭和55年1月20日,
 * S55.1.20, 令和元年5月1日, R1.5.1; the register's 3550120. Full-width digits and spaces are
 * accepted. Returns {date: "YYYY-MM-DD"} or {date: null, ja, en} saying why.
 */
export function parseDate(text) {
  const t = String(text ?? "").normalize("NFKC").replace(/\s+/gu, "");
  if (t === "") return refused("日付を入力してください。", "Enter a date.");
  let m;
  if ((m = WESTERN.exec(t))) return westernReading(+m[1], +(m[2] ?? m[4]), +(m[3] ?? m[5]));
  if ((m = DIGITS.exec(t))) return westernReading(+m[1], +m[2], +m[3]);
  if ((m = ERA.exec(t))) {
    const era = ERAS.find(e => e.name === m[1] || (m[1].length === 1 && m[1].toUpperCase() === e.letter));
    return inEra(era, m[2] === "元" ? 1 : +m[2], +(m[3] ?? m[5]), +(m[4] ?? m[6]));
  }
  if ((m = REGISTER.exec(t))) {
    const era = ERAS.find(e => e.code === +m[1]);
    return era ? inEra(era, +m[2], +m[3], +m[4])
      : refused("7桁の日付の先頭は元号の番号(1 明治〜5 令和)です。", "A seven-digit date starts with the era's number (1 Meiji to 5 Reiwa).");
  }
  return refused("日付として読めません。例: 1980-01-20、昭和55年1月20日、S55.1.20", "Not a date. For example 1980-01-20, 昭和55年1月20日 or S55.1.20.");
}

/**
 * A text input where a person types a date: what it was read as is shown beside it as they type
 * (or why it cannot be read), and the input's form value is replaced by the ISO date when the
 * form is read through formDate(). The input keeps what was typed.
 */
export function dateInput(input) {
  const note = document.createElement("span");
  note.className = "date-reading";
  note.id = `${input.id}-reading`;
  note.setAttribute("aria-live", "polite");
  input.setAttribute("aria-describedby", note.id);
  input.after(note);
  const show = () => {
    const text = input.value.trim();
    if (text === "") { note.textContent = ""; input.setCustomValidity(""); delete input.dataset.iso; return; }
    const r = parseDate(text);
    if (r.date) {
      input.dataset.iso = r.date;
      input.setCustomValidity("");
      note.textContent = `→ ${withWareki(r.date)}`;
      note.classList.remove("bad");
    } else {
      delete input.dataset.iso;
      input.setCustomValidity(r.ja);
      note.textContent = r.ja;
      note.classList.add("bad");
    }
  };
  input.addEventListener("input", show);
  show();
  return input;
}

/** The ISO date of a dateInput, "" when empty, or null when what was typed is not a date. */
export function formDate(input) {
  if (input.value.trim() === "") return "";
  return input.dataset.iso || parseDate(input.value).date;
}
