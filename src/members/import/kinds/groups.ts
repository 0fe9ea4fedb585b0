/** `import groups`: the brand's WeChat groups (rooms) with their store, owning guide and tags. */
import type { FieldSpec } from '../headers.js';
import { KnownCodes } from '../known-codes.js';
import { RowReader } from '../row-reader.js';
import type { ImportKind } from '../types.js';
import { parseCode, parseName, parseTags } from '../values.js';
import { FirstSeen, guideRefField, repeatProblem, storeRefField, tagsField, unknownRefs } from './shared.js';

export interface GroupRow {
  roomId: string;
  name: string;
  storeCode?: string;
  guideCode?: string;
  /** JSON array; undefined: leave as stored. */
  tags?: string;
}

const fields: FieldSpec[] = [
  { key: 'roomId', label: '群ID/room_id', required: true, aliases: ['群ID', '群编号', '群聊ID', 'room id', 'roomid', 'chatroom', 'chatroom id', 'group id', 'room'] },
  { key: 'name', label: '群名/name', required: true, aliases: ['群名', '群名称', '群聊名称', '群聊名', 'name', 'topic', 'group name'] },
  storeRefField,
  guideRefField,
  tagsField,
];

/** Groups: import after stores and staff. */
export const groupsKind: ImportKind<GroupRow> = {
  name: 'groups',
  noun: 'group',
  fields,
  parse(cells) {
    const r = new RowReader(cells);
    const roomId = r.required('roomId', parseCode);
    const name = r.required('name', parseName);
    const storeCode = r.optional('store', parseCode);
    const guideCode = r.optional('guide', parseCode);
    const tags = r.has('tags') ? JSON.stringify(parseTags(r.raw('tags')!)) : undefined;
    return r.problems.length ? r.problems : { roomId: roomId!, name: name!, storeCode, guideCode, tags };
  },
  open(db, { now }) {
    const sqlite = db.$client;
    type Cur = { name: string; storeCode: string | null; guideCode: string | null; tags: string };
    const select = sqlite.prepare<[string], Cur>('select name, store_code as storeCode, guide_code as guideCode, tags from groups where room_id = ?');
    const insert = sqlite.prepare(`insert into groups (room_id, name, store_code, guide_code, tags, created_at, updated_at)
      values (?, ?, ?, ?, coalesce(?, '[]'), ?, ?)`);
    const update = sqlite.prepare('update groups set name = ?, store_code = ?, guide_code = ?, tags = ?, updated_at = ? where room_id = ?');
    const stores = KnownCodes.fromTable(sqlite, 'stores');
    const staff = KnownCodes.fromTable(sqlite, 'staff');
    const seen = new FirstSeen<string>();
    return {
      check: (row, n) => [...repeatProblem(seen, row.roomId, n, 'roomId', row.roomId, 'room id'), ...unknownRefs(stores, staff, row.storeCode, row.guideCode)],
      apply(row, dryRun) {
        const t = now.getTime();
        const cur = select.get(row.roomId);
        if (!cur) {
          if (!dryRun) insert.run(row.roomId, row.name, row.storeCode ?? null, row.guideCode ?? null, row.tags ?? null, t, t);
          return 'created';
        }
        const next: Cur = { name: row.name, storeCode: row.storeCode ?? cur.storeCode, guideCode: row.guideCode ?? cur.guideCode, tags: row.tags ?? cur.tags };
        if ((Object.keys(next) as (keyof Cur)[]).every((k) => next[k] === cur[k])) return 'unchanged';
        if (!dryRun) update.run(next.name, next.storeCode, next.guideCode, next.tags, t, row.roomId);
        return 'updated';
      },
    };
  },
};
