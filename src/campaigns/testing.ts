import type { Db } from '../platform/db/client.js';
import { groups, members, stores } from '../platform/db/schema.js';

/** Fills a test store: store HZ01 with `n` groups `g00@chatroom`… and a few members. */
export function seedGroups(db: Db, n: number, now: number): string[] {
  db.insert(stores).values({ code: 'HZ01', name: '杭州湖滨店', city: '杭州', createdAt: now }).onConflictDoNothing().run();
  const ids = Array.from({ length: n }, (_, i) => `g${String(i).padStart(2, '0')}@chatroom`);
  for (const [i, id] of ids.entries()) {
    db.insert(groups)
      .values({ roomId: id, name: `群${i}`, storeCode: 'HZ01', tags: i === 0 ? '["vip"]' : '[]', createdAt: now, updatedAt: now })
      .run();
  }
  for (let i = 0; i < 3; i++) {
    db.insert(members)
      .values({
        contactId: i === 2 ? null : `wx-m${i}`,
        name: `会员${i}`,
        storeCode: 'HZ01',
        tier: 'regular',
        points: 100 + i,
        referralCode: `RC${i}`,
        lastActiveAt: now,
        createdAt: now,
        updatedAt: now,
      })
      .run();
  }
  return ids;
}
