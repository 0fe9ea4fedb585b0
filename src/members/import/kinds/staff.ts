/** `import staff`: the roster of guides, store managers, community admins and HQ. Keyed by 工号. */
import type { StaffRole } from '../../../platform/db/schema.js';
import type { FieldSpec } from '../headers.js';
import { KnownCodes } from '../known-codes.js';
import { RowReader } from '../row-reader.js';
import type { FieldProblem, ImportKind } from '../types.js';
import { parseCode, parseName, parsePhone, parseRole, parseWorkingDays } from '../values.js';
import { FirstSeen, contactIdField, phoneField, repeatProblem, storeRefField, unknownRefs } from './shared.js';

export interface StaffRow {
  code: string;
  name: string;
  role: StaffRole;
  /** Undefined: leave as stored (required for guides and store managers). */
  storeCode?: string;
  phone?: string;
  contactId?: string;
  workingDays?: string;
  /** The file has no 工号 column: `code` is the WeChat id. */
  codeFromContact?: true;
}

const fields: FieldSpec[] = [
  { key: 'code', label: '工号/code', aliases: ['工号', '员工工号', '员工编号', '导购工号', '编号', 'code', 'staff code', 'employee id', 'staff id'] },
  { key: 'name', label: '姓名/name', required: true, aliases: ['姓名', '名字', '员工姓名', 'name', 'staff name'] },
  { key: 'role', label: '角色/role', required: true, aliases: ['角色', '岗位', '职位', '职务', 'role', 'position', 'title'] },
  storeRefField,
  phoneField,
  { key: 'workingDays', label: '工作日/working_days', aliases: ['工作日', '上班日', '排班', '工作时间', 'working days', 'workdays', 'work days', 'days'] },
  { ...contactIdField, aliases: [...contactIdField.aliases, '企业微信', '企微账号', '微信号', 'userid'] },
];

const NEEDS_STORE: readonly StaffRole[] = ['guide', 'store-manager'];

/** Staff: import after stores; members and groups refer to guides by 工号. */
export const staffKind: ImportKind<StaffRow> = {
  name: 'staff',
  noun: 'staff member',
  fields,
  // Without a 工号 column, each staff member's WeChat id is their code.
  oneOf: [['code', 'contactId']],
  parse(cells) {
    const r = new RowReader(cells);
    const codeFromContact = r.raw('code') === undefined;
    const code = codeFromContact ? r.required('contactId', parseCode) : r.required('code', parseCode);
    const name = r.required('name', parseName);
    const role = r.required('role', parseRole);
    const storeCode = r.optional('store', parseCode);
    const phone = r.optional('phone', parsePhone);
    const contactId = codeFromContact ? code : r.optional('contactId', parseCode);
    const workingDays = r.optional('workingDays', parseWorkingDays);
    if (role && NEEDS_STORE.includes(role) && storeCode === undefined && !r.problems.some((p) => p.field === 'store')) {
      r.problem('store', r.raw('store') ?? '', `is empty: a ${role} belongs to a store (its 门店编码)`);
    }
    if (r.problems.length) return r.problems;
    return { code: code!, name: name!, role: role!, storeCode, phone, contactId, workingDays, ...(codeFromContact ? { codeFromContact: true as const } : {}) };
  },
  open(db, { now }) {
    const sqlite = db.$client;
    type Cur = { name: string; role: string; storeCode: string | null; phone: string | null; contactId: string | null; workingDays: string };
    const select = sqlite.prepare<[string], Cur>(
      'select name, role, store_code as storeCode, phone, contact_id as contactId, working_days as workingDays from staff where code = ?',
    );
    const contactOwner = sqlite.prepare<[string], string>('select code from staff where contact_id = ?').pluck();
    const insert = sqlite.prepare(`insert into staff (code, name, role, store_code, phone, contact_id, working_days, created_at, updated_at)
      values (?, ?, ?, ?, ?, ?, coalesce(?, '0123456'), ?, ?)`);
    const update = sqlite.prepare(`update staff set name = ?, role = ?, store_code = ?, phone = ?, contact_id = ?, working_days = ?, updated_at = ?
      where code = ?`);
    const stores = KnownCodes.fromTable(sqlite, 'stores');
    const codes = new FirstSeen<string>();
    const contacts = new FirstSeen<string>();
    let codesFromContacts = 0;
    return {
      notes() {
        return codesFromContacts
          ? [`no 工号 column: each staff member's WeChat id (微信ID) is used as their 工号 (${codesFromContacts} row${codesFromContacts === 1 ? '' : 's'})`]
          : [];
      },
      check(row, n) {
        const problems: FieldProblem[] = [...repeatProblem(codes, row.code, n, 'code', row.code, '工号'), ...unknownRefs(stores, null, row.storeCode, undefined)];
        if (row.contactId !== undefined) {
          if (!row.codeFromContact) problems.push(...repeatProblem(contacts, row.contactId, n, 'contactId', row.contactId, 'contact id'));
          const owner = contactOwner.get(row.contactId);
          if (owner !== undefined && owner !== row.code) {
            problems.push({ field: 'contactId', value: row.contactId, why: `already belongs to staff ${owner}: one WeChat account per staff member` });
          }
        }
        return problems;
      },
      apply(row, dryRun) {
        if (row.codeFromContact) codesFromContacts++;
        const t = now.getTime();
        const cur = select.get(row.code);
        if (!cur) {
          if (!dryRun) insert.run(row.code, row.name, row.role, row.storeCode ?? null, row.phone ?? null, row.contactId ?? null, row.workingDays ?? null, t, t);
          return 'created';
        }
        const next: Cur = {
          name: row.name,
          role: row.role,
          storeCode: row.storeCode ?? cur.storeCode,
          phone: row.phone ?? cur.phone,
          contactId: row.contactId ?? cur.contactId,
          workingDays: row.workingDays ?? cur.workingDays,
        };
        if ((Object.keys(next) as (keyof Cur)[]).every((k) => next[k] === cur[k])) return 'unchanged';
        if (!dryRun) update.run(next.name, next.role, next.storeCode, next.phone, next.contactId, next.workingDays, t, row.code);
        return 'updated';
      },
    };
  },
};
