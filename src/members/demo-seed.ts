import { eq } from 'drizzle-orm';
import type { Db } from '../platform/db/client.js';
import { groups, members, staff, stores } from '../platform/db/schema.js';
import type { WorldSeed } from '../platform/wechaty/world/seed.js';
import { localParts } from '../core/time.js';
import { newReferralCode } from './ledger.js';

const DAY = 86_400_000;

/**
 * Fills an empty store with the simulated world's store, staff, groups and members, so the demo
 * shows real routines (cards, suggestions, reports). Members m001–m035 are already members (as if
 * imported from the brand's CRM), owned by the guide of their group; the rest can join with 入会.
 * Does nothing when the store is already there.
 * @returns whether it seeded anything.
 */
export function seedDemoStore(db: Db, seed: WorldSeed, opts: { now: number; baseTier: string; timezone: string }): boolean {
  const { now } = opts;
  if (db.select().from(stores).where(eq(stores.code, seed.store.code)).get()) return false;
  const guides = seed.staff.filter((s) => s.role === 'guide');
  const guideOfRoom = new Map(seed.rooms.map((r) => [r.id, r.staffIds.find((id) => guides.some((g) => g.id === id)) ?? guides[0]?.id]));
  db.transaction((tx) => {
    tx.insert(stores).values({ code: seed.store.code, name: seed.store.name, city: seed.store.city, createdAt: now }).run();
    for (const s of seed.staff) {
      tx.insert(staff).values({ code: s.id, name: s.name, role: s.role, storeCode: seed.store.code, contactId: s.id, createdAt: now, updatedAt: now }).run();
    }
    for (const r of seed.rooms) {
      tx.insert(groups)
        .values({ roomId: r.id, name: r.topic, storeCode: seed.store.code, guideCode: guideOfRoom.get(r.id) ?? null, createdAt: now, updatedAt: now })
        .run();
    }
    seed.members.slice(0, 35).forEach((m, i) => {
      const guide = (m.roomId && guideOfRoom.get(m.roomId)) || guides[i % Math.max(1, guides.length)]?.id || null;
      // Spread last activity and join dates so suggestions and dormancy have something to find.
      const lastActive = now - ((i * 7) % 95) * DAY;
      const birthday = i % 9 === 0 ? localParts(new Date(now + (i % 5) * DAY), opts.timezone) : null;
      tx.insert(members)
        .values({
          contactId: m.id,
          name: m.name,
          phone: m.phone,
          storeCode: seed.store.code,
          guideCode: guide,
          tier: opts.baseTier,
          joinedAt: now - (30 + i * 11) * DAY,
          lastActiveAt: lastActive,
          birthdayKind: birthday ? 'solar' : null,
          birthMonth: birthday?.month ?? null,
          birthDay: birthday?.day ?? null,
          birthYear: birthday ? 1990 + (i % 10) : null,
          referralCode: newReferralCode(),
          createdAt: now,
          updatedAt: now,
        })
        .run();
    });
  });
  return true;
}
