import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { silentLogger } from '../../src/core/logger.js';
import { hasUnsafeChars } from '../../src/core/sanitize.js';
import { membersCapability } from '../../src/members/members.capability.js';
import { outbox } from '../../src/platform/db/schema.js';
import { isolateWechaty } from '../../src/platform/wechaty/testing.js';
import type { BotMessage, World } from '../../src/platform/wechaty/world/server.js';
import { slaCapability } from '../../src/sla/sla.capability.js';
import { slaQuestions } from '../../src/sla/sla.schema.js';
import { tempDir } from '../support/harness.js';
import { useTestRedis } from '../support/redis-fixture.js';
import { testConfig } from '../support/app.js';

const redis = useTestRedis();
let tmp: ReturnType<typeof tempDir>;
let restoreHome: () => void;
let app: App;
let world: World;

beforeAll(async () => {
  restoreHome = isolateWechaty();
  tmp = tempDir('siyu-hygiene-e2e-');
  app = await startApp({
    config: testConfig(`${tmp.dir}/data`, { REDIS_URL: redis.url, QUEUE_PREFIX: 'hygiene-e2e' }),
    logger: silentLogger(),
    capabilities: [membersCapability('sop/membership.yaml'), slaCapability('sop/sla.yaml')],
  });
  await app.ready;
  world = app.world!;
});
afterAll(async () => {
  await app?.stop();
  tmp.remove();
  restoreHome();
});

/** Every outbox row sent or otherwise settled. */
const settled = () => expect.poll(() => app.db.select().from(outbox).where(inArray(outbox.status, ['queued', 'sending'])).all().length, { timeout: 30_000 }).toBe(0);

describe('member input hygiene and privacy, through puppet-service', () => {
  it('@bot 积分 in a group: the figures arrive privately, the group sees only "@name 已私信您"', async () => {
    const room = world.seed.rooms[0]!;
    const who = room.memberIds[0]!;
    const before = world.sent.length;
    await world.memberSays(who, '入会');
    await world.waitForBotMessage((m) => m.target.id === who && /会员/.test(m.text), 20_000);
    await world.memberSays(who, '积分', { roomId: room.id, mentionIds: [world.botId] });
    const priv = await world.waitForBotMessage((m) => m.target.kind === 'contact' && m.target.id === who && /您的积分：/.test(m.text), 20_000);
    const ack = await world.waitForBotMessage((m) => m.target.kind === 'room' && m.target.id === room.id && m.mentionIds.includes(who), 20_000);
    await settled();
    const toGroup = world.sent.slice(before).filter((m) => m.target.kind === 'room' && m.target.id === room.id);
    expect(toGroup).toHaveLength(1);
    expect(ack.text.replace(/^@\S+\s/u, '')).toBe('已私信您');
    expect(toGroup[0]!.text).not.toMatch(/积分|邀请码|券码/);
    expect(priv.text).toMatch(/积分：\d+/);
  });

  it('200 fuzzed messages (control characters, bidi overrides, unpaired surrogates): no bot message carries one, no question is closed', async () => {
    const nasty = ['\uD800', '\uDFFF', '\u202E', '\u2066', '\u0007', '\u001B', '\u0000', '\u200F'];
    const words = ['兑换 Q', '积分', '生日 ', '入会 ', '请问这个有货吗', '我的券', '兑换 C00'];
    const talkers = world.seed.rooms.flatMap((r) => r.memberIds.slice(0, 5).map((id) => ({ id, roomId: r.id })));
    const from = world.sent.length;
    const ids: string[] = [];
    let x = 7;
    const pick = <T>(a: readonly T[]) => a[Math.floor(((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648) * a.length)]!;
    for (let i = 0; i < 200; i++) {
      const t = pick(talkers);
      const text = `${pick(words)}${pick(nasty)}${pick(nasty)}${i % 25 === 0 ? '长'.repeat(2000) : ''}`;
      ids.push(await world.memberSays(t.id, text, i % 2 ? { roomId: t.roomId, mentionIds: [world.botId] } : {}));
    }
    await expect.poll(() => app.ingest.getStats().accepted, { timeout: 30_000 }).toBeGreaterThanOrEqual(200);
    await app.ingest.idle();
    await settled();
    // The echoes of what was just sent have come back too (they arrive as the sends return).
    await expect.poll(() => app.ingest.getStats().rejected.self, { timeout: 20_000 }).toBeGreaterThanOrEqual(world.sent.length - from);
    const sent: BotMessage[] = world.sent.slice(from);
    expect(sent.length).toBeGreaterThan(50);
    expect(sent.filter((m) => hasUnsafeChars(m.text)).map((m) => JSON.stringify(m.text))).toEqual([]);
    expect(sent.some((m) => m.text.includes('长'.repeat(21)))).toBe(false);
    const closed = app.db.select().from(slaQuestions).all().filter((q) => q.status !== 'open');
    expect(closed).toEqual([]);
  }, 90_000);
});
