import { eq, like } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { capabilities } from '../../src/capabilities.js';
import { silentLogger } from '../../src/core/logger.js';
import { loadGuidePlaybook } from '../../src/guide-sop/playbook.js';
import { loadMembershipPlaybook } from '../../src/members/playbook.js';
import { members, outbox, staff } from '../../src/platform/db/schema.js';
import type { World } from '../../src/platform/wechaty/world/server.js';
import { slaQuestions } from '../../src/sla/sla.schema.js';
import { loadWakeupPlaybook } from '../../src/wakeup/playbook.js';
import { wakeupEpisodes } from '../../src/wakeup/wakeup.schema.js';
import { testConfig } from '../support/app.js';
import { useTestApp } from '../support/test-app.js';

/**
 * Where the capabilities meet, through the simulated world with every shipped capability installed in
 * the shipped order (src/capabilities.ts), real Redis and a real SQLite file: one answer per message,
 * a wake-up reply is a conversation (acknowledged, handed over once, a question only when it is one).
 */

const GUIDE = 'guide-hz01-01';
const DAY = 86_400_000;
const guideHint = loadGuidePlaybook('sop/guide-daily.yaml').texts.hint;
const memberTexts = loadMembershipPlaybook('sop/membership.yaml').texts;
const wake = loadWakeupPlaybook('sop/wakeup.yaml');

const fx = useTestApp('siyu-agree-', (dir, redisUrl) => ({
  config: testConfig(`${dir}/data`, { REDIS_URL: redisUrl, QUEUE_PREFIX: 'agree', INBOUND_MAX_AGE_SECONDS: '0' }),
  logger: silentLogger(),
  capabilities,
}));

/** Resolves once the bot sent a matching message (already, or from now on). */
async function botSent(match: (m: World['sent'][number]) => boolean): Promise<void> {
  if (fx.world.sent.some(match)) return;
  await fx.world.waitForBotMessage(match, 30_000);
}

/** Outbox rows answering message `id` (any capability's key ends with the message id). */
const answersTo = (id: string) =>
  fx.app.db
    .select()
    .from(outbox)
    .where(like(outbox.key, `%${id}%`))
    .all();
const textOf = (r: { content: string }) => (JSON.parse(r.content) as { text: string }).text;

/**
 * `who` writes `text`; then `我的进度` (guide) or `帮助` (member), always answered by one handler.
 * Once that answer arrived, everything the first message caused is in the outbox.
 */
async function sayThenSettle(who: string, text: string, end: { say: string; from: (t: string) => boolean }): Promise<string> {
  const id = await fx.world.memberSays(who, text);
  const since = fx.world.sent.length;
  const endId = await fx.world.memberSays(who, end.say);
  await botSent((x) => x.target.id === who && fx.world.sent.indexOf(x) >= since && end.from(x.text));
  await expect.poll(() => answersTo(endId).length, { timeout: 10_000 }).toBeGreaterThan(0);
  return id;
}

describe('one answer per message', () => {
  for (const text of ['待处理', '已处理 #1']) {
    it(`a guide writing ${text} gets the SLA's answer only, no 3+3+3 hint`, async () => {
      const id = await sayThenSettle(GUIDE, text, { say: '我的进度', from: (t) => t !== guideHint && !t.includes('待处理') && !t.includes('#1') });
      await expect.poll(() => answersTo(id).length, { timeout: 10_000 }).toBe(1);
      const rows = answersTo(id);
      expect(rows[0]!.key).toBe(`sla-reply:${id}`);
      expect(rows.map(textOf)).not.toContain(guideHint);
      expect(fx.world.sent.filter((m) => m.target.id === GUIDE && m.text === guideHint)).toEqual([]);
    }, 60_000);
  }

  it('text nobody claims gets one hint from one fallback: the guide hint for a guide, the member hint for a member', async () => {
    const g = await sayThenSettle(GUIDE, '今天天气不错', { say: '我的进度', from: (t) => t !== guideHint });
    expect(answersTo(g).map(textOf)).toEqual([guideHint]);
    const before = fx.app.db.select().from(outbox).where(eq(outbox.targetId, 'm020')).all().length;
    const m = await sayThenSettle('m020', '嗯嗯随便说说', { say: '帮助', from: (t) => t === memberTexts.help });
    expect(answersTo(m)).toEqual([]);
    // the member hint is keyed per person and day; the help answer (the sentinel) is the other row
    expect(fx.app.db.select().from(outbox).where(eq(outbox.targetId, 'm020')).all().slice(before).map(textOf).sort()).toEqual([memberTexts.helpHint, memberTexts.help].sort());
  }, 60_000);
});

describe('a wake-up reply is a conversation, not a command', () => {
  /** An active treatment episode at stage 1 for the member with this contact, owned by GUIDE. */
  function inWakeup(contactId: string): number {
    const member = fx.app.db.select().from(members).where(eq(members.contactId, contactId)).get()!;
    const guide = fx.app.db.select().from(staff).where(eq(staff.contactId, GUIDE)).get()!;
    const now = Date.now();
    return fx.app.db
      .insert(wakeupEpisodes)
      .values({
        memberId: member.id,
        anchorAt: now - 40 * DAY,
        startedAt: now - 10 * DAY,
        tier: member.tier,
        guideCode: guide.code,
        arm: 'treatment',
        holdoutSeed: 't',
        holdoutDraw: 0.9,
        holdoutShare: 0.1,
        stage: 1,
        lastStepAt: now - 10 * DAY,
        status: 'active',
      })
      .returning({ id: wakeupEpisodes.id })
      .get().id;
  }
  const ack = (name: string) => wake.texts.ack!.replace('{name}', name);
  const questionsOf = (contactId: string) => fx.app.db.select().from(slaQuestions).where(eq(slaQuestions.memberId, contactId)).all();
  const handovers = (episode: number) =>
    fx.app.db
      .select()
      .from(outbox)
      .where(eq(outbox.key, `wakeup:handover:${episode}`))
      .all();

  it('a plain reply: the member gets the acknowledgement (no help line), the guide one hand-over, no SLA question', async () => {
    const ep = inWakeup('m021');
    const name = fx.app.db.select().from(members).where(eq(members.contactId, 'm021')).get()!.name!;
    const since = fx.world.sent.length;
    const earlier = new Set(
      fx.app.db
        .select()
        .from(outbox)
        .where(eq(outbox.targetId, 'm021'))
        .all()
        .map((r) => r.key),
    );
    const id = await fx.world.memberSays('m021', '好的，最近比较忙');
    await botSent((x) => x.target.id === 'm021' && fx.world.sent.indexOf(x) >= since);
    await expect.poll(() => handovers(ep).map(textOf), { timeout: 10_000 }).toEqual([expect.stringContaining('“好的，最近比较忙”')]);
    // a command afterwards (answered by its owner): once answered, the first reply was handled before it
    const sentinel = await sayThenSettle('m021', '积分', { say: '帮助', from: (t) => t === memberTexts.help });
    // what reached the member since the reply: the acknowledgement, then the two command answers
    const newKeys = fx.app.db
      .select()
      .from(outbox)
      .where(eq(outbox.targetId, 'm021'))
      .orderBy(outbox.id)
      .all()
      .map((r) => r.key)
      .filter((k) => !earlier.has(k));
    expect(newKeys[0]).toBe(`wakeup:ack:${ep}`);
    expect(newKeys).toHaveLength(3);
    expect(newKeys.slice(1)).toContain(`reply:${sentinel}`);
    expect(newKeys.slice(1).every((k) => k.startsWith('reply:'))).toBe(true);
    expect(answersTo(id)).toEqual([]); // no help line, no other answer
    expect(
      textOf(
        fx.app.db
          .select()
          .from(outbox)
          .where(eq(outbox.key, `wakeup:ack:${ep}`))
          .get()!,
      ),
    ).toBe(ack(name));
    expect(
      fx.world.sent
        .slice(since)
        .filter((x) => x.target.id === 'm021')
        .map((x) => x.text),
    ).not.toContain(memberTexts.helpHint);
    // a question afterwards is tracked as usual: once it is open, the first reply was handled before it
    const next = await fx.world.memberSays('m021', '对了，那款外套还有吗？');
    await expect.poll(() => questionsOf('m021').length, { timeout: 10_000 }).toBe(1);
    expect(questionsOf('m021')[0]!.firstMessageId).toBe(next);
    expect(handovers(ep)).toHaveLength(1);
    expect(fx.app.db.select().from(wakeupEpisodes).where(eq(wakeupEpisodes.id, ep)).get()).toMatchObject({ status: 'stopped', endReason: 'message' });
    // one acknowledgement and one hand-over in all
    expect(
      fx.app.db
        .select()
        .from(outbox)
        .where(like(outbox.key, `wakeup:ack:${ep}%`))
        .all(),
    ).toHaveLength(1);
  }, 60_000);

  it('a reply that is a question: acknowledged, handed over once, and the SLA tracks it', async () => {
    const ep = inWakeup('m022');
    const id = await fx.world.memberSays('m022', '你们现在还有会员折扣吗？');
    await expect.poll(() => questionsOf('m022').map((q) => q.firstMessageId), { timeout: 10_000 }).toEqual([id]);
    await expect.poll(() => handovers(ep).length, { timeout: 10_000 }).toBe(1);
    expect(
      fx.app.db
        .select()
        .from(outbox)
        .where(eq(outbox.targetId, 'm022'))
        .all()
        .map((r) => r.key),
    ).toEqual([`wakeup:ack:${ep}`]);
    expect(answersTo(id)).toEqual([]); // no help line
  }, 60_000);

  it('a reply that is a command is answered by its owner (积分), still handed over; 退订 is an opt-out, not a reply', async () => {
    const ep = inWakeup('m023');
    const id = await sayThenSettle('m023', '积分', { say: '帮助', from: (t) => t === memberTexts.help });
    expect(answersTo(id).map((r) => r.key)).toEqual([`reply:${id}`]);
    expect(handovers(ep)).toHaveLength(1);
    const out = inWakeup('m024');
    const stop = await sayThenSettle('m024', '退订', { say: '帮助', from: (t) => t === memberTexts.help });
    expect(answersTo(stop).map((r) => r.key)).toEqual([`reply:${stop}`]);
    expect(handovers(out)).toEqual([]);
    expect(fx.app.db.select().from(wakeupEpisodes).where(eq(wakeupEpisodes.id, out)).get()).toMatchObject({ status: 'stopped', endReason: 'opt-out' });
    expect(questionsOf('m023')).toEqual([]);
  }, 60_000);
});
