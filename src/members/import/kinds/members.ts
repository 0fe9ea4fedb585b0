/** `import members`: members keyed by mobile number, with store, owning guide, tags and birthday. */
import { baseTier } from '../../members.rules.js';
import type { FieldSpec } from '../headers.js';
import { deferIndexes, isEmptyTable, useLookupCache } from '../bulk-load.js';
import { KnownCodes } from '../known-codes.js';
import { DistinctReferralCodes, ReferralCodes } from '../referral-code.js';
import { RowReader } from '../row-reader.js';
import type { FieldProblem, ImportKind } from '../types.js';
import {
  parseBirthdayKind, parseCalendarDate, parseCode, parseDateTime, parseName, parsePhone, parseTags, type CalendarDate,
} from '../values.js';
import { NumberRows } from '../number-set.js';
import { NO_PROBLEMS, guideRefField, phoneField, repeated, storeRefField, tagsField, unknownGuide, unknownStore } from './shared.js';

export interface MemberRow {
  phone: string;
  /** Each optional field: undefined = no column or a blank cell = leave as stored. */
  name?: string;
  storeCode?: string;
  guideCode?: string;
  /** JSON array. */
  tags?: string;
  birthday?: CalendarDate & { kind: 'solar' | 'lunar' };
  joinedAt?: number;
}

const fields: FieldSpec[] = [
  { ...phoneField, required: true },
  { key: 'name', label: '姓名/name', aliases: ['姓名', '名字', '会员姓名', '会员名', '客户姓名', 'name', 'member name', 'full name'] },
  storeRefField,
  guideRefField,
  tagsField,
  { key: 'birthday', label: '生日/birthday', aliases: ['生日', '出生日期', '生日日期', 'birthday', 'birth date', 'date of birth', 'dob'] },
  { key: 'birthdayKind', label: '生日类型/birthday_kind', aliases: ['生日类型', '历法', '公历农历', '农历公历', 'birthday kind', 'calendar'] },
  { key: 'joinedAt', label: '入会时间/joined_at', aliases: ['入会时间', '入会日期', '注册时间', '开卡时间', '开卡日期', 'joined at', 'join date', 'joined', 'registered at'] },
];

/** Page cache of a first load, in KiB (the engine restores the connection's own afterwards). */
const FIRST_LOAD_CACHE_KIB = 4096;

/** Members: import after stores and staff; orders refer to members by phone. */
export const membersKind: ImportKind<MemberRow> = {
  name: 'members',
  noun: 'member',
  fields,
  parse(cells, env) {
    const r = new RowReader(cells);
    const phone = r.required('phone', parsePhone);
    const name = r.optional('name', parseName);
    const storeCode = r.optional('store', parseCode);
    const guideCode = r.optional('guide', parseCode);
    const tags = r.has('tags') ? JSON.stringify(parseTags(r.raw('tags')!)) : undefined;
    const date = r.optional('birthday', parseCalendarDate, env.today ?? env.year);
    const kind = date ? r.optional('birthdayKind', parseBirthdayKind) ?? 'solar' : undefined;
    const joinedAt = r.optional('joinedAt', parseDateTime, env.timeZone);
    if (joinedAt !== undefined && joinedAt > env.now.getTime()) {
      r.problem('joinedAt', r.raw('joinedAt')!, 'is in the future');
    }
    if (r.problems.length) return r.problems;
    const birthday = date && kind ? { kind, year: date.year, month: date.month, day: date.day } : undefined;
    return { phone: phone!, name, storeCode, guideCode, tags, birthday, joinedAt };
  },
  open(db, { now, dryRun, playbook }) {
    if (!playbook) throw new Error('import members needs the membership playbook (the tier of new members)');
    const newMemberTier = baseTier(playbook).code;
    const sqlite = db.$client;
    const stores = KnownCodes.fromTable(sqlite, 'stores');
    const staff = KnownCodes.fromTable(sqlite, 'staff');
    // Into an empty table (a first load), build the indexes once at the end: several times faster.
    // There is then nothing to look up: every row is new, repeats are caught by `check`.
    const restoreIndexes = !dryRun && isEmptyTable(sqlite, 'members') ? deferIndexes(sqlite, 'members') : null;
    if (!restoreIndexes) useLookupCache(sqlite);
    // A first load only appends (no lookups) and builds the indexes at the end, which is as fast with
    // a 4 MiB page cache as with 16 (scripts/bench/import.ts): the smaller cache keeps the RSS down.
    else sqlite.pragma(`cache_size = -${FIRST_LOAD_CACHE_KIB}`);
    // Without the unique index, referral codes must be unique by construction: on a first load they
    // are a keyed permutation of the row count (the table is empty, so nothing else holds a code).

    type Cur = {
      id: number; name: string; storeCode: string | null; guideCode: string | null; tags: string;
      birthdayKind: string | null; birthMonth: number | null; birthDay: number | null; birthYear: number | null; joinedAt: number | null;
    };
    const select = sqlite.prepare<[string], Cur>(`select id, name, store_code as storeCode, guide_code as guideCode, tags,
      birthday_kind as birthdayKind, birth_month as birthMonth, birth_day as birthDay, birth_year as birthYear, joined_at as joinedAt
      from members where phone = ?`);
    const insert = sqlite.prepare(`insert into members (phone, name, store_code, guide_code, tags, tier,
      birthday_kind, birth_month, birth_day, birth_year, joined_at, referral_code, created_at, updated_at)
      values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const update = sqlite.prepare(`update members set name = ?, store_code = ?, guide_code = ?, tags = ?,
      birthday_kind = ?, birth_month = ?, birth_day = ?, birth_year = ?, joined_at = ?, updated_at = ? where id = ?`);
    const codes = restoreIndexes ? new DistinctReferralCodes() : new ReferralCodes();
    const phones = new NumberRows(1 << 16);
    const t = now.getTime();

    function create(row: MemberRow): void {
      const b = row.birthday;
      for (let attempt = 1; ; attempt++) {
        const { code } = codes.next();
        try {
          insert.run(row.phone, row.name ?? '', row.storeCode ?? null, row.guideCode ?? null, row.tags ?? '[]', newMemberTier,
            b?.kind ?? null, b?.month ?? null, b?.day ?? null, b?.year ?? null, row.joinedAt ?? null, code, t, t);
          return;
        } catch (err) {
          const collision = err instanceof Error && err.message.includes('members.referral_code');
          if (!collision || attempt >= 20) throw err;
        }
      }
    }

    return {
      check(row, n): FieldProblem[] {
        const first = phones.addIfAbsent(Number(row.phone), n);
        const badStore = row.storeCode !== undefined && !stores.has(row.storeCode);
        const badGuide = row.guideCode !== undefined && !staff.has(row.guideCode);
        if (first === undefined && !badStore && !badGuide) return NO_PROBLEMS;
        const problems: FieldProblem[] = [];
        if (first !== undefined) problems.push(repeated('phone', row.phone, 'phone number', first));
        if (badStore) problems.push(unknownStore(stores, row.storeCode!));
        if (badGuide) problems.push(unknownGuide(staff, row.guideCode!));
        return problems;
      },
      apply(row, dry) {
        const cur = restoreIndexes ? undefined : select.get(row.phone);
        if (!cur) {
          if (!dry) create(row);
          return 'created';
        }
        const b = row.birthday;
        const next: Omit<Cur, 'id'> = {
          name: row.name ?? cur.name,
          storeCode: row.storeCode ?? cur.storeCode,
          guideCode: row.guideCode ?? cur.guideCode,
          tags: row.tags ?? cur.tags,
          birthdayKind: b ? b.kind : cur.birthdayKind,
          birthMonth: b ? b.month : cur.birthMonth,
          birthDay: b ? b.day : cur.birthDay,
          birthYear: b ? b.year : cur.birthYear,
          joinedAt: row.joinedAt ?? cur.joinedAt,
        };
        if ((Object.keys(next) as (keyof typeof next)[]).every((k) => next[k] === cur[k])) return 'unchanged';
        if (!dry) {
          update.run(next.name, next.storeCode, next.guideCode, next.tags, next.birthdayKind, next.birthMonth, next.birthDay,
            next.birthYear, next.joinedAt, t, cur.id);
        }
        return 'updated';
      },
      finish() {
        restoreIndexes?.();
      },
      notes() {
        return restoreIndexes ? ['first load into an empty members table: indexes were built once at the end'] : [];
      },
    };
  },
};
