import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/harness.js';
import { ManualClock } from '../core/clock.js';
import { parseWindow, windowText, zonedTime } from '../core/time.js';
import { closeDb, openDb } from '../platform/db/client.js';
import { OutboxRepo } from './outbox.repo.js';
import { quietUntil } from './outbox.rules.js';
import { redecideQuietDeferrals } from './quiet-redecide.repo.js';
import { loadSendingPlaybook, parseSendingPlaybook, SendingPlaybookHolder, SendingSettings } from './sending.playbook.js';

const SH = 'Asia/Shanghai';
const tmp = tempDir('siyu-sending-');
afterAll(() => tmp.remove());

const refusal = (yaml: string) => {
  try {
    parseSendingPlaybook(yaml, 'FILE');
  } catch (err) {
    return (err as Error).message;
  }
  return 'accepted';
};

describe('sending playbook (sop/sending.yaml)', () => {
  it('the shipped file sets nothing (the environment applies); a missing file neither', () => {
    expect(loadSendingPlaybook(path.resolve('sop/sending.yaml'))).toMatchObject({ quietHours: null, marketingCapPerDay: null });
    expect(loadSendingPlaybook(path.join(tmp.dir, 'none.yaml'))).toMatchObject({ quietHours: null, marketingCapPerDay: null });
    expect(parseSendingPlaybook('quietHours: "22:00-07:00"\nmarketingCapPerDay: 0\n', 'F')).toMatchObject({
      quietHours: { startMinute: 1320, endMinute: 420 },
      marketingCapPerDay: 0,
    });
    expect(parseSendingPlaybook('quietHours: ""\n', 'F').quietHours).toBeNull();
  });

  it('refuses bad values with the file, the field, what was found and what is allowed', () => {
    expect(refusal('quietHours: 22-7')).toBe('FILE: quietHours: expected a window like 21:30-08:30 (HH:MM-HH:MM; 00:00-00:00 for none), or empty for QUIET_HOURS, found "22-7"');
    expect(refusal('quietHours: 2200')).toMatch(/^FILE: quietHours: expected a window like 21:30-08:30 .*found 2200$/);
    expect(refusal('marketingCapPerDay: 1001')).toBe('FILE: marketingCapPerDay: expected a whole number 0–1000, or empty for MARKETING_CAP_PER_DAY, found 1001');
    expect(refusal('marketingCapPerDay: many')).toMatch(/found "many"$/);
    expect(refusal('quietHour: "22:00-07:00"')).toBe('FILE: (top level): unknown key "quietHour"; allowed: quietHours, marketingCapPerDay');
  });

  it('settings in force: the file over the environment; a hand edit is seen within the check interval, a bad one keeps the last good', () => {
    const file = path.join(tmp.dir, 'sending.yaml');
    writeFileSync(file, readFileSync('sop/sending.yaml', 'utf8'));
    const clock = new ManualClock('2026-11-25T04:00:00Z');
    const s = new SendingSettings(new SendingPlaybookHolder(file), { quietHours: parseWindow('21:30-08:30')!, marketingCapPerDay: 1 }, clock, 10_000);
    const inForce = () => [windowText(s.quietHours()), s.marketingCapPerDay()];
    expect(inForce()).toEqual(['21:30-08:30', 1]);
    let changes = 0;
    s.onChange(() => changes++);
    writeFileSync(file, 'quietHours: "23:00-06:00"\nmarketingCapPerDay: 3\n# edited\n');
    clock.advance(10_000);
    expect(inForce()).toEqual(['23:00-06:00', 3]);
    expect(changes).toBe(1);
    writeFileSync(file, 'quietHours: "soon"\n');
    expect(s.reload()).toMatchObject({ ok: false, error: expect.stringContaining('quietHours: expected a window') });
    clock.advance(10_000);
    expect(inForce()).toEqual(['23:00-06:00', 3]);
    expect(changes).toBe(1);
  });
});

describe('marketing held for quiet hours, re-decided when they change', () => {
  it('releases rows held past the new window (to its end, or now outside it), keeps their own not-before, moves their expiry back', () => {
    const db = openDb(path.join(tmp.dir, 'redecide.sqlite'));
    try {
      const repo = new OutboxRepo(db);
      const at = (h: number, m = 0, day = 25) => zonedTime(2026, 11, day, h, m, SH).getTime();
      const now = at(22);
      const rows = repo.insertMany([
        {
          key: 'a',
          account: 'main',
          targetKind: 'contact',
          targetId: 'c1',
          content: '{}',
          purpose: 'care',
          priority: 4,
          createdAt: now,
          updatedAt: now,
          expiresAt: now + 3_600_000,
        },
        {
          key: 'b',
          account: 'main',
          targetKind: 'contact',
          targetId: 'c2',
          content: '{}',
          purpose: 'campaign',
          priority: 6,
          notBefore: at(7, 45, 26),
          createdAt: now,
          updatedAt: now,
        },
        { key: 'c', account: 'main', targetKind: 'contact', targetId: 'c3', content: '{}', purpose: 'reply', priority: 1, createdAt: now, updatedAt: now },
      ]);
      // held under 21:30-08:30 until 08:30 tomorrow
      expect(repo.deferQuietMarketing('main', now, at(8, 30, 26))).toBe(2);
      expect(repo.get(rows[0]!.id)).toMatchObject({ deferredUntil: at(8, 30, 26), expiresAt: at(9, 30, 26) });
      const redecide = (w: string, t: number) => redecideQuietDeferrals(db, t, quietUntil(t, { quietHours: parseWindow(w)!, timezone: SH }) ?? t);
      // a later end: nothing to release (the feed holds them longer itself)
      expect(redecide('21:00-09:00', now)).toBe(0);
      // the window now ends at 07:00: held until then; the campaign keeps its own 07:45
      expect(redecide('21:00-07:00', now)).toBe(2);
      expect(repo.get(rows[0]!.id)).toMatchObject({ deferredUntil: at(7, 0, 26), deferredWhy: 'quiet-hours', expiresAt: at(8, 0, 26) });
      expect(repo.get(rows[1]!.id)).toMatchObject({ deferredUntil: null, deferredWhy: null, notBefore: at(7, 45, 26) });
      // now outside the window: due now, an hour to live from now
      expect(redecide('23:00-07:00', now)).toBe(1);
      expect(repo.get(rows[0]!.id)).toMatchObject({ deferredUntil: null, deferredWhy: null, expiresAt: now + 3_600_000 });
      expect(repo.get(rows[2]!.id)).toMatchObject({ deferredUntil: null, status: 'queued' });
      expect(redecide('23:00-07:00', now)).toBe(0);
    } finally {
      closeDb(db);
    }
  });
});
