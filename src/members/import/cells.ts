/**
 * Cleaning of raw CSV cells and header names, before any validation. Pure.
 *
 * Free text (names, group names, tags) keeps its punctuation; structured values (phones, codes, dates,
 * amounts, roles) are also folded from full-width to half-width, since Chinese input methods and Excel
 * produce `１３８…`, `２０２４／５／１`, `￥１２．５` as often as the ASCII forms.
 */

const FULL_WIDTH = /[\uFF01-\uFF5E\u3000\uFFE5]/;
const FULL_WIDTH_ALL = /[\uFF01-\uFF5E\u3000\uFFE5]/g;

/** Full-width ASCII forms (`！`…`～`), the ideographic space and `￥` → their half-width forms. */
export function toHalfWidth(s: string): string {
  if (!FULL_WIDTH.test(s)) return s;
  return s.replace(FULL_WIDTH_ALL, (c) => {
    if (c === '\u3000') return ' ';
    if (c === '\uFFE5') return '¥';
    return String.fromCharCode(c.charCodeAt(0) - 0xfee0);
  });
}

/**
 * A cell as the operator meant it: surrounding whitespace removed (including NBSP and the
 * ideographic space) and Excel's text wrapper `="0123"` unwrapped.
 * @example cleanCell(' ="13800000000" ') // '13800000000'
 */
export function cleanCell(raw: string): string {
  const s = raw.trim();
  if (s.length > 3 && s.charCodeAt(0) === 61 /* = */ && s.charCodeAt(1) === 34 /* " */ && s.endsWith('"')) {
    return s.slice(2, -1).trim();
  }
  return s;
}

/**
 * A structured value (phone, code, date, amount, role): cleaned, folded to half-width, and without
 * the leading apostrophe Excel users type to keep a number as text.
 * @example structuredCell("'１３８ 0000 0000") // '138 0000 0000'
 */
export function structuredCell(raw: string): string {
  let s = toHalfWidth(cleanCell(raw));
  if (s.charCodeAt(0) === 39 /* ' */) s = s.slice(1).trim();
  return s;
}

const BRACKETED = /[([【〔][^)\]】〕]*[)\]】〕]/g;
const NOT_WORD = /[^\p{L}\p{N}]+/gu;

/**
 * The comparable form of a header name: half-width, lower case, bracketed notes such as `(元)` or
 * `（必填）` dropped, and everything but letters, digits and CJK characters removed, so `Order ID`,
 * `order_id`, `ＯＲＤＥＲ－ＩＤ` and `orderid` compare equal, and so do `金额（元）` and `金额`.
 * @example normalizeHeader('手机号（必填）*') // '手机号'
 */
export function normalizeHeader(raw: string): string {
  return toHalfWidth(cleanCell(raw).replace(/^\uFEFF/, ''))
    .toLowerCase()
    .replace(BRACKETED, '')
    .replace(NOT_WORD, '');
}

/** Excel's letter for a 0-based column index: 0 → A, 25 → Z, 26 → AA. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    out = String.fromCharCode(65 + r) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}
