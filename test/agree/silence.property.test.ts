import { describe, expect, it } from 'vitest';
import { DAY_MS, lastActivityAt } from '../../src/core/activity.js';
import { seededRandom } from '../../src/core/random.js';
import { localDate, zonedTime } from '../../src/core/time.js';
import { SelectionRepo } from '../../src/guide-sop/selection.repo.js';
import { shippedGuidePlaybook, insertStaff } from '../../src/guide-sop/testing.js';
import { insertMember } from '../../src/members/testing.js';
import { openTestDb } from '../../src/platform/db/client.js';
import { shippedWakeup } from '../../src/wakeup/testing.js';
import { WakeupRepo } from '../../src/wakeup/wakeup.repo.js';

/**
 * Property: on any day, every member past the 3+3+3 card's silence threshold (the smallest `minDays` of
 * its general rules) is in the hands of exactly one routine: the card's candidates up to the wake-up's
 * first stage (`stages[0].days`), the wake-up from it. Both read the one definition of activity
 * (core/activity.ts: messages, purchases, redemptions, else joining), through their real SQL on a real
 * SQLite store. The one documented exception: members silent longer than the wake-up's
 * `exclusions.maxSilentDays` are "already gone" and in neither.
 */

const SH = 'Asia/Shanghai';
const guide = shippedGuidePlaybook();
const wake = shippedWakeup();
const general = guide.chats.rules.filter((r) => r.rule === 'silent' || r.rule === 'high-value' || r.rule === 'keep-in-touch');
const cardFrom = Math.min(...general.map((r) => ('minDays' in r ? r.minDays : r.rule === 'high-value' ? r.notContactedDays : Infinity)));
const wakeFrom = wake.stages[0]!.days;
const goneAfter = wake.exclusions.maxSilentDays;

/** A random store: members who wrote, bought, both or neither, joined any time in the last 500 days. */
function generate(seed: number, n: number, now: number) {
  const rnd = seededRandom(seed);
  const days = (max: number) => Math.floor(rnd() * max * DAY_MS);
  const db = openTestDb();
  insertStaff(db, 'G1', { storeCode: null });
  const facts: { id: number; lastActiveAt: number | null; lastPurchaseAt: number | null; joinedAt: number }[] = [];
  for (let i = 0; i < n; i++) {
    const joinedAgo = days(500);
    const joinedAt = now - joinedAgo;
    // activity after joining (or none), spread so that every band is well populated
    const within = () => now - Math.floor(rnd() * joinedAgo);
    const lastActiveAt = rnd() < 0.4 ? null : within();
    const lastPurchaseAt = rnd() < 0.5 ? null : within();
    const growth = rnd() < 0.2 ? 5000 : 100;
    const id = insertMember(db, { guideCode: 'G1', contactId: rnd() < 0.8 ? `c${i}` : null, name: `m${i}`, lastActiveAt, lastPurchaseAt, joinedAt, growth });
    facts.push({ id, lastActiveAt, lastPurchaseAt, joinedAt });
  }
  return { db, facts };
}

describe('no member falls between the 3+3+3 card and the wake-up', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`seed ${seed}: each member past the card's threshold is the card's or the wake-up's, never both, never neither`, () => {
      const now = zonedTime(2026, 11, 25 + seed, 9, 30, SH).getTime();
      const today = localDate(new Date(now), SH);
      const { db, facts } = generate(seed, 400, now);
      const ctx = { now, today, localDateOf: (at: number) => localDate(new Date(at), SH), notAgainWithinDays: guide.chats.notAgainWithinDays };
      const sel = new SelectionRepo(db);
      const card = new Set<number>();
      const byRule = sel.chatCandidates(general, ctx, 100_000).get('G1') ?? [];
      for (const list of byRule) for (const p of list) card.add(p.memberId);
      for (const r of general) if (r.rule === 'keep-in-touch') for (const p of sel.keepInTouch('G1', r, ctx, 100_000)) card.add(p.memberId);

      new WakeupRepo(db).startEpisodes(wake, now, `prop-${seed}`);
      const woken = new Set(db.$client.prepare('select member_id from wakeup_episodes').pluck().all() as number[]);

      const bands = { card: 0, wake: 0, gone: 0 };
      for (const f of facts) {
        const silentMs = now - lastActivityAt(f)!;
        const where = `member ${f.id} silent ${Math.floor(silentMs / DAY_MS)} days (wrote ${f.lastActiveAt}, bought ${f.lastPurchaseAt}, joined ${f.joinedAt})`;
        if (silentMs < cardFrom * DAY_MS) continue;
        if (silentMs >= goneAfter * DAY_MS + DAY_MS) {
          bands.gone++;
          expect(card.has(f.id) || woken.has(f.id), where).toBe(false);
          continue;
        }
        if (silentMs < wakeFrom * DAY_MS) {
          bands.card++;
          expect([card.has(f.id), woken.has(f.id)], where).toEqual([true, false]);
        } else if (silentMs <= goneAfter * DAY_MS) {
          bands.wake++;
          expect([card.has(f.id), woken.has(f.id)], where).toEqual([false, true]);
        }
      }
      // the generator reaches every band
      expect(bands.card).toBeGreaterThan(10);
      expect(bands.wake).toBeGreaterThan(10);
    });
  }

  it('the two members of the report: bought 28 days ago (joined in May) is on the card; joined 22 days ago is three weeks silent', () => {
    const now = zonedTime(2026, 11, 25, 9, 30, SH).getTime();
    const today = localDate(new Date(now), SH);
    const db = openTestDb();
    insertStaff(db, 'G1', { storeCode: null });
    const bought = insertMember(db, { guideCode: 'G1', contactId: 'c1', name: '周梅', joinedAt: zonedTime(2026, 5, 10, 12, 0, SH).getTime(), lastPurchaseAt: now - 28 * DAY_MS });
    const joined = insertMember(db, { guideCode: 'G1', contactId: 'c2', name: '吴静', joinedAt: now - 22 * DAY_MS });
    const ctx = { now, today, localDateOf: (at: number) => localDate(new Date(at), SH), notAgainWithinDays: 7 };
    const sel = new SelectionRepo(db);
    const picks = [
      ...(sel.chatCandidates(general, ctx, 100).get('G1') ?? []).flat(),
      ...general.filter((r) => r.rule === 'keep-in-touch').flatMap((r) => sel.keepInTouch('G1', r, ctx, 100)),
    ];
    expect(picks.filter((p) => p.memberId === joined).map((p) => p.reason)).toContain('3 周未互动');
    expect(picks.filter((p) => p.memberId === bought).map((p) => p.reason)).toContain('28 天未互动');
    expect(picks.flatMap((p) => p.reason)).not.toContain('7+ 天未互动');
    // and the wake-up takes neither yet
    new WakeupRepo(db).startEpisodes(wake, now, 'x');
    expect(db.$client.prepare('select count(*) from wakeup_episodes').pluck().get()).toBe(0);
  });
});
