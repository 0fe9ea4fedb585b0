import { describe, expect, it } from 'vitest';
import { zonedTime } from '../core/time.js';
import { openTestDb } from '../platform/db/client.js';
import { figuresBy, figuresOf, percentile, renderSlaReport, slaReport } from './sla.figures.js';
import type { QuestionRow } from './sla.repo.js';
import { slaQuestions, slaSurveys } from './sla.schema.js';
import { seedSlaStore } from './testing.js';

const SH = 'Asia/Shanghai';
const MIN = 60_000;
const T0 = zonedTime(2026, 11, 25, 10, 0, SH).getTime();

let n = 0;
function q(over: Partial<QuestionRow>): QuestionRow {
  const id = ++n;
  return {
    id,
    conversationId: 'g1@chatroom',
    roomId: 'g1@chatroom',
    conversationName: '湖滨店宝妈1群',
    memberId: `m${id}`,
    memberName: `会员${id}`,
    storeCode: 'HZ01',
    guideCode: 'G1',
    firstMessageId: `x${id}`,
    lastMessageId: `x${id}`,
    preview: '?',
    messageCount: 1,
    openedAt: T0,
    lastMessageAt: T0,
    targetDueAt: T0 + 5 * MIN,
    backlogAt: T0 + 48 * 60 * MIN,
    escalatedTier: -1,
    nextDueAt: null,
    unroutedAt: null,
    status: 'open',
    closedAt: null,
    closedBy: null,
    closedByMessageId: null,
    responseMs: null,
    responseBusinessMs: null,
    ...over,
  };
}
const answered = (minutes: number, over: Partial<QuestionRow> = {}) =>
  q({
    status: 'answered',
    closedAt: T0 + minutes * MIN,
    responseMs: minutes * MIN,
    responseBusinessMs: minutes * MIN,
    escalatedTier: minutes > 5 ? 0 : -1,
    ...over,
  });

describe('SLA figures', () => {
  it('takes nearest-rank percentiles', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(percentile([7], 0.9)).toBe(7);
    expect(percentile([], 0.5)).toBeNull();
  });

  it('computes first-response rate and time, target, timeouts, backlog and satisfaction', () => {
    const rows = [
      answered(1),
      answered(2),
      answered(3),
      answered(4),
      answered(10),
      q({ status: 'handled', closedAt: T0 + 60 * MIN }),
      q({}), // open, its target long passed at `now`
      q({ openedAt: T0 + 49 * 60 * MIN - 1, targetDueAt: T0 + 50 * 60 * MIN, backlogAt: T0 + 98 * 60 * MIN }), // open, still within target
    ];
    const ratings = new Map([
      [rows[0]!.id, 5],
      [rows[1]!.id, 4],
      [rows[2]!.id, 2],
    ]);
    const f = figuresOf('total', 'total', rows, ratings, T0 + 49 * 60 * MIN);
    expect(f).toMatchObject({
      questions: 8,
      answered: 5,
      handled: 1,
      open: 2,
      firstResponseRate: 0.625,
      withinTarget: 4,
      withinTargetRate: 0.5,
      timeouts: 3, // answered after 10 min, handled after 60 min, open past target
      escalated: 1,
      backlog: 1,
      openBacklog: 1,
      backlogRate: 0.125,
      p50BusinessMinutes: 3,
      p90BusinessMinutes: 10,
      p50RawMinutes: 3,
      p90RawMinutes: 10,
      ratings: 3,
      satisfied: 2,
      satisfactionRate: 0.6667,
      averageRating: 3.67,
    });
  });

  it('groups by day in order, and by group, store and guide, largest first', () => {
    const day2 = zonedTime(2026, 11, 26, 23, 30, SH).getTime();
    const rows = [answered(1), answered(2, { openedAt: day2, roomId: null, conversationId: 'm9', guideCode: 'G2' }), answered(3, { roomId: 'g2@chatroom', guideCode: 'G2' })];
    const names = {
      staff: new Map([
        ['G1', '王晓燕'],
        ['G2', '李静'],
      ]),
      groups: new Map([['g2@chatroom', '湖滨店宝妈2群']]),
    };
    expect(figuresBy('day', rows, new Map(), T0, SH, names).map((f) => [f.key, f.questions])).toEqual([
      ['2026-11-25', 2],
      ['2026-11-26', 1],
    ]);
    expect(figuresBy('guide', rows, new Map(), T0, SH, names).map((f) => [f.label, f.questions])).toEqual([
      ['李静', 2],
      ['王晓燕', 1],
    ]);
    expect(figuresBy('group', rows, new Map(), T0, SH, names).map((f) => f.label)).toEqual(['湖滨店宝妈1群', '湖滨店宝妈2群', '私聊']);
  });

  it('reports the questions opened on the given local days from the store, ready for the console', () => {
    const db = openTestDb();
    seedSlaStore(db);
    const a = answered(2);
    const b = q({ openedAt: zonedTime(2026, 11, 24, 23, 59, SH).getTime() }); // the day before: left out
    const { id: _a, ...ra } = a;
    const { id: _b, ...rb } = b;
    const [ia] = db.insert(slaQuestions).values([ra, rb]).returning({ id: slaQuestions.id }).all();
    db.insert(slaSurveys).values({ questionId: ia!.id, memberId: a.memberId, askedAt: T0, sendAt: T0, rating: 5, answeredAt: T0 }).run();
    const report = slaReport(db, { from: '2026-11-25', to: '2026-11-25', timezone: SH, now: T0 + 60 * MIN });
    expect(report.total).toMatchObject({ questions: 1, answered: 1, p50BusinessMinutes: 2, satisfactionRate: 1 });
    expect(report.by.guide[0]).toMatchObject({ key: 'G1', label: '王晓燕' });
    const text = renderSlaReport(report);
    expect(text).toContain('SLA 2026-11-25 to 2026-11-25 (Asia/Shanghai)');
    expect(text).toMatch(/by group\n.*questions.*\n湖滨店宝妈1群\s+1\s+1\s+100\.0%/u);
  });
});
