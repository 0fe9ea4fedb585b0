/**
 * Shared helpers that turn zod issues from a YAML playbook into one-line messages like
 * `rewards[2].cost: expected a whole number ≥ 0, found "abc"` or
 * `care: unknown key "foo"; allowed: recentOrderHours, newMember, …`.
 */
import type { z } from 'zod';

/**
 * A zod issue path as people write it: dots between keys, brackets around indexes.
 * @returns `(top level)` for the empty path.
 * @example pathText(['rewards', 2, 'cost']) // 'rewards[2].cost'
 */
export function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(top level)';
}

/**
 * The raw (not yet validated) value at a path, or undefined when the path does not lead anywhere.
 * @example valueAt({ a: [{ b: 1 }] }, ['a', 0, 'b']) // 1
 */
export function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

type AnyDef = {
  type: string;
  innerType?: z.core.$ZodType;
  shape?: Record<string, z.core.$ZodType>;
  element?: z.core.$ZodType;
  valueType?: z.core.$ZodType;
  options?: z.core.$ZodType[];
  discriminator?: string;
};

/** The schema under its optional/default (and other `innerType`) wrappers. */
function unwrap(t: z.core.$ZodType): z.core.$ZodType {
  const def = t._zod.def as AnyDef;
  return def.innerType ? unwrap(def.innerType) : t;
}

/**
 * The keys the schema allows at a path, comma-separated, for "unknown key" messages. Follows
 * objects, arrays (element), records (valueType), optional/default wrappers (innerType) and
 * discriminated unions (the option named by the raw value's discriminator).
 * @param raw the raw input, needed to pick the option of a discriminated union.
 * @returns null when the path does not lead to an object schema.
 * @example allowedKeysAt(z.object({ a: z.object({ b: z.string() }) }), ['a']) // 'b'
 */
export function allowedKeysAt(schema: z.core.$ZodType, path: readonly PropertyKey[], raw?: unknown): string | null {
  let s: z.core.$ZodType = schema;
  for (let i = 0; i <= path.length; i++) {
    s = unwrap(s);
    const def = s._zod.def as AnyDef;
    if (def.type === 'union' && def.options) {
      const disc = def.discriminator;
      if (disc === undefined) return null;
      const kind = valueAt(raw, [...path.slice(0, i), disc]);
      const match = def.options.find((o) => {
        const lit = (o._zod.def as AnyDef).shape?.[disc];
        return (lit?._zod.def as { values?: unknown[] } | undefined)?.values?.includes(kind);
      });
      if (!match) return null;
      s = match;
      i--;
      continue;
    }
    if (i === path.length) break;
    const p = path[i]!;
    if (def.type === 'array' && typeof p === 'number' && def.element) s = def.element;
    else if (def.type === 'record' && def.valueType) s = def.valueType;
    else if (def.shape && typeof p === 'string' && def.shape[p]) s = def.shape[p];
    else return null;
  }
  const shape = (unwrap(s)._zod.def as AnyDef).shape;
  return shape ? Object.keys(shape).join(', ') : null;
}

/** How {@link describeIssue} words an issue. */
export interface DescribeIssueOptions {
  /**
   * Spell a wrong enum/literal value as `one of a, b` from the issue's values (the default) rather
   * than the schema's own message.
   */
  listValues?: boolean;
}

/**
 * One zod issue as `path: expected …, found …` or `path: unknown key "x"; allowed: …`.
 * @param schema the schema that was parsed (to list the allowed keys).
 * @param raw the raw input (to show what was found).
 * @example describeIssue(schema, issue, raw) // 'points.yuanPerPoint: expected a positive integer, found 0'
 */
export function describeIssue(schema: z.core.$ZodType, issue: z.core.$ZodIssue, raw: unknown, options: DescribeIssueOptions = {}): string {
  const where = pathText(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeysAt(schema, issue.path, raw);
    return `${where}: unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}${allowed ? `; allowed: ${allowed}` : ''}`;
  }
  const found = valueAt(raw, issue.path);
  const expected = (options.listValues ?? true) && issue.code === 'invalid_value' && 'values' in issue ? `one of ${issue.values.map(String).join(', ')}` : issue.message;
  return `${where}: expected ${expected}, found ${found === undefined ? 'nothing' : JSON.stringify(found)}`;
}

/**
 * The index of the first value that already came before, or null when all differ.
 * @example firstDuplicate(['a', 'b', 'a']) // 2
 */
export function firstDuplicate(values: string[]): number | null {
  const seen = new Set<string>();
  for (const [i, v] of values.entries()) {
    if (seen.has(v)) return i;
    seen.add(v);
  }
  return null;
}

/**
 * The first `{variable}` of a template that is not allowed, or null when all are.
 * @example unknownVariable('Hi {name} {nick}', ['name']) // 'nick'
 */
export function unknownVariable(template: string, allowed: readonly string[]): string | null {
  for (const m of template.matchAll(/\{([A-Za-z_]\w*)\}/g)) if (!allowed.includes(m[1]!)) return m[1]!;
  return null;
}

/**
 * The allowed variables for a message, as `{a}, {b}`, or `none`.
 * @example listVars(['name', 'days']) // '{name}, {days}'
 */
export function listVars(vars: readonly string[]): string {
  return vars.length ? vars.map((v) => `{${v}}`).join(', ') : 'none';
}
