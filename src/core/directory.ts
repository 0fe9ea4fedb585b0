import type { Db } from '../platform/db/client.js';
import type { StaffRole } from '../platform/db/schema.js';

/**
 * The directory of people, one per store (database): the staff roster and the members' contact links
 * (identity: `members.contact_id`), read by every capability instead of each keeping its own lookups.
 *
 * - **Staff** (active, the whole roster is small) are held in memory and read again only when the roster
 *   moved: triggers on `staff` count every change in `roster_version` (migration 0011), which costs one
 *   one-row read per lookup, so a roster import (CLI, console, another process) shows at once.
 * - **Members** are many (up to millions): a contact's member is one indexed read, prepared once here.
 *
 * `peopleOf(db)` gives the one directory of a database; capabilities get it through that.
 */

/** An active staff member. */
export interface StaffPerson {
  code: string;
  name: string;
  role: StaffRole;
  storeCode: string | null;
  contactId: string | null;
  /** Working weekdays, `1234567` style (1 = Monday). */
  workingDays: string;
}

/** A member as a contact link: who this WeChat contact is. */
export interface MemberPerson {
  id: number;
  contactId: string;
  name: string;
  storeCode: string | null;
  guideCode: string | null;
}

export class PeopleDirectory {
  private version = -1;
  private list: StaffPerson[] = [];
  private byContact = new Map<string, StaffPerson>();
  private byCode = new Map<string, StaffPerson>();
  private readonly q;

  constructor(db: Db) {
    const c = db.$client;
    this.q = {
      version: c.prepare('select version from roster_version where id = 1').pluck(),
      staff: c.prepare(`select code, name, role, store_code as storeCode, contact_id as contactId, working_days as workingDays
        from staff where active = 1`),
      member: c.prepare(`select id, contact_id as contactId, name, store_code as storeCode, guide_code as guideCode
        from members where contact_id = ?`),
    };
  }

  private fresh(): void {
    const v = (this.q.version.get() as number | undefined) ?? 0;
    if (v === this.version) return;
    this.version = v;
    this.list = this.q.staff.all() as StaffPerson[];
    this.byContact = new Map(this.list.filter((s) => s.contactId).map((s) => [s.contactId!, s]));
    this.byCode = new Map(this.list.map((s) => [s.code, s]));
  }

  /** Every active staff member (roster order). */
  staff(): readonly StaffPerson[] {
    this.fresh();
    return this.list;
  }

  /** The active staff member using this WeChat contact. */
  staffByContact(contactId: string): StaffPerson | undefined {
    this.fresh();
    return this.byContact.get(contactId);
  }

  /** The active staff member with this code (工号). */
  staffByCode(code: string): StaffPerson | undefined {
    this.fresh();
    return this.byCode.get(code);
  }

  /** Whether this contact is on the active staff roster. */
  isStaff(contactId: string): boolean {
    return this.staffByContact(contactId) !== undefined;
  }

  /** The contact of an active staff member (a guide's, for hand-overs), if they have one. */
  contactOf(code: string): { contactId: string; name: string } | undefined {
    const s = this.staffByCode(code);
    return s?.contactId ? { contactId: s.contactId, name: s.name } : undefined;
  }

  /** The member linked to this WeChat contact, if any. */
  member(contactId: string): MemberPerson | undefined {
    return this.q.member.get(contactId) as MemberPerson | undefined;
  }
}

const directories = new WeakMap<Db, PeopleDirectory>();

/** The one directory of people of a database (made on first use). */
export function peopleOf(db: Db): PeopleDirectory {
  let d = directories.get(db);
  if (!d) directories.set(db, (d = new PeopleDirectory(db)));
  return d;
}
