/** `import members`: members keyed by mobile number, with store, owning guide, tags and birthday. */
import { baseTier } from '../../members.rules.js';
import type { FieldSpec } from '../headers.js';
import { deferIndexes, isEmptyTable, useLookupCache } from '../bulk-load.js';
import { KnownCodes } from '../known-codes.js';
import { DistinctReferralCodes, ReferralCodes } from '../referral-code.js';
import { RowReader } from '../row-reader.js';
import type { FieldProblem, ImportKind } from '../types.js';
import { parseBirthdayKind, parseCalendarDate, parseCode, parseDateTime, parseName, parsePhone, parseTags, type CalendarDate } from '../values.js';
import { NumberRows } from '../number-set.js';
import { FirstSeen, NO_PROBLEMS, contactIdField, guideRefField, phoneField, repeated, storeRefField, tagsField, unionidField, unknownGuide, unknownStore } from './shared.js';
import { maskPhones } from '../../../core/mask.js';

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
  /** The member's WeChat/WeCom contact id: linked to the record (identity). */
  contactId?: string;
  unionid?: string;
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
  contactIdField,
  unionidField,
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
    const kind = date ? (r.optional('birthdayKind', parseBirthdayKind) ?? 'solar') : undefined;
    const joinedAt = r.optional('joinedAt', parseDateTime, env.timeZone);
    const contactId = r.optional('contactId', parseCode);
    const unionid = r.optional('unionid', parseCode);
    if (joinedAt !== undefined && joinedAt > env.now.getTime()) {
      r.problem('joinedAt', r.raw('joinedAt')!, 'is in the future');
    }
    if (r.problems.length) return r.problems;
    const birthday = date && kind ? { kind, year: date.year, month: date.month, day: date.day } : undefined;
    return { phone: phone!, name, storeCode, guideCode, tags, birthday, joinedAt, contactId, unionid };
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
      id: number;
      name: string;
      storeCode: string | null;
      guideCode: string | null;
      tags: string;
      birthdayKind: string | null;
      birthMonth: number | null;
      birthDay: number | null;
      birthYear: number | null;
      joinedAt: number | null;
      contactId: string | null;
      unionid: string | null;
    };
    const select = sqlite.prepare<[string], Cur>(`select id, name, store_code as storeCode, guide_code as guideCode, tags,
      birthday_kind as birthdayKind, birth_month as birthMonth, birth_day as birthDay, birth_year as birthYear, joined_at as joinedAt,
      contact_id as contactId, unionid
      from members where phone = ?`);
    const insert = sqlite.prepare(`insert into members (phone, name, store_code, guide_code, tags, tier,
      birthday_kind, birth_month, birth_day, birth_year, joined_at, referral_code, created_at, updated_at, contact_id, unionid)
      values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const update = sqlite.prepare(`update members set name = ?, store_code = ?, guide_code = ?, tags = ?,
      birthday_kind = ?, birth_month = ?, birth_day = ?, birth_year = ?, joined_at = ?, contact_id = ?, unionid = ?, updated_at = ? where id = ?`);
    // Who holds a contact id or unionid already (a member's own contact, or one linked to them): its phone (null: none on record).
    const contactOwner = sqlite
      .prepare<[string, string], string | null>(
        `select phone from members where contact_id = ?
      union all select m.phone from member_links l join members m on m.id = l.member_id where l.contact_id = ?`,
      )
      .pluck();
    const unionidOwner = sqlite.prepare<[string], string | null>('select phone from members where unionid = ?').pluck();
    const contactIds = new FirstSeen<string>();
    const unionids = new FirstSeen<string>();
    const codes = restoreIndexes ? new DistinctReferralCodes() : new ReferralCodes();
    const phones = new NumberRows(1 << 16);
    const t = now.getTime();

    function create(row: MemberRow): void {
      const b = row.birthday;
      for (let attempt = 1; ; attempt++) {
        const { code } = codes.next();
        try {
          insert.run(
            row.phone,
            row.name ?? '',
            row.storeCode ?? null,
            row.guideCode ?? null,
            row.tags ?? '[]',
            newMemberTier,
            b?.kind ?? null,
            b?.month ?? null,
            b?.day ?? null,
            b?.year ?? null,
            row.joinedAt ?? null,
            code,
            t,
            t,
            row.contactId ?? null,
            row.unionid ?? null,
          );
          return;
        } catch (err) {
          const collision = err instanceof Error && err.message.includes('members.referral_code');
          if (!collision || attempt >= 20) throw err;
        }
      }
    }

    /** A contact id or unionid claimed twice in the file, or held by another member; a member already linked to another contact. */
    function identityProblems(row: MemberRow, n: number): FieldProblem[] {
      const problems: FieldProblem[] = [];
      const other = (phone: string | null) =>
        phone === null ? 'a member with no phone (joined in chat): merge the two records (members merge KEEP DROP)' : `member ${maskPhones(phone)}`;
      if (row.contactId !== undefined) {
        const firstRow = contactIds.repeatOf(row.contactId, n);
        if (firstRow !== undefined) problems.push(repeated('contactId', row.contactId, 'contact id', firstRow));
        else if (!restoreIndexes) {
          const owner = contactOwner.get(row.contactId, row.contactId);
          if (owner !== undefined && owner !== row.phone) {
            problems.push({ field: 'contactId', value: row.contactId, why: `is already linked to ${other(owner)}: one contact id belongs to one member` });
          } else {
            const cur = select.get(row.phone);
            if (cur?.contactId && cur.contactId !== row.contactId) {
              problems.push({
                field: 'contactId',
                value: row.contactId,
                why: `differs from the contact id ${cur.contactId} this member is linked to: fix the file, or merge the records first`,
              });
            }
          }
        }
      }
      if (row.unionid !== undefined) {
        const firstRow = unionids.repeatOf(row.unionid, n);
        if (firstRow !== undefined) problems.push(repeated('unionid', row.unionid, 'unionid', firstRow));
        else if (!restoreIndexes) {
          const owner = unionidOwner.get(row.unionid);
          if (owner !== undefined && owner !== row.phone)
            problems.push({ field: 'unionid', value: row.unionid, why: `is already the unionid of ${other(owner)}: one unionid belongs to one member` });
        }
      }
      return problems;
    }

    return {
      check(row, n): FieldProblem[] {
        const first = phones.addIfAbsent(Number(row.phone), n);
        const badStore = row.storeCode !== undefined && !stores.has(row.storeCode);
        const badGuide = row.guideCode !== undefined && !staff.has(row.guideCode);
        const idProblems = row.contactId === undefined && row.unionid === undefined ? NO_PROBLEMS : identityProblems(row, n);
        if (first === undefined && !badStore && !badGuide && !idProblems.length) return NO_PROBLEMS;
        const problems: FieldProblem[] = [...idProblems];
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
          contactId: row.contactId ?? cur.contactId,
          unionid: row.unionid ?? cur.unionid,
        };
        if ((Object.keys(next) as (keyof typeof next)[]).every((k) => next[k] === cur[k])) return 'unchanged';
        if (!dry) {
          update.run(
            next.name,
            next.storeCode,
            next.guideCode,
            next.tags,
            next.birthdayKind,
            next.birthMonth,
            next.birthDay,
            next.birthYear,
            next.joinedAt,
            next.contactId,
            next.unionid,
            t,
            cur.id,
          );
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
