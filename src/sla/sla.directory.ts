import { peopleOf, type PeopleDirectory } from '../core/directory.js';
import type { Clock } from '../core/clock.js';
import type { SlaRepo, StaffEntry } from './sla.repo.js';

/** How long group records are trusted before they are read again. */
const REFRESH_MS = 30_000;

/**
 * Who is who for the SLA: staff from the directory of people (core/directory.ts, shared by every
 * capability), group records cached for the inbound hot path (read again every 30 s, or at once after
 * `invalidate()`), and the bot account's own id once a self message showed it.
 */
export class SlaDirectory {
  private readonly people: PeopleDirectory;
  private groups = new Map<string, { name: string; storeCode: string | null; guideCode: string | null } | null>();
  private loadedAt = -Infinity;
  /** The bot account's contact id, learned from its own messages. */
  botId: string | null = null;

  constructor(
    private readonly repo: SlaRepo,
    private readonly clock: Clock,
  ) {
    this.people = peopleOf(repo.db);
  }

  private fresh(): void {
    const now = this.clock.now().getTime();
    if (now - this.loadedAt < REFRESH_MS && now >= this.loadedAt) return;
    this.loadedAt = now;
    this.groups.clear();
  }

  /** Reads everything again on the next use (after imports, in tests). */
  invalidate(): void {
    this.loadedAt = -Infinity;
  }

  /** Every active staff member. */
  staff(): readonly StaffEntry[] {
    return this.people.staff();
  }

  /** The staff member using this WeChat contact. */
  staffByContact(contactId: string): StaffEntry | undefined {
    return this.people.staffByContact(contactId);
  }

  staffByCode(code: string): StaffEntry | undefined {
    return this.people.staffByCode(code);
  }

  /** True for staff contacts and the bot account. */
  isStaffOrBot(contactId: string): boolean {
    return contactId === this.botId || this.staffByContact(contactId) !== undefined;
  }

  /** The brand's record of a group, if any. */
  group(roomId: string): { name: string; storeCode: string | null; guideCode: string | null } | null {
    this.fresh();
    let g = this.groups.get(roomId);
    if (g === undefined) {
      g = this.repo.group(roomId) ?? null;
      if (this.groups.size > 20_000) this.groups.clear();
      this.groups.set(roomId, g);
    }
    return g;
  }
}
