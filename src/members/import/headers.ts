/**
 * Header resolution: which CSV column holds which field, from the names operators really use
 * (Chinese and English, any case, spaces, full-width forms, bracketed notes). Pure.
 */
import { columnLetter, normalizeHeader } from './cells.js';

/** One field an import understands. */
export interface FieldSpec<K extends string = string> {
  key: K;
  /** The name shown to operators: the Chinese name and the English one, e.g. `手机号/phone`. */
  label: string;
  /** Accepted column names; compared after {@link normalizeHeader}. */
  aliases: readonly string[];
  /** The file must have this column. */
  required?: boolean;
  /** Values are phone numbers: masked wherever they are shown. */
  phone?: boolean;
  /**
   * What a row lacks without this column, for the report of an ignored column that looks like it
   * (`owner guide`: "12 groups will have no owner guide"). Default: the English part of the label.
   */
  meaning?: string;
}

/** Where each field's column is, and the columns no field claimed. */
export interface ColumnMap {
  /** 0-based column index of each field present in the file. */
  index: Map<string, number>;
  /** The header cells as written (for messages: row 12, column C 手机号). */
  header: readonly string[];
  /** Header cells no field claimed (reported, not an error). */
  ignored: string[];
  /** The 0-based column index of each of `ignored`. */
  ignoredIndex: number[];
}

/** Why a header row cannot be used: what was found and what is needed. */
export type HeaderProblem =
  { kind: 'missing'; fields: FieldSpec[] } | { kind: 'missing-one-of'; groups: FieldSpec[][] } | { kind: 'ambiguous'; field: FieldSpec; columns: number[] };

/** Column names (normalised) → field, for one import kind. */
export function aliasTable(fields: readonly FieldSpec[]): Map<string, FieldSpec> {
  const table = new Map<string, FieldSpec>();
  for (const f of fields) {
    for (const alias of [f.key, ...f.aliases]) {
      const n = normalizeHeader(alias);
      const taken = table.get(n);
      if (taken && taken !== f) throw new Error(`header alias "${alias}" is used by both ${taken.key} and ${f.key}`);
      table.set(n, f);
    }
  }
  return table;
}

/**
 * Maps a header row onto fields. Every required column must be there, each field at most once,
 * and from each `oneOf` group at least one (orders: the member's phone or their id).
 * @example resolveHeader(['手机号', 'Name', '备注'], fields) // { ok: true, columns: { index: phone→0, name→1; ignored: ['备注'] } }
 */
export function resolveHeader(
  header: readonly string[],
  fields: readonly FieldSpec[],
  oneOf: readonly (readonly string[])[] = [],
): { ok: true; columns: ColumnMap } | { ok: false; problems: HeaderProblem[] } {
  const table = aliasTable(fields);
  const found = new Map<FieldSpec, number[]>();
  const ignored: string[] = [];
  const ignoredIndex: number[] = [];
  header.forEach((cell, i) => {
    const f = table.get(normalizeHeader(cell));
    if (!f) {
      if (cell.trim() !== '') {
        ignored.push(cell.trim());
        ignoredIndex.push(i);
      }
      return;
    }
    found.set(f, [...(found.get(f) ?? []), i]);
  });
  const problems: HeaderProblem[] = [];
  const missing = fields.filter((f) => f.required && !found.has(f));
  if (missing.length) problems.push({ kind: 'missing', fields: missing });
  const groups = oneOf.map((keys) => keys.map((k) => fields.find((f) => f.key === k)!)).filter((group) => !group.some((f) => found.has(f)));
  if (groups.length) problems.push({ kind: 'missing-one-of', groups });
  for (const [field, columns] of found) {
    if (columns.length > 1) problems.push({ kind: 'ambiguous', field, columns });
  }
  if (problems.length) return { ok: false, problems };
  const index = new Map<string, number>();
  for (const [field, columns] of found) index.set(field.key, columns[0]!);
  return { ok: true, columns: { index, header, ignored, ignoredIndex } };
}

/** The field whose names come nearest to a header no field claimed, and the alias that came nearest. */
export interface NearestField {
  field: FieldSpec;
  /** The accepted name it resembles, as written in the field's aliases. */
  alias: string;
}

/**
 * The field an unknown header most likely meant: one of its names is contained in the header or
 * contains it (`群主导购员` → `导购`), or is within a small edit distance (`phnoe` → `phone`: one edit per
 * three characters). Null when nothing is near. Pure.
 * @example nearestField('所属导购员', groupsFields)?.field.key // 'guide'
 */
export function nearestField(header: string, fields: readonly FieldSpec[]): NearestField | null {
  const h = normalizeHeader(header);
  if (!h) return null;
  let best: (NearestField & { score: number }) | null = null;
  for (const field of fields) {
    for (const alias of [...field.aliases, field.key]) {
      const a = normalizeHeader(alias);
      if (!a) continue;
      let score: number;
      const cjk = /\P{ASCII}/u.test(a);
      if ((a.length >= 2 || cjk) && h.length >= 2 && (h.includes(a) || a.includes(h))) {
        score = Math.abs(h.length - a.length) / Math.max(h.length, a.length);
      } else {
        const d = editDistance(h, a);
        if (d > Math.max(1, Math.floor(Math.max(h.length, a.length) / 3))) continue;
        score = 1 + d / Math.max(h.length, a.length);
      }
      if (!best || score < best.score) best = { field, alias, score };
    }
  }
  return best && { field: best.field, alias: best.alias };
}

/** Edit distance with adjacent transpositions (optimal string alignment), over UTF-16 units (headers are short). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** What a field means to a row, for "N groups will have no …". */
export function meaningOf(f: FieldSpec): string {
  return f.meaning ?? f.label.split('/')[1] ?? f.label;
}

const names = (f: FieldSpec) => [...new Set([f.aliases[0] ?? f.key, f.key, ...f.aliases])].join(', ');

/**
 * One operator-facing message for a header that cannot be used: the file, the columns found, the
 * columns required and the names each may have.
 */
export function describeHeaderProblems(file: string, header: readonly string[], problems: HeaderProblem[], fields: readonly FieldSpec[], encoding: string): string {
  const lines: string[] = [];
  const shown = header.map((h, i) => `${columnLetter(i)} ${JSON.stringify(h)}`).join(', ') || '(none)';
  for (const p of problems) {
    if (p.kind === 'missing') {
      lines.push(`${file}: missing column${p.fields.length > 1 ? 's' : ''} ${p.fields.map((f) => f.label).join(', ')}.`);
      for (const f of p.fields) lines.push(`  ${f.label} may be named: ${names(f)}`);
    } else if (p.kind === 'missing-one-of') {
      for (const g of p.groups) {
        lines.push(`${file}: needs one of the columns ${g.map((f) => f.label).join(' or ')}.`);
        for (const f of g) lines.push(`  ${f.label} may be named: ${names(f)}`);
      }
    } else {
      const cols = p.columns.map((i) => `${columnLetter(i)} ${JSON.stringify(header[i])}`).join(' and ');
      lines.push(`${file}: columns ${cols} both mean ${p.field.label}: keep one of them.`);
    }
  }
  lines.push(`  columns found: ${shown}`);
  lines.push(
    `  columns required: ${fields
      .filter((f) => f.required)
      .map((f) => f.label)
      .join(', ')}`,
  );
  lines.push(`  read as ${encoding}: if the names above look garbled, run again with --encoding gbk or --encoding utf8`);
  return lines.join('\n');
}
