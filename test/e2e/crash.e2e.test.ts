import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { like } from 'drizzle-orm';
import { startApp } from '../../src/app.js';
import { silentLogger } from '../../src/core/logger.js';
import { outbox } from '../../src/platform/db/schema.js';
import { isolateWechaty } from '../../src/platform/wechaty/testing.js';
import { startWorld, type World } from '../../src/platform/wechaty/world/server.js';
import { useTestRedis } from '../support/redis-fixture.js';
import { tempDir } from '../support/harness.js';
import { testConfig } from '../support/app.js';

const redis = useTestRedis();
let tmp: ReturnType<typeof tempDir>;
let world: World;
let restoreHome: () => void;

beforeAll(async () => {
  restoreHome = isolateWechaty();
  tmp = tempDir('siyu-crash-');
  world = await startWorld({ logger: silentLogger(), token: 'insecure_crash_test' });
});
afterAll(async () => {
  await world.stop();
  tmp.remove();
  restoreHome();
});

describe('crash semantics', () => {
  it('a SIGKILL during a 1,000-message burst, then a restart: nothing is sent twice, every row ends sent or unknown', async () => {
    const env = {
      DATA_DIR: tmp.dir,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: 'crash',
      LOG_LEVEL: 'silent',
      WECHATY_PUPPET_SERVICE_ENDPOINT: world.endpoint,
      WECHATY_PUPPET_SERVICE_TOKEN: world.token,
      WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT: 'true',
      SEND_RATE_PER_MINUTE: '0',
      SEND_GAP_MIN_MS: '2',
      SEND_GAP_MAX_MS: '5',
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/e2e/fixtures/burst-bot.ts'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const burst = () => world.sent.filter((m) => m.text.startsWith('burst #'));
    // Kill it once a fair part of the burst is out, mid-stream.
    await world.waitForBotMessage(() => burst().length >= 150, 60_000);
    child.kill('SIGKILL');
    await exited;
    const beforeRestart = burst().length;
    expect(beforeRestart).toBeLessThan(1000);

    const app = await startApp({
      config: testConfig(tmp.dir, {
        ...env,
        SEND_GAP_MIN_MS: '0',
        SEND_GAP_MAX_MS: '0',
      }),
      logger: silentLogger(),
      capabilities: [],
      reconcileEverySeconds: 1,
      livenessTtlMs: 1000,
      http: false,
    });
    try {
      await app.ready;
      const open = () =>
        app.db
          .select({ status: outbox.status })
          .from(outbox)
          .where(like(outbox.key, 'burst:%'))
          .all()
          .filter((r) => r.status === 'queued' || r.status === 'sending').length;
      await expect.poll(open, { timeout: 60_000, interval: 200 }).toBe(0);
      const rows = app.db.select().from(outbox).where(like(outbox.key, 'burst:%')).all();
      expect(rows).toHaveLength(1000);
      const sentRows = rows.filter((r) => r.status === 'sent');
      const unknown = rows.filter((r) => r.status === 'unknown').length;
      expect(sentRows.length + unknown, 'every row ends sent or unknown').toBe(1000);
      expect(unknown).toBeLessThanOrEqual(3);

      const texts = burst().map((m) => m.text);
      const counts = new Map<string, number>();
      for (const t of texts) counts.set(t, (counts.get(t) ?? 0) + 1);
      expect(
        [...counts.values()].every((n) => n === 1),
        'no message reached a member twice',
      ).toBe(true);
      // Every row marked sent reached the world; an unknown one may or may not have.
      for (const r of sentRows) expect(counts.has(JSON.parse(r.content).text as string)).toBe(true);
      expect(texts.length).toBeGreaterThanOrEqual(sentRows.length);
      expect(texts.length).toBeLessThanOrEqual(sentRows.length + unknown);
    } finally {
      await app.stop();
    }
  });
});
