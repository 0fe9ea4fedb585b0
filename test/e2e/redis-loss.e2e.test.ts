import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { silentLogger } from '../../src/core/logger.js';
import { startWorld } from '../../src/platform/wechaty/world/server.js';
import { isolateWechaty } from '../../src/platform/wechaty/testing.js';
import { testConfig, pingCapability } from '../support/app.js';
import { tempDir } from '../support/harness.js';
import { useTestRedis } from '../support/redis-fixture.js';

/**
 * Two processes of one account on one DATA_DIR and one external Redis (the README's rolling restart),
 * and a process whose Redis goes away: /healthz says 503 within 10 s, the log says so once per 10 s,
 * and one stop is enough.
 */
let tmp: ReturnType<typeof tempDir>;
let restoreHome: () => void;

beforeAll(() => {
  restoreHome = isolateWechaty();
  tmp = tempDir('siyu-redis-loss-');
});
afterAll(() => {
  tmp.remove();
  restoreHome();
});

/** A logger whose warning and error lines land in `lines`. */
function recordingLogger(lines: { level: number; msg: string; at: number }[]) {
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        const j = JSON.parse(line) as { level: number; msg: string };
        lines.push({ level: j.level, msg: j.msg, at: Date.now() });
      }
      done();
    },
  });
  return pino({ level: 'warn' }, stream);
}

async function status(app: App): Promise<number> {
  const res = await fetch(app.healthUrl!, { signal: AbortSignal.timeout(5000) });
  return res.status;
}

describe('a Redis that goes away', () => {
  const redis = useTestRedis();
  let app: App;
  const lines: { level: number; msg: string; at: number }[] = [];

  beforeAll(async () => {
    app = await startApp({
      config: testConfig(path.join(tmp.dir, 'loss'), { REDIS_URL: redis.url, QUEUE_PREFIX: 'loss', INBOUND_MAX_AGE_SECONDS: '0' }),
      logger: recordingLogger(lines),
      capabilities: [pingCapability],
    });
    await app.ready;
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
  });

  it('answers /healthz 503 within 10 s, logs one line per 10 s about it, and stops at the first request', async () => {
    expect(await status(app)).toBe(200);
    await redis.server.stop();
    const gone = Date.now();
    let code = 200;
    while (code === 200 && Date.now() - gone < 15_000) code = await status(app);
    const after = Date.now() - gone;
    expect(code).toBe(503);
    expect(after, 'ms until /healthz said 503').toBeLessThanOrEqual(10_000);
    // Watch the log for 12 s of outage: the Redis line at most twice (once, then once per 10 s).
    const from = lines.length;
    await new Promise((r) => setTimeout(r, 12_000));
    const outage = lines.slice(from);
    expect(outage.length, outage.map((l) => l.msg).join(' | ')).toBeLessThanOrEqual(4);
    const stopping = Date.now();
    await app.stop();
    expect(Date.now() - stopping, 'ms to stop').toBeLessThan(20_000);
  }, 60_000);
});

describe('a rolling restart: two processes of one account on one DATA_DIR and one external Redis', () => {
  const redis = useTestRedis();

  it('the second starts beside the first, and answers members once the first stops', async () => {
    const world = await startWorld({ logger: silentLogger(), traffic: { enabled: false, intervalMs: 8000 } });
    const dataDir = path.join(tmp.dir, 'rolling');
    const env = {
      REDIS_URL: redis.url,
      QUEUE_PREFIX: 'rolling',
      INBOUND_MAX_AGE_SECONDS: '0',
      SUPERVISOR_MAX_BACKOFF_SECONDS: '2',
      PUPPET_TIMEOUT_SECONDS: '10',
      WECHATY_PUPPET_SERVICE_TOKEN: world.token,
      WECHATY_PUPPET_SERVICE_ENDPOINT: world.endpoint,
      WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT: 'true',
    };
    const log = (name: string) => (process.env['DEBUG_ROLLING'] ? pino({ level: 'debug', name }) : silentLogger());
    const first = await startApp({ config: testConfig(dataDir, env), logger: log('first'), capabilities: [pingCapability] });
    let second: App | null = null;
    try {
      await first.ready;
      await world.memberSays('m001', 'ping one');
      await world.waitForBotMessage((m) => m.target.id === 'm001' && m.text === 'pong one', 20_000);
      // The second process: same DATA_DIR, same Redis, same account. It waits for the session the first holds.
      second = await startApp({ config: testConfig(dataDir, env), logger: log('second'), capabilities: [pingCapability] });
      expect(await status(second)).toBe(503);
      await first.stop();
      await second.ready;
      await world.memberSays('m002', 'ping two');
      const reply = await world.waitForBotMessage((m) => m.target.id === 'm002' && m.text === 'pong two', 20_000);
      expect(reply.text).toBe('pong two');
      expect(world.sent.filter((m) => m.text === 'pong two')).toHaveLength(1);
      expect(await status(second)).toBe(200);
    } finally {
      await second?.stop();
      await first.stop();
      await world.stop();
    }
  }, 90_000);
});
