import { eq } from 'drizzle-orm';
import type { Db } from '../platform/db/client.js';
import { staff, stores } from '../platform/db/schema.js';
import { friends } from './friends.schema.js';

/**
 * The store and guide a contact was attributed to when they added the account as a friend, for other
 * capabilities (a member who replies 入会 inherits it). Only codes that exist in `stores`/`staff` are
 * returned (a store or guide removed since comes back as null). Undefined when the contact never added
 * the account through the friends capability.
 * @example friendAttributionOf(db, 'wx-123') // { storeCode: 'HZ01', guideCode: 'guide-hz01-03', channel: 'HZ01-g03' }
 */
export function friendAttributionOf(db: Db, contactId: string): { storeCode: string | null; guideCode: string | null; channel: string } | undefined {
  const f = db.select({ storeCode: friends.storeCode, guideCode: friends.guideCode, channel: friends.channel }).from(friends).where(eq(friends.contactId, contactId)).get();
  if (!f) return undefined;
  const storeOk = f.storeCode !== null && db.select({ c: stores.code }).from(stores).where(eq(stores.code, f.storeCode)).get() !== undefined;
  const guideOk = f.guideCode !== null && db.select({ c: staff.code }).from(staff).where(eq(staff.code, f.guideCode)).get() !== undefined;
  return { storeCode: storeOk ? f.storeCode : null, guideCode: guideOk ? f.guideCode : null, channel: f.channel };
}
