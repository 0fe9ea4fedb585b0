import { describe, expect, it } from 'vitest';
import { capabilities } from '../../src/capabilities.js';
import { nextEvent, recordingLogger, type LogLine } from '../../src/platform/wechaty/testing.js';
import { testConfig } from '../support/app.js';
import { useTestApp } from '../support/test-app.js';

const rec = recordingLogger('info');
// The shipped reconnect settings: backoff from 1 s doubling up to 60 s, a probe every 3 s.
const fx = useTestApp('siyu-reconnect-', (dir, redisUrl) => ({
  config: testConfig(`${dir}/data`, { REDIS_URL: redisUrl, QUEUE_PREFIX: 'reconnect', LOG_LEVEL: 'info' }),
  logger: rec.logger,
  capabilities,
}));

const msg = (l: LogLine) => String(l.msg ?? '');

describe('the provider comes back after a 30-second outage', () => {
  it("is logged in again within 10 s of the server's return, whatever the backoff step, and answers what a member said meanwhile", async () => {
    const lost = nextEvent(fx.app.edge, 'logout');
    await fx.world.stopServer();
    const stoppedAt = Date.now();
    await lost;

    // A member writes 积分 while the bot is away: the provider keeps it.
    await fx.world.memberSays('m001', '积分');

    // The supervisor's sixth attempt fails about 31 s into the outage and would wait 32 s more.
    await rec.waitFor((l) => /^supervisor: attempt 6 failed, next in 32s$/.test(msg(l)), 60_000);
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(30_000);

    const ready = nextEvent(fx.app.edge, 'ready', 20_000);
    await fx.world.startServer();
    const backAt = Date.now();
    await ready;
    const loggedInAfterMs = Date.now() - backAt;
    console.log(`logged in again ${loggedInAfterMs} ms after the server returned (outage ${Math.round((backAt - stoppedAt) / 1000)} s)`);
    expect(loggedInAfterMs).toBeLessThanOrEqual(10_000);

    // The outage's length is logged once.
    await rec.waitFor((l) => /connected again after an outage of/.test(msg(l)));
    const outage = rec.lines.filter((l) => /outage/.test(msg(l)));
    expect(outage).toHaveLength(1);
    expect(outage[0]!.outageSeconds as number).toBeGreaterThanOrEqual(30);

    // The member's 积分, said during the outage, is answered after it.
    const answer = await fx.world.waitForBotMessage((m) => m.target.id === 'm001' && /积分/.test(m.text), 20_000);
    expect(answer.text).toMatch(/您的积分/);
  }, 120_000);
});
