import { inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { hasUnsafeChars } from '../../src/core/sanitize.js';
import { membersCapability } from '../../src/members/members.capability.js';
import { outbox } from '../../src/platform/db/schema.js';
import type { BotMessage } from '../../src/platform/wechaty/world/server.js';
import { slaCapability } from '../../src/sla/sla.capability.js';
import { slaQuestions } from '../../src/sla/sla.schema.js';
import { testConfig } from '../support/app.js';
import { useTestApp } from '../support/test-app.js';

const fx = useTestApp('siyu-hygiene-e2e-', (dir, redisUrl) => ({
  config: testConfig(`${dir}/data`, { REDIS_URL: redisUrl, QUEUE_PREFIX: 'hygiene-e2e' }),
  logger: silentLogger(),
  capabilities: [membersCapability('sop/membership.yaml'), slaCapability('sop/sla.yaml')],
}));

/** Every outbox row sent or otherwise settled. */
const settled = () =>
  expect
    .poll(
      () =>
        fx.app.db
          .select()
          .from(outbox)
          .where(inArray(outbox.status, ['queued', 'sending']))
          .all().length,
      { timeout: 30_000 },
    )
    .toBe(0);

describe('member input hygiene and privacy, through puppet-service', () => {
  it('@bot 积分 in a group: the figures arrive privately, the group sees only "@name 已私信您"', async () => {
    const room = fx.world.seed.rooms[0]!;
    const who = room.memberIds[0]!;
    const before = fx.world.sent.length;
    await fx.world.memberSays(who, '入会');
    await fx.world.waitForBotMessage((m) => m.target.id === who && /会员/.test(m.text), 20_000);
    await fx.world.memberSays(who, '积分', { roomId: room.id, mentionIds: [fx.world.botId] });
    const priv = await fx.world.waitForBotMessage((m) => m.target.kind === 'contact' && m.target.id === who && /您的积分：/.test(m.text), 20_000);
    const ack = await fx.world.waitForBotMessage((m) => m.target.kind === 'room' && m.target.id === room.id && m.mentionIds.includes(who), 20_000);
    await settled();
    const toGroup = fx.world.sent.slice(before).filter((m) => m.target.kind === 'room' && m.target.id === room.id);
    expect(toGroup).toHaveLength(1);
    expect(ack.text.replace(/^@\S+\s/u, '')).toBe('已私信您');
    expect(toGroup[0]!.text).not.toMatch(/积分|邀请码|券码/);
    expect(priv.text).toMatch(/积分：\d+/);
  });

  it('200 fuzzed messages (control characters, bidi overrides, unpaired surrogates): no bot message carries one, no question is closed', async () => {
    const nasty = ['\uD800', '\uDFFF', '\u202E', '\u2066', '\u0007', '\u001B', '\u0000', '\u200F'];
    const words = ['兑换 Q', '积分', '生日 ', '入会 ', '请问这个有货吗', '我的券', '兑换 C00'];
    const talkers = fx.world.seed.rooms.flatMap((r) => r.memberIds.slice(0, 5).map((id) => ({ id, roomId: r.id })));
    const from = fx.world.sent.length;
    const ids: string[] = [];
    let x = 7;
    const pick = <T>(a: readonly T[]) => a[Math.floor(((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648) * a.length)]!;
    for (let i = 0; i < 200; i++) {
      const t = pick(talkers);
      const text = `${pick(words)}${pick(nasty)}${pick(nasty)}${i % 25 === 0 ? '长'.repeat(2000) : ''}`;
      ids.push(await fx.world.memberSays(t.id, text, i % 2 ? { roomId: t.roomId, mentionIds: [fx.world.botId] } : {}));
    }
    await expect.poll(() => fx.app.ingest.getStats().accepted, { timeout: 30_000 }).toBeGreaterThanOrEqual(200);
    await fx.app.ingest.idle();
    await settled();
    // The echoes of what was just sent have come back too (they arrive as the sends return).
    await expect.poll(() => fx.app.ingest.getStats().rejected.self, { timeout: 20_000 }).toBeGreaterThanOrEqual(fx.world.sent.length - from);
    const sent: BotMessage[] = fx.world.sent.slice(from);
    expect(sent.length).toBeGreaterThan(50);
    expect(sent.filter((m) => hasUnsafeChars(m.text)).map((m) => JSON.stringify(m.text))).toEqual([]);
    expect(sent.some((m) => m.text.includes('长'.repeat(21)))).toBe(false);
    const closed = fx.app.db
      .select()
      .from(slaQuestions)
      .all()
      .filter((q) => q.status !== 'open');
    expect(closed).toEqual([]);
  }, 90_000);
});
