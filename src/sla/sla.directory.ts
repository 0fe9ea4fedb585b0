import type { Clock } from '../core/clock.js';
import type { SlaRepo, StaffEntry } from './sla.repo.js';

/** How long the staff list and group records are trusted before they are read again. */
const REFRESH_MS = 30_000;

/**
 * The staff list and group records, cached for the inbound hot path (read again every 30 s, or at
 * once after `invalidate()`), and the bot account's own id once a self message showed it.
 */
export class SlaDirectory {
  private staffList: StaffEntry[] = [];
  private byContact = new Map<string, StaffEntry>();
  private byCode = new Map<string, StaffEntry>();
  private groups = new Map<string, { name: string; storeCode: string | null; guideCode: string | null } | null>();
  private loadedAt = -Infinity;
  /** The bot account's contact id, learned from its own messages. */
  botId: string | null = null;

  constructor(private readonly repo: SlaRepo, private readonly clock: Clock) {}

  private fresh(): void {
    const now = this.clock.now().getTime();
    if (now - this.loadedAt < REFRESH_MS && now >= this.loadedAt) return;
    this.loadedAt = now;
    this.staffList = this.repo.staffDirectory();
    this.byContact = new Map(this.staffList.filter((s) => s.contactId).map((s) => [s.contactId!, s]));
    this.byCode = new Map(this.staffList.map((s) => [s.code, s]));
    this.groups.clear();
  }

  /** Reads everything again on the next use (after imports, in tests). */
  invalidate(): void {
    this.loadedAt = -Infinity;
  }

  /** Every active staff member. */
  staff(): readonly StaffEntry[] {
    this.fresh();
    return this.staffList;
  }

  /** The staff member using this WeChat contact. */
  staffByContact(contactId: string): StaffEntry | undefined {
    this.fresh();
    return this.byContact.get(contactId);
  }

  staffByCode(code: string): StaffEntry | undefined {
    this.fresh();
    return this.byCode.get(code);
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
