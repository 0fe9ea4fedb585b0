import { describe, expect, it } from 'vitest';
import { openTestDb } from '../platform/db/client.js';
import { groups, members, staff } from '../platform/db/schema.js';
import { loadSeed } from '../platform/wechaty/world/seed.js';
import { seedDemoStore } from './demo-seed.js';

describe('demo store seed', () => {
  it('puts the world’s store, staff, groups and 35 members in an empty store, once', () => {
    const db = openTestDb();
    const seed = loadSeed();
    const opts = { now: Date.parse('2026-11-25T02:00:00Z'), baseTier: 'regular', timezone: 'Asia/Shanghai' };
    expect(seedDemoStore(db, seed, opts)).toBe(true);
    expect(seedDemoStore(db, seed, opts)).toBe(false);
    expect(
      db
        .select()
        .from(staff)
        .all()
        .map((s) => s.role)
        .sort(),
    ).toEqual(['community-admin', 'guide', 'guide', 'guide', 'guide', 'store-manager']);
    const g = db.select().from(groups).all();
    expect(g).toHaveLength(3);
    expect(g.every((x) => x.guideCode?.startsWith('guide-'))).toBe(true);
    const m = db.select().from(members).all();
    expect(m).toHaveLength(35);
    expect(m.every((x) => x.guideCode && x.contactId && x.tier === 'regular')).toBe(true);
  });
});
