import { stores } from '../platform/db/schema.js';
import type { Db } from '../platform/db/client.js';
import { members } from '../platform/db/schema.js';
import { newReferralCode } from './ledger.js';
import { loadMembershipPlaybook, type MembershipPlaybook } from './playbook.js';

/** Test helpers for the members capability: the shipped playbook and quick member rows. */

let cached: MembershipPlaybook | null = null;

/** The shipped `sop/membership.yaml`, loaded once per test file. */
export function shippedPlaybook(): MembershipPlaybook {
  return (cached ??= loadMembershipPlaybook('sop/membership.yaml'));
}

/** Inserts a member (as an import would) and returns its id. */
export function insertMember(db: Db, over: Partial<typeof members.$inferInsert> = {}, now = 0): number {
  return db
    .insert(members)
    .values({
      name: '测试会员',
      tier: 'regular',
      referralCode: newReferralCode(),
      createdAt: now,
      updatedAt: now,
      ...over,
    })
    .returning({ id: members.id })
    .get().id;
}

/** Inserts a store. */
export function insertStore(db: Db, code = 'HZ01', now = 0): void {
  db.insert(stores).values({ code, name: '杭州湖滨店', createdAt: now }).onConflictDoNothing().run();
}
