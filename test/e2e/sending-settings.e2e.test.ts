import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { campaignsCapability } from '../../src/campaigns/index.js';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { zonedTime } from '../../src/core/time.js';
import { isolateWechaty } from '../../src/platform/wechaty/testing.js';
import { testConfig } from '../support/app.js';
import { tempDir } from '../support/harness.js';
import { useTestRedis } from '../support/redis-fixture.js';

const SH = 'Asia/Shanghai';
const SECRET = 'sending-e2e-secret-0123456789';
const redis = useTestRedis();
let tmp: ReturnType<typeof tempDir>;
let restoreHome: () => void;
let app: App;
let base: string;
let sop: string;
// 22:00 in Shanghai: inside the environment's quiet hours (21:30-08:30).
const clock = new ManualClock(zonedTime(2026, 11, 25, 22, 0, SH));

beforeAll(async () => {
  restoreHome = isolateWechaty();
  tmp = tempDir('siyu-sending-settings-');
  sop = path.join(tmp.dir, 'sop');
  cpSync(path.resolve('sop'), sop, { recursive: true });
  app = await startApp({
    config: testConfig(`${tmp.dir}/app`, {
      REDIS_URL: redis.url,
      QUEUE_PREFIX: 'sending-settings',
      CONSOLE_TOKEN: `lin:${SECRET}`,
      QUIET_HOURS: '21:30-08:30',
      MARKETING_CAP_PER_DAY: '1',
    }),
    // The campaigns capability publishes the service the builder's preview uses (no copies in the console).
    logger: silentLogger(),
    clock,
    capabilities: [campaignsCapability(path.join(sop, 'campaigns'))],
    sopDir: sop,
  });
  await app.ready;
  base = app.healthUrl!.replace(/\/healthz$/, '');
}, 60_000);
afterAll(async () => {
  await app?.stop();
  tmp?.remove();
  restoreHome?.();
});

const save = (values: Record<string, string>) =>
  fetch(`${base}/api/settings/sending`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
    body: JSON.stringify(values),
  });
const care = (key: string, contactId: string, text: string, expiresAt?: number) =>
  app.outbox.enqueue({ key, target: { kind: 'contact', id: contactId }, content: { kind: 'text', text }, purpose: 'care', ...(expiresAt ? { expiresAt } : {}) });
const row = (id: number) =>
  app.db.$client.prepare('select status, reason, deferred_until as deferredUntil, deferred_why as why, expires_at as expiresAt from outbox where id = ?').get(id) as {
    status: string;
    reason: string | null;
    deferredUntil: number | null;
    why: string | null;
    expiresAt: number | null;
  };
const reached = (contactId: string, text: string) => app.world!.waitForBotMessage((m) => m.target.id === contactId && m.text === text, 20_000);
const audit = () => app.db.$client.prepare("select actor, result from operator_actions where action = 'settings.save' and target = 'sending' order by at, rowid").all();

describe('quiet hours and the marketing cap changed in the settings form, without a restart', () => {
  it("shows the environment's values in the form until the file sets its own", async () => {
    const j = (await (await fetch(`${base}/api/settings`, { headers: { authorization: `Bearer ${SECRET}` } })).json()) as {
      files: { kind: string; fields: { key: string; value: string; from?: string }[] }[];
    };
    expect(j.files.find((f) => f.kind === 'sending')!.fields.map((f) => [f.key, f.value, f.from])).toEqual([
      ['quietHours', '21:30-08:30', 'default'],
      ['marketingCapPerDay', '1', 'default'],
    ]);
  });

  it('a marketing message held for quiet hours goes at once when the saved window no longer covers now; the next one follows the new window', async () => {
    const held = await care('care:e2e:1', 'm001', '张姐，天冷了注意保暖');
    await expect.poll(() => row(held.id).why, { timeout: 10_000 }).toBe('quiet-hours');
    expect(row(held.id).deferredUntil).toBe(zonedTime(2026, 11, 26, 8, 30, SH).getTime());

    const res = await save({ quietHours: '23:00-07:00' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      changed: ['quietHours'],
      file: {
        fields: [
          { key: 'quietHours', value: '23:00-07:00', from: 'file' },
          { key: 'marketingCapPerDay', value: '1', from: 'default' },
        ],
      },
    });
    // 22:00 is outside 23:00-07:00: the held message reaches the member now, no restart
    await reached('m001', '张姐，天冷了注意保暖');
    await expect.poll(() => row(held.id).status).toBe('sent');
    const text = readFileSync(path.join(sop, 'sending.yaml'), 'utf8');
    expect(text).toContain('\nquietHours: 23:00-07:00\n');
    expect(text).toContain('# No marketing in this local (TIMEZONE) window');

    // the campaign builder warns with the quiet hours in force
    const preview = (await (
      await fetch(`${base}/api/campaigns/builder/preview`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          id: 'late-offer',
          name: '夜场',
          audience: { groups: { stores: ['HZ01'] } },
          content: [{ kind: 'text', text: '今晚特惠' }],
          schedule: { at: '2026-11-25 23:30' },
        }),
      })
    ).json()) as { warnings: { path: string; message: string }[] };
    expect(preview.warnings).toContainEqual({
      path: 'schedule.at',
      message: 'the slot falls in quiet hours (23:00–07:00 Asia/Shanghai); those messages are held and go when quiet hours end: 2026-11-25 23:30 → 2026-11-26 07:00',
    });

    // 23:30 is inside the new window: a new one waits until 07:00
    clock.set(zonedTime(2026, 11, 25, 23, 30, SH));
    const later = await care('care:e2e:2', 'm002', '刘姐，新品到店', clock.now().getTime() + 2 * 3_600_000);
    await expect.poll(() => row(later.id).why, { timeout: 10_000 }).toBe('quiet-hours');
    expect(row(later.id).deferredUntil).toBe(zonedTime(2026, 11, 26, 7, 0, SH).getTime());
    // its two hours to live run from 07:00
    expect(row(later.id).expiresAt).toBe(zonedTime(2026, 11, 26, 9, 0, SH).getTime());

    // a bad value: refused with the field and what is allowed, the file untouched, the last good kept
    const before = readFileSync(path.join(sop, 'sending.yaml'));
    const bad = await save({ quietHours: '23-7' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      field: 'quietHours',
      error: 'quietHours: expected a window like 21:30-08:30 (HH:MM-HH:MM; 00:00-00:00 for none), or empty for QUIET_HOURS, found "23-7"',
    });
    expect(readFileSync(path.join(sop, 'sending.yaml')).equals(before)).toBe(true);
    await app.outbox.feed();
    expect(row(later.id)).toMatchObject({ status: 'queued', why: 'quiet-hours', deferredUntil: zonedTime(2026, 11, 26, 7, 0, SH).getTime() });

    // the window shrinks to end before now: the held row is re-decided and goes, its expiry back to 01:30
    expect((await save({ quietHours: '23:00-23:15' })).status).toBe(200);
    await reached('m002', '刘姐，新品到店');
    await expect.poll(() => row(later.id).status).toBe('sent');
    expect(row(later.id)).toMatchObject({ status: 'sent', expiresAt: zonedTime(2026, 11, 26, 1, 30, SH).getTime() });

    expect(audit()).toEqual([
      { actor: 'lin', result: 'saved quietHours="23:00-07:00"' },
      { actor: 'lin', result: expect.stringMatching(/^refused: quietHours: expected a window/) },
      { actor: 'lin', result: 'saved quietHours="23:00-23:15"' },
    ]);
  }, 60_000);

  it('a raised cap applies to the next message: a second care message the same day is skipped at 1 a day and sent at 2', async () => {
    const second = await care('care:e2e:3', 'm001', '张姐，第二条');
    await expect.poll(() => row(second.id).status, { timeout: 10_000 }).toBe('skipped');
    expect(row(second.id).reason).toBe('member-cap 1/day reached');

    expect((await save({ marketingCapPerDay: '2' })).status).toBe(200);
    const third = await care('care:e2e:4', 'm001', '张姐，第三条');
    await reached('m001', '张姐，第三条');
    await expect.poll(() => row(third.id).status).toBe('sent');
    const bad = await save({ marketingCapPerDay: '-1' });
    expect(await bad.json()).toMatchObject({ field: 'marketingCapPerDay', error: expect.stringContaining('expected a whole number 0–1000') });
    const fourth = await care('care:e2e:5', 'm001', '张姐，第四条');
    await expect.poll(() => row(fourth.id).status, { timeout: 10_000 }).toBe('skipped');
    expect(row(fourth.id).reason).toBe('member-cap 2/day reached');
  }, 60_000);
});
