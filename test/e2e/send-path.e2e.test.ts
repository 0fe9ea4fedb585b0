import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import type { Clock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { localParts, zonedTime } from '../../src/core/time.js';
import { membersCapability } from '../../src/members/members.capability.js';
import type { EnqueueRequest } from '../../src/outbox/outbox.js';
import { isolateWechaty } from '../../src/platform/wechaty/testing.js';
import { startWorld, type BotMessage, type World } from '../../src/platform/wechaty/world/server.js';
import type { WorldSeed } from '../../src/platform/wechaty/world/seed.js';
import { testConfig } from '../support/app.js';
import { tempDir } from '../support/harness.js';
import { useTestRedis } from '../support/redis-fixture.js';

/**
 * The send path with the shipped defaults (20 sends a minute, gaps 1–3 s, quiet hours 21:30–08:30),
 * counted from what a puppet-service world received: a campaign to 32 members and 12 groups while a
 * member asks 积分 every 10 s. Real time: about three minutes.
 */
const SH = 'Asia/Shanghai';
/** 32 in the suite (about 3 minutes); SEND_PATH_MEMBERS=300 runs the full case (about 23 minutes: replies take 6 of the 20 slots a minute). */
const MEMBERS = Number(process.env['SEND_PATH_MEMBERS'] ?? 32);
const GROUPS = 12;
const ASKER = 'asker';

function seed(): WorldSeed {
  const members = Array.from({ length: MEMBERS }, (_, i) => ({
    id: `wx_${String(i).padStart(3, '0')}`,
    name: `会员${i}`,
    phone: `1390000${String(i).padStart(4, '0')}`,
    roomId: `room-${i % GROUPS}@chatroom`,
  }));
  return {
    store: { code: 'SP01', name: '送达测试店', city: '杭州' },
    bot: { id: 'bot-sp', name: '小助手' },
    staff: [{ id: 'guide-sp', name: '导购甲', role: 'guide' }],
    members: [...members, { id: ASKER, name: '常问', phone: '13900009999', roomId: null }],
    rooms: Array.from({ length: GROUPS }, (_, g) => ({
      id: `room-${g}@chatroom`,
      topic: `送达群${g}`,
      staffIds: ['guide-sp'],
      memberIds: members.filter((m) => m.roomId === `room-${g}@chatroom`).map((m) => m.id),
    })),
  };
}

/** Real time moved to 12:00 today in Shanghai, so the run never meets quiet hours. */
function middayClock(): Clock {
  const p = localParts(new Date(), SH);
  const offset = zonedTime(p.year, p.month, p.day, 12, 0, SH).getTime() - Date.now();
  return { now: () => new Date(Date.now() + offset) };
}

const redis = useTestRedis();
let tmp: ReturnType<typeof tempDir>;
let restoreHome: () => void;
let world: World;
let app: App;

beforeAll(async () => {
  restoreHome = isolateWechaty();
  tmp = tempDir('siyu-send-path-');
  world = await startWorld({ seed: seed(), logger: silentLogger(), traffic: { enabled: false, intervalMs: 8000 } });
  app = await startApp({
    // The shipped send defaults: only what a test must set is set.
    config: testConfig(path.join(tmp.dir, 'data'), {
      REDIS_URL: redis.url,
      QUEUE_PREFIX: 'send-path',
      INBOUND_MAX_AGE_SECONDS: '0',
      SEND_RATE_PER_MINUTE: '20',
      SEND_GAP_MIN_MS: '1000',
      SEND_GAP_MAX_MS: '3000',
      WECHATY_PUPPET_SERVICE_TOKEN: world.token,
      WECHATY_PUPPET_SERVICE_ENDPOINT: world.endpoint,
      WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT: 'true',
    }),
    logger: silentLogger(),
    clock: middayClock(),
    capabilities: [membersCapability(path.resolve('sop/membership.yaml'))],
  });
  await app.ready;
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await world?.stop();
  tmp?.remove();
  restoreHome?.();
});

/** The member says `text` and gets the bot's answer (containing `answer`) back; the latency is world time. */
async function ask(text: string, answer: string): Promise<{ reply: BotMessage; latencyMs: number }> {
  const at = Date.now();
  await world.memberSays(ASKER, text);
  const reply = await world.waitForBotMessage((m) => m.target.id === ASKER && m.at >= at && m.text.includes(answer), 30_000);
  return { reply, latencyMs: reply.at - at };
}

describe('the send path under a campaign, counted where the messages arrive', () => {
  it(
    'keeps 20 in any 60 s, never closer than 1 s, answers 积分 within 4 s and uses the budget every minute',
    async () => {
      await ask('入会', '欢迎加入会员');
      const campaign: EnqueueRequest[] = [
        ...seed()
          .members.filter((m) => m.id !== ASKER)
          .map((m) => ({ key: `camp:sp:${m.id}`, target: { kind: 'contact' as const, id: m.id } })),
        ...seed().rooms.map((r) => ({ key: `camp:sp:${r.id}`, target: { kind: 'room' as const, id: r.id } })),
      ].map((t) => ({ ...t, content: { kind: 'text' as const, text: '【会员日】全场9折' }, purpose: 'campaign' as const }));
      const startedAt = Date.now();
      await app.outbox.enqueueMany(campaign);
      const isCampaign = (m: BotMessage) => m.text.startsWith('【会员日】');
      const latencies: number[] = [];
      while (world.sent.filter(isCampaign).length < campaign.length) {
        const asked = Date.now();
        const { latencyMs } = await ask('积分', '您的积分');
        latencies.push(latencyMs);
        const next = asked + 10_000 - Date.now();
        if (next > 0 && world.sent.filter(isCampaign).length < campaign.length) {
          // Wait for the next question's time, or the campaign's end, whichever is first.
          await Promise.race([new Promise((r) => setTimeout(r, next)), world.waitForBotMessage(() => world.sent.filter(isCampaign).length >= campaign.length, next)]).catch(
            () => undefined,
          );
        }
      }
      const sends = world.sent.filter((m) => m.at >= startedAt);
      const at = sends.map((m) => m.at);
      for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!, `gap before send ${i}`).toBeGreaterThanOrEqual(1000);
      for (let i = 20; i < at.length; i++) expect(at[i]! - at[i - 20]!, `sends ${i - 20}..${i} inside 60 s`).toBeGreaterThanOrEqual(60_000);
      const sorted = [...latencies].sort((a, b) => a - b);
      const p99 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!;
      expect(latencies.length).toBeGreaterThanOrEqual(10);
      expect(p99, `积分 latencies ${sorted.join(', ')} ms`).toBeLessThanOrEqual(4000);
      const campaignAt = sends.filter(isCampaign).map((m) => m.at);
      const first = campaignAt[0]!;
      const last = campaignAt[campaignAt.length - 1]!;
      const minutes: number[] = [];
      for (let t = first; t + 60_000 <= last; t += 60_000) minutes.push(at.filter((x) => x >= t && x < t + 60_000).length);
      expect(minutes.length).toBeGreaterThanOrEqual(2);
      console.info(
        `send path: ${at.length} sends; 积分 p50 ${sorted[Math.floor(sorted.length / 2)]} ms, p99 ${p99} ms (${sorted.length} asks); sends per full minute ${minutes.join(', ')}`,
      );
      for (const [k, n] of minutes.entries()) expect(n, `sends in full minute ${k + 1}`).toBeGreaterThanOrEqual(19);
      // Every campaign message reached its target exactly once.
      expect(new Set(sends.filter(isCampaign).map((m) => m.target.id)).size).toBe(campaign.length);
      expect(sends.filter(isCampaign)).toHaveLength(campaign.length);
    },
    Math.max(360_000, MEMBERS * 6_000),
  );
});
