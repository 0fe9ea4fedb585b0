/** Pure rules of group membership: what a member-list check changes, and how batched welcomes close. */

/** An open spell as the check sees it. */
export interface OpenSpell {
  id: number;
  contactId: string;
  joinedAt: number;
}

/** A spell that ended at or after the check began (a leave event raced the check). */
export interface RecentEnd {
  contactId: string;
  leftAt: number;
}

export interface CheckDiff {
  /** Present but not known as members: recorded as seen at the check (not as joins). */
  seen: string[];
  /** Known as members but gone: their spells end at the check. */
  gone: number[];
}

/**
 * Compares a group's member list, read at `readAt`, with the stored open spells. Events that raced the
 * read win: a spell opened at or after `readAt` is not ended (the list may predate the join), and a
 * contact whose spell ended at or after `readAt` is not re-added (the list may predate the leave).
 * @param present contact ids in the group (the bot account already removed).
 * @example membershipDiff(['a', 'b'], [{ id: 1, contactId: 'c', joinedAt: 0 }], [], 100) // { seen: ['a', 'b'], gone: [1] }
 */
export function membershipDiff(present: readonly string[], open: readonly OpenSpell[], recentEnds: readonly RecentEnd[], readAt: number): CheckDiff {
  const here = new Set(present);
  const known = new Set(open.map((s) => s.contactId));
  const justLeft = new Set(recentEnds.filter((e) => e.leftAt >= readAt).map((e) => e.contactId));
  return {
    seen: [...here].filter((id) => !known.has(id) && !justLeft.has(id)),
    gone: open.filter((s) => !here.has(s.contactId) && s.joinedAt < readAt).map((s) => s.id),
  };
}

/** How a `room-leave` ends a spell: they removed themselves, or someone removed them. */
export function leaveHow(contactId: string, removerId: string | null): 'left' | 'removed' {
  return removerId && removerId !== contactId ? 'removed' : 'left';
}

/**
 * Whether a welcome batch goes now: full, or due. Pure.
 * @example batchReady({ size: 5, dueAt: 1000 }, 2000, { batchSize: 5 }) // true
 */
export function batchReady(batch: { size: number; dueAt: number }, now: number, opts: { batchSize: number }): boolean {
  return batch.size >= opts.batchSize || now >= batch.dueAt;
}
