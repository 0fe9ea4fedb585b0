/** `import stores`: code, name, city. Keyed by the store code. */
import type { FieldSpec } from '../headers.js';
import { RowReader } from '../row-reader.js';
import type { ImportKind } from '../types.js';
import { parseCode, parseName } from '../values.js';
import { FirstSeen, repeatProblem } from './shared.js';

export interface StoreRow {
  code: string;
  name: string;
  /** Undefined: leave as stored. */
  city?: string;
}

const fields: FieldSpec[] = [
  { key: 'code', label: '门店编码/code', required: true, aliases: ['门店编码', '门店代码', '门店编号', '门店号', '店铺编码', '编码', '代码', 'code', 'store code', 'store id'] },
  { key: 'name', label: '门店名称/name', required: true, aliases: ['门店名称', '门店名', '店名', '店铺名称', '名称', 'name', 'store name'] },
  { key: 'city', label: '城市/city', aliases: ['城市', '所在城市', '城市名', 'city'] },
];

/** Stores: the first file to import (staff, members, groups and orders refer to store codes). */
export const storesKind: ImportKind<StoreRow> = {
  name: 'stores',
  noun: 'store',
  fields,
  parse(cells) {
    const r = new RowReader(cells);
    const code = r.required('code', parseCode);
    const name = r.required('name', parseName);
    const city = r.optional('city', parseName);
    return r.problems.length ? r.problems : { code: code!, name: name!, city };
  },
  open(db, { now }) {
    const sqlite = db.$client;
    const select = sqlite.prepare<[string], { name: string; city: string }>('select name, city from stores where code = ?');
    const insert = sqlite.prepare('insert into stores (code, name, city, created_at) values (?, ?, ?, ?)');
    const update = sqlite.prepare('update stores set name = ?, city = ? where code = ?');
    const seen = new FirstSeen<string>();
    return {
      check: (row, n) => repeatProblem(seen, row.code, n, 'code', row.code, 'store code'),
      apply(row, dryRun) {
        const cur = select.get(row.code);
        if (!cur) {
          if (!dryRun) insert.run(row.code, row.name, row.city ?? '', now.getTime());
          return 'created';
        }
        const city = row.city ?? cur.city;
        if (row.name === cur.name && city === cur.city) return 'unchanged';
        if (!dryRun) update.run(row.name, city, row.code);
        return 'updated';
      },
    };
  },
};
