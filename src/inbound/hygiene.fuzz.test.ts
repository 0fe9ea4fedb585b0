import { describe, expect, it } from 'vitest';
import { useTestRedis } from '../../test/support/redis-fixture.js';
import { loadConfig } from '../config.js';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import type { InboundMessage, OutboundContent } from '../core/messages.js';
import { hasUnsafeChars } from '../core/sanitize.js';
import { zonedTime } from '../core/time.js';
import { membersCapability } from '../members/members.capability.js';
import { PlaybookHolder } from '../members/playbook.js';
import { shippedPlaybook } from '../members/testing.js';
import type { EnqueueRequest, EnqueueResult, Outbox } from '../outbox/outbox.js';
import { OutboxRepo } from '../outbox/outbox.repo.js';
import { openTestDb } from '../platform/db/client.js';
import { Queues } from '../platform/queue/queues.js';
import { redisOptionsFromUrl } from '../platform/redis/url.js';
import { ScheduleRepo } from '../schedules/schedule.repo.js';
import { Scheduler } from '../schedules/scheduler.js';
import { installSla } from '../sla/sla.capability.js';
import { SlaPlaybookHolder } from '../sla/sla.playbook.js';
import { slaQuestions } from '../sla/sla.schema.js';
import { seedSlaStore, testPlaybook } from '../sla/testing.js';
import { InboundRepo } from './inbound.repo.js';
import { Ingest } from './ingest.js';
import { automaticSendMatcher } from './own-sends.js';
import { Router } from './router.js';
import { peopleOf } from '../core/directory.js';

/**
 * 10,000 fuzzed member messages (control characters, bidi overrides, unpaired surrogates, very long
 * text) through the one way in, the members commands and the SLA tracker; every reply the bot queues
 * comes back as its echo the way a provider hands it back (unpaired surrogates dropped, `@name` put in
 * front in groups, line breaks as \r\n). The outbox is a stand-in that records rows the way the sender
 * leaves them (claimed, sent), so the echo guard sees what it sees in production.
 */

const SH = 'Asia/Shanghai';
const BOT = 'bot-self';
const redis = useTestRedis();

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY = [
  '\uD800',
  '\uDBFF',
  '\uDC00',
  '\uDFFF',
  '\u202E',
  '\u202D',
  '\u2066',
  '\u2069',
  '\u200F',
  '\u0000',
  '\u0007',
  '\u001B[31m',
  '\u0085',
  '\u009B',
  '\t',
  '\r',
  '\uFFFE',
  '\uFEFF',
];
const BASES = ['兑换 Q', '兑换 ', '兑换 C00', '积分', '我的券', '邀请', '生日 ', '入会 ', '请问有货吗', '帮助', '退订', '订阅', '兑换礼品 ', ''];

function fuzzText(r: () => number): string {
  let s = BASES[Math.floor(r() * BASES.length)]!;
  const parts = 1 + Math.floor(r() * 4);
  for (let i = 0; i < parts; i++) {
    s += r() < 0.6 ? NASTY[Math.floor(r() * NASTY.length)]! : String.fromCharCode(0x4e00 + Math.floor(r() * 500));
  }
  if (r() < 0.02) s += '长'.repeat(3000 + Math.floor(r() * 3000)) + '\uD83D';
  return s;
}

/** What the provider does to a text the bot sent: unpaired surrogates dropped, \n → \r\n. */
const providerText = (t: string) => t.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '').replace(/\n/g, '\r\n');

describe('input hygiene under 10,000 fuzzed messages', () => {
  it('no reply carries a control character, a bidi control or an unpaired surrogate, quotes are short, and no echo closes a question', async () => {
    const clock = new ManualClock(zonedTime(2026, 11, 25, 12, 0, SH));
    const db = openTestDb();
    seedSlaStore(db);
    const logger = silentLogger();
    const router = new Router(logger, peopleOf(db));
    const ingest = new Ingest(new InboundRepo(db), router, clock, logger, { maxAgeMs: 0, isAutomaticSend: automaticSendMatcher(db) });
    const queues = new Queues({ ...redisOptionsFromUrl(redis.url) }, `fuzz${Date.now()}`);
    const repo = new OutboxRepo(db);
    const sent: { req: EnqueueRequest; text: string }[] = [];
    const echoes: InboundMessage[] = [];
    let echoSeq = 0;
    const record = (req: EnqueueRequest): EnqueueResult => {
      const now = clock.now().getTime();
      const [row] = repo.insertMany([
        {
          key: req.key,
          account: 'main',
          targetKind: req.target.kind,
          targetId: req.target.id,
          content: JSON.stringify(req.content),
          purpose: req.purpose,
          priority: 1,
          createdAt: now,
          updatedAt: now,
        },
      ]);
      if (!row!.created) return { id: row!.id, created: false, status: row!.status };
      repo.claim(row!.id, now, 'fuzz');
      repo.finish(row!.id, 'sent', now);
      const c: OutboundContent = req.content;
      const text = c.kind === 'text' ? c.text : '';
      sent.push({ req, text });
      const room = req.target.kind === 'room' ? req.target.id : null;
      const mention = c.kind === 'text' && c.mentionIds?.length ? `@某某\u2005` : '';
      echoes.push({
        id: `echo-${++echoSeq}`,
        account: 'main',
        talkerId: BOT,
        talkerName: '小思',
        roomId: room,
        roomTopic: room ? '群' : null,
        listenerId: room ? null : req.target.id,
        type: 'text',
        text: providerText(mention + text),
        mentionSelf: false,
        mentionIds: [],
        self: true,
        providerAt: now,
      });
      return { id: row!.id, created: true, status: 'sent' };
    };
    const outbox = {
      enqueue: async (req: EnqueueRequest) => record(req),
      enqueueMany: async (reqs: EnqueueRequest[]) => reqs.map(record),
    } as unknown as Outbox;
    const scheduler = new Scheduler(new ScheduleRepo(db), queues, clock, logger, SH);
    const ctx = { config: loadConfig({ TIMEZONE: SH }), db, clock, logger, router, outbox, scheduler, queues, demo: null };
    const uninstallMembers = membersCapability(new PlaybookHolder(shippedPlaybook())).install(ctx);
    const sla = installSla(ctx, new SlaPlaybookHolder(testPlaybook()));
    await sla.reconciled;

    const r = rng(13);
    const contacts = Array.from({ length: 60 }, (_, i) => `fz${i}`);
    let n = 0;
    const say = (talkerId: string, text: string, room: string | null): InboundMessage => ({
      id: `fz-msg-${++n}`,
      account: 'main',
      talkerId,
      talkerName: `会员\u202E${talkerId}\uD800`,
      roomId: room,
      roomTopic: room ? '湖滨店宝妈1群' : null,
      listenerId: room ? null : BOT,
      type: 'text',
      text: room ? `@小思\u2005${text}` : text,
      mentionSelf: room !== null,
      mentionIds: room ? [BOT] : [],
      self: false,
      providerAt: clock.now().getTime(),
    });
    const inFlight: Promise<unknown>[] = [];
    const accept = (m: InboundMessage) => {
      inFlight.push(ingest.accept(m));
    };
    const settle = async () => {
      await Promise.all(inFlight.splice(0));
      await ingest.idle();
      await sla.inbox.idle();
    };
    const started = performance.now();
    // Everyone joins first (half of them then have points to redeem with).
    for (const c of contacts) accept(say(c, `入会${NASTY[Math.floor(r() * NASTY.length)]}`, null));
    for (let i = 0; i < 10_000; i++) {
      const who = contacts[Math.floor(r() * contacts.length)]!;
      const room = r() < 0.4 ? (r() < 0.5 ? 'g1@chatroom' : 'g2@chatroom') : null;
      accept(say(who, fuzzText(r), room));
      // Echoes of what was queued so far arrive mixed in with members' messages.
      if (i % 50 === 49) {
        await settle();
        for (const e of echoes.splice(0)) accept(e);
        clock.advance(1000);
      }
    }
    for (let round = 0; round < 3; round++) {
      await settle();
      for (const e of echoes.splice(0)) accept(e);
    }
    await settle();
    const seconds = (performance.now() - started) / 1000;

    expect(sent.length).toBeGreaterThan(3000);
    const unsafe = sent.filter((s) => hasUnsafeChars(s.text));
    expect(unsafe.map((s) => JSON.stringify(s.text))).toEqual([]);
    // A reply quotes at most a short prefix of what was sent: no reply comes near the 3,000+ characters typed.
    expect(Math.max(...sent.map((s) => s.text.length))).toBeLessThan(400);
    expect(sent.some((s) => s.text.includes('长'.repeat(21)))).toBe(false);
    // Every echo was recognised as the bot's own, so none reached the SLA as a person answering.
    expect(ingest.getStats().rejected.self).toBe(echoSeq);
    const questions = db.select().from(slaQuestions).all();
    expect(questions.length).toBeGreaterThan(100);
    expect(questions.filter((q) => q.status !== 'open')).toEqual([]);
    console.log(`fuzz: 10,000 messages + ${echoSeq} echoes, ${sent.length} replies, ${questions.length} questions in ${seconds.toFixed(1)} s`);

    await sla.uninstall();
    if (typeof uninstallMembers === 'function') await uninstallMembers();
    await scheduler.stop();
    await queues.close();
  }, 120_000);
});
