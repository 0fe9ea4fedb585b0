import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import { zonedTime } from '../core/time.js';
import type { EnqueueRequest } from '../outbox/outbox.js';
import { openTestDb } from '../platform/db/client.js';
import { coupons } from '../platform/db/schema.js';
import { CareRepo } from './care.repo.js';
import { runBirthdayCare, runEventCare, runFestivalCare, runMemberDayCare, type CareDeps } from './care.jobs.js';
import { birthdaysOn, festivalOn } from './care.rules.js';
import { creditOrder } from './ledger.js';
import { MembersRepo } from './members.repo.js';
import { insertMember, shippedPlaybook } from './testing.js';

const pb = shippedPlaybook();
const SH = 'Asia/Shanghai';

function setup() {
  const db = openTestDb();
  const repo = new MembersRepo(db);
  repo.syncRewards(pb.rewards, 0);
  const sent: EnqueueRequest[] = [];
  const deps: CareDeps = {
    repo,
    care: new CareRepo(db),
    timezone: SH,
    playbook: () => pb,
    logger: silentLogger(),
    outbox: {
      enqueueMany: async (reqs) => {
        sent.push(...reqs);
      },
    },
  };
  const text = (r: EnqueueRequest) => (r.content as { text: string }).text;
  return { db, repo, deps, sent, text };
}

describe('care calendar (chinese-days)', () => {
  it('finds festivals on their day: lunar ones on the lunar date, public holidays on their first day off', () => {
    const names = pb.care.festivals.names;
    const hits: string[] = [];
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 86_400_000) {
      const d = new Date(t).toISOString().slice(0, 10);
      const f = festivalOn(d, names);
      if (f) hits.push(`${d} ${f}`);
    }
    expect(hits).toEqual([
      '2026-01-01 元旦',
      '2026-02-17 春节',
      '2026-03-03 元宵节',
      '2026-05-01 劳动节',
      '2026-06-19 端午节',
      '2026-09-25 中秋节',
      '2026-10-01 国庆节',
      '2026-10-18 重阳节',
    ]);
  });

  it('celebrates 29 February on the 28th in common years, and lunar day 30 on day 29 of a short month', () => {
    expect(birthdaysOn('2027-02-28')).toContainEqual({ calendar: 'solar', month: 2, day: 29 });
    expect(birthdaysOn('2028-02-28')).not.toContainEqual({ calendar: 'solar', month: 2, day: 29 });
    expect(birthdaysOn('2026-06-22')).toContainEqual({ calendar: 'lunar', month: 5, day: 8 });
  });
});

describe('care routines', () => {
  it('sends birthday care with a gift on the local day, solar and lunar, once a year, whatever the machine TZ', async () => {
    const { db, deps, sent, text } = setup();
    const solar = insertMember(db, { name: '张丽娜', contactId: 'wx-1', birthdayKind: 'solar', birthMonth: 6, birthDay: 22 });
    const lunar = insertMember(db, { name: '刘芳', contactId: 'wx-2', birthdayKind: 'lunar', birthMonth: 5, birthDay: 8 }); // 2026: 五月初八 = 06-22
    insertMember(db, { name: '别人', contactId: 'wx-3', birthdayKind: 'solar', birthMonth: 6, birthDay: 21 });
    insertMember(db, { name: '退订', contactId: 'wx-4', birthdayKind: 'solar', birthMonth: 6, birthDay: 22, optedOutAt: 1 });
    // 09:00 on 22 June in Shanghai is 01:00 UTC: the UTC date is the same here, so also try 00:30 local (the previous UTC day).
    const slot = zonedTime(2026, 6, 22, 0, 30, SH);
    expect(await runBirthdayCare(deps, slot)).toBe(2);
    expect(sent.map((r) => [r.key, r.target.id, r.purpose])).toEqual([
      [`care:birthday:2026:${solar}`, 'wx-1', 'care'],
      [`care:birthday:2026:${lunar}`, 'wx-2', 'care'],
    ]);
    expect(text(sent[0]!)).toMatch(/^张丽娜，生日快乐！送您一份生日礼：生日20元券（券码 \w{12}），2026-07-22 前有效。$/);
    expect(sent[0]!.expiresAt).toBe(zonedTime(2026, 6, 23, 0, 0, SH).getTime());
    // Run again (a second process, a retry): same keys, no second gift.
    await runBirthdayCare(deps, slot);
    expect(new Set(sent.map((r) => r.key)).size).toBe(2);
    expect(
      db
        .select()
        .from(coupons)
        .all()
        .map((c) => c.ref),
    ).toEqual([`care:birthday:2026:${solar}`, `care:birthday:2026:${lunar}`]);
    sent.length = 0;
    expect(await runBirthdayCare(deps, zonedTime(2026, 6, 21, 23, 30, SH))).toBe(1); // the day before: only the 21st
    expect(sent[0]!.target.id).toBe('wx-3');
  });

  it('greets every reachable member on a festival and on member day (Friday), with dated keys', async () => {
    const { db, deps, sent, text } = setup();
    const a = insertMember(db, { name: '甲', contactId: 'wx-a' });
    insertMember(db, { name: '未关联' });
    insertMember(db, { name: '退订', contactId: 'wx-c', optedOutAt: 5 });
    expect(await runFestivalCare(deps, zonedTime(2026, 9, 24, 10, 0, SH))).toBe(0);
    expect(await runFestivalCare(deps, zonedTime(2026, 9, 25, 10, 0, SH))).toBe(1);
    expect([sent[0]!.key, text(sent[0]!)]).toEqual([`care:festival:2026-09-25:${a}`, '甲，中秋节快乐！会员专属好礼已上线，回复"兑换"看看。']);
    sent.length = 0;
    expect(await runMemberDayCare(deps, zonedTime(2026, 11, 26, 10, 0, SH))).toBe(0); // Thursday
    expect(await runMemberDayCare(deps, zonedTime(2026, 11, 27, 10, 0, SH))).toBe(1); // Friday
    expect(sent.map((r) => r.key)).toEqual([`care:member-day:2026-11-27:${a}`]);
  });

  it('sends first-purchase, repurchase and upgrade care from credited orders, once', async () => {
    const { db, deps, sent, text } = setup();
    const now = zonedTime(2026, 11, 25, 12, 0, SH).getTime();
    const id = insertMember(db, { name: '王女士', contactId: 'wx-w' });
    creditOrder(db, pb, { orderId: 'O1', memberId: id, amountFen: 20_000, orderedAt: now }, now);
    creditOrder(db, pb, { orderId: 'O2', memberId: id, amountFen: 300_000, orderedAt: now }, now);
    creditOrder(db, pb, { orderId: 'O3', memberId: id, amountFen: 10_000, orderedAt: now }, now);
    expect(await runEventCare(deps, now)).toBe(4);
    expect(sent.map((r) => [r.key, text(r)])).toEqual([
      ['care:first-purchase:O1', '王女士，感谢您的首次购买！本单获得 20 积分，当前积分 20。'],
      ['care:repurchase:O2', '王女士，感谢您第 2 次光临！本单获得 300 积分，当前积分 320。'],
      ['care:tier-upgrade:O2', '恭喜王女士升级为银卡！购物积分 1.2 倍，更多专属权益等您来享。'],
      ['care:repurchase:O3', '王女士，感谢您第 3 次光临！本单获得 12 积分，当前积分 332。'],
    ]);
    expect(await runEventCare(deps, now)).toBe(0);
    expect(deps.care.pendingCount()).toBe(0);
  });
});
