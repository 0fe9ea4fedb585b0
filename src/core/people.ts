import type { Db } from '../platform/db/client.js';

/** A person an operator reads about: their code (工号), name and store. */
export interface Person {
  code: string;
  name: string;
  /** The store's display name (or code); null for HQ and people without a store. */
  store?: string | null;
}

/**
 * How each person is named to an operator, so two people of the same name are told apart: the name
 * alone when nobody else in `people` has it; otherwise the name and the store when that tells them
 * apart, else the name and the 工号. Pure.
 * @example personLabels([{ code: 'G1', name: '黄静怡', store: '湖滨店' }, { code: 'G2', name: '黄静怡', store: '湖滨店' }, { code: 'G3', name: '李静', store: '湖滨店' }])
 * // Map { G1 → '黄静怡（G1）', G2 → '黄静怡（G2）', G3 → '李静' }
 * @example personLabels([{ code: 'G1', name: '王芳', store: '湖滨店' }, { code: 'S9', name: '王芳', store: '西湖店' }])
 * // Map { G1 → '王芳（湖滨店）', S9 → '王芳（西湖店）' }
 */
export function personLabels(people: readonly Person[]): Map<string, string> {
  const byName = new Map<string, Person[]>();
  for (const p of people) {
    const key = p.name.trim() || p.code;
    const list = byName.get(key);
    if (list) list.push(p);
    else byName.set(key, [p]);
  }
  const out = new Map<string, string>();
  for (const [name, list] of byName) {
    if (list.length === 1) {
      out.set(list[0]!.code, name);
      continue;
    }
    const stores = list.map((p) => p.store ?? '');
    const storesApart = stores.every((s) => s !== '') && new Set(stores).size === list.length;
    for (const p of list) out.set(p.code, `${name}（${storesApart ? p.store! : p.code}）`);
  }
  return out;
}

/**
 * The label of every staff member on the roster (active or not, so history reads the same), decided
 * across the whole roster: the same person is named the same way in every text.
 * @example staffLabels(db).get('HZ01-G03') // '黄静怡（HZ01-G03）' when the store has two 黄静怡
 */
export function staffLabels(db: Db): Map<string, string> {
  const rows = db.$client.prepare('select s.code, s.name, coalesce(st.name, s.store_code) as store from staff s left join stores st on st.code = s.store_code').all() as Person[];
  return personLabels(rows);
}

/** A staff code's label, falling back to the code itself for someone not on the roster. */
export function staffLabel(labels: ReadonlyMap<string, string>, code: string | null | undefined, fallback = '-'): string {
  if (!code) return fallback;
  return labels.get(code) ?? code;
}
