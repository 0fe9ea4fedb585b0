import type { Db } from '../platform/db/client.js';
import { groups, staff } from '../platform/db/schema.js';
import { insertMember, insertStore } from '../members/testing.js';
import { loadGuidePlaybook, type GuidePlaybook } from './playbook.js';

/** Test helpers for the guide capability: the shipped playbook and a small store. */

let cached: GuidePlaybook | null = null;

/** The shipped `sop/guide-daily.yaml`, loaded once per test file. */
export function shippedGuidePlaybook(): GuidePlaybook {
  return (cached ??= loadGuidePlaybook('sop/guide-daily.yaml'));
}

/** Inserts a staff member (guide by default) with contact `wx-<code>`. */
export function insertStaff(db: Db, code: string, over: Partial<typeof staff.$inferInsert> = {}): void {
  db.insert(staff)
    .values({ code, name: `导购${code}`, role: 'guide', storeCode: 'HZ01', contactId: `wx-${code}`, createdAt: 0, updatedAt: 0, ...over })
    .run();
}

/** Inserts a brand group. */
export function insertGroup(db: Db, roomId: string, guideCode: string | null, storeCode = 'HZ01'): void {
  db.insert(groups)
    .values({ roomId, name: roomId.replace('@chatroom', '群'), storeCode, guideCode, createdAt: 0, updatedAt: 0 })
    .run();
}

/**
 * A store HZ01 with a manager `MGR` and guides G1 (groups g1a, g1b) and G2 (no group, off on Sundays),
 * and members for G1 that every rule can find: birthday today (张丽娜), silent 22 days (刘芳), bought
 * yesterday (陈思琪, opted out), high value (杨雪), and quiet members for keep-in-touch.
 */
export function smallStore(db: Db, now: number): { members: Record<string, number> } {
  const DAY = 86_400_000;
  insertStore(db, 'HZ01');
  insertStaff(db, 'MGR', { name: '陈店长', role: 'store-manager' });
  insertStaff(db, 'G1', { name: '王晓燕' });
  insertStaff(db, 'G2', { name: '李静', workingDays: '123456' });
  insertGroup(db, 'g1a@chatroom', 'G1');
  insertGroup(db, 'g1b@chatroom', 'G1');
  const base = { storeCode: 'HZ01', guideCode: 'G1', lastActiveAt: now - 2 * DAY };
  const localToday = new Date(now + 8 * 3_600_000); // Asia/Shanghai has no DST
  return {
    members: {
      birthday: insertMember(db, {
        ...base,
        name: '张丽娜',
        phone: '13800000001',
        contactId: 'm001',
        birthdayKind: 'solar',
        birthMonth: localToday.getUTCMonth() + 1,
        birthDay: localToday.getUTCDate(),
      }),
      silent: insertMember(db, { ...base, name: '刘芳', phone: '13800000002', contactId: 'm002', lastActiveAt: now - 22 * DAY }),
      bought: insertMember(db, { ...base, name: '陈思琪', phone: '13800000003', contactId: 'm003', lastPurchaseAt: now - DAY, optedOutAt: now - 5 * DAY }),
      vip: insertMember(db, { ...base, name: '杨雪', phone: '13800000004', contactId: 'm004', growth: 8000, lastActiveAt: now - 20 * DAY }),
      quiet: insertMember(db, { ...base, name: '赵敏', phone: '13800000005', contactId: 'm005', lastActiveAt: now - 10 * DAY }),
      g2: insertMember(db, { ...base, guideCode: 'G2', name: '孙倩', phone: '13800000006', contactId: 'm006', lastActiveAt: now - 15 * DAY }),
    },
  };
}
