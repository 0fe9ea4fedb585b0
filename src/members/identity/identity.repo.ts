import { peopleOf } from '../../core/directory.js';
import type Database from 'better-sqlite3';
import type { Db } from '../../platform/db/client.js';
import type { BindingState } from '../../platform/db/schema.js';

/** A member as binding sees it. */
export interface IdentityMember {
  id: number;
  contactId: string | null;
  name: string;
  phone: string | null;
  storeCode: string | null;
  guideCode: string | null;
  birthMonth: number | null;
  birthDay: number | null;
}

/** A binding in progress (one per contact). */
export interface Binding {
  contactId: string;
  contactName: string;
  /** JSON of the member command that started it. */
  command: string;
  state: BindingState;
  memberId: number | null;
  attempts: number;
  createdAt: number;
  updatedAt: number;
}

/** A staff member to tell about a binding. */
export interface StaffContact {
  code: string;
  name: string;
  contactId: string;
}

const MEMBER_COLS = `id, contact_id as contactId, name, phone, store_code as storeCode, guide_code as guideCode,
  birth_month as birthMonth, birth_day as birthDay`;

/**
 * The identity store: which member a contact id belongs to (`members.contact_id`, the contact the bot
 * reaches them by, then `member_links`), linking, and bindings in progress. A contact id belongs to
 * one member at most. Pending bindings are also kept in memory (read once at start, written through),
 * so the inbound path asks the map, not the database.
 */
export class IdentityRepo {
  private readonly s;
  private pendingByContact: Map<string, Binding> | null = null;

  constructor(private readonly db: Db) {
    const c: Database.Database = db.$client;
    this.s = {
      byContact: c.prepare<[string], IdentityMember>(`select ${MEMBER_COLS} from members where contact_id = ?`),
      byLink: c.prepare<[string], IdentityMember>(`select ${MEMBER_COLS} from members where id = (select member_id from member_links where contact_id = ?)`),
      byPhone: c.prepare<[string], IdentityMember>(`select ${MEMBER_COLS} from members where phone = ?`),
      byId: c.prepare<[number], IdentityMember>(`select ${MEMBER_COLS} from members where id = ?`),
      anyUnlinkedWithPhone: c.prepare('select 1 from members where contact_id is null and phone is not null limit 1').pluck(),
      setPrimary: c.prepare('update members set contact_id = ?, updated_at = ?, last_active_at = max(coalesce(last_active_at, 0), ?) where id = ? and contact_id is null'),
      addLink: c.prepare('insert into member_links (contact_id, member_id, source, linked_at) values (?, ?, ?, ?)'),
      optedOut: c.prepare<[string], number>('select at from opt_outs where contact_id = ?').pluck(),
      markOptedOut: c.prepare('update members set opted_out_at = coalesce(opted_out_at, ?) where id = ?'),
      allBindings: c.prepare<[], Binding>(`select contact_id as contactId, contact_name as contactName, command, state, member_id as memberId,
        attempts, created_at as createdAt, updated_at as updatedAt from member_bindings`),
      upsertBinding: c.prepare(`insert into member_bindings (contact_id, contact_name, command, state, member_id, attempts, created_at, updated_at)
        values (@contactId, @contactName, @command, @state, @memberId, @attempts, @createdAt, @updatedAt)
        on conflict (contact_id) do update set contact_name = excluded.contact_name, command = excluded.command, state = excluded.state,
        member_id = excluded.member_id, attempts = excluded.attempts, updated_at = excluded.updated_at`),
      deleteBinding: c.prepare('delete from member_bindings where contact_id = ?'),
      guide: c.prepare<[string], StaffContact>(`select code, name, contact_id as contactId from staff
        where code = ? and active = 1 and contact_id is not null`),
      managers: c.prepare<[string], StaffContact>(`select code, name, contact_id as contactId from staff
        where store_code = ? and role = 'store-manager' and active = 1 and contact_id is not null order by code`),
    };
  }

  /** The member this contact id is linked to, if any. */
  memberByContact(contactId: string): IdentityMember | undefined {
    return this.s.byContact.get(contactId) ?? this.s.byLink.get(contactId);
  }

  memberByPhone(phone: string): IdentityMember | undefined {
    return this.s.byPhone.get(phone);
  }

  memberById(id: number): IdentityMember | undefined {
    return this.s.byId.get(id);
  }

  /** True when some member with a phone has no contact yet: only then is there anyone to find by phone. */
  anyoneToBind(): boolean {
    return this.s.anyUnlinkedWithPhone.get() !== undefined;
  }

  /**
   * Links a contact id to a member: as the member's own contact when they have none, otherwise as a
   * further link. A contact that opted out (退订) before it was linked keeps its choice on the record.
   * @returns false when the contact id already belongs to a member (this one or another): nothing changed.
   */
  link(memberId: number, contactId: string, source: string, now: number): boolean {
    return this.db.$client
      .transaction(() => {
        if (this.memberByContact(contactId)) return false;
        if (this.s.setPrimary.run(contactId, now, now, memberId).changes === 0) this.s.addLink.run(contactId, memberId, source, now);
        const optedOutAt = this.s.optedOut.get(contactId);
        if (optedOutAt !== undefined) this.s.markOptedOut.run(optedOutAt, memberId);
        return true;
      })
      .immediate();
  }

  private bindings(): Map<string, Binding> {
    if (!this.pendingByContact) this.pendingByContact = new Map(this.s.allBindings.all().map((b) => [b.contactId, b]));
    return this.pendingByContact;
  }

  /**
   * The contact's binding in progress (or refused), unless it is older than `ages.pendingMs`
   * (`ages.lockMs` for a refused one): then it is dropped.
   */
  pending(contactId: string, now: number, ages: { pendingMs: number; lockMs: number }): Binding | undefined {
    const b = this.bindings().get(contactId);
    if (!b) return undefined;
    const maxAgeMs = b.state === 'refused' ? ages.lockMs : ages.pendingMs;
    if (now - b.updatedAt > maxAgeMs || now < b.createdAt - maxAgeMs) {
      this.clear(contactId);
      return undefined;
    }
    return b;
  }

  /** True when a binding to this member was refused within `lockMs`: no one may try it again yet. */
  locked(memberId: number, now: number, lockMs: number): boolean {
    for (const b of this.bindings().values()) if (b.memberId === memberId && b.state === 'refused' && now - b.updatedAt <= lockMs) return true;
    return false;
  }

  /** The binding held for a guide's confirmation of this member. */
  heldFor(memberId: number): Binding | undefined {
    for (const b of this.bindings().values()) if (b.memberId === memberId && b.state === 'held') return b;
    return undefined;
  }

  save(b: Binding): void {
    this.s.upsertBinding.run(b);
    this.bindings().set(b.contactId, { ...b });
  }

  clear(contactId: string): void {
    this.s.deleteBinding.run(contactId);
    this.bindings().delete(contactId);
  }

  /** The member's own guide, when they have one with a WeChat contact. */
  guideOf(member: Pick<IdentityMember, 'guideCode'>): StaffContact | undefined {
    return member.guideCode ? this.s.guide.get(member.guideCode) : undefined;
  }

  /** The store managers (with a contact) of the member's store. */
  managersOf(member: Pick<IdentityMember, 'storeCode'>): StaffContact[] {
    return member.storeCode ? this.s.managers.all(member.storeCode) : [];
  }

  /** The active staff member behind a contact (the directory of people, core/directory.ts). */
  staffByContact(contactId: string): { code: string; role: string; storeCode: string | null } | undefined {
    return peopleOf(this.db).staffByContact(contactId);
  }
}
