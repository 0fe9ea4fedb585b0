import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseWindow, type DailyWindow } from '../core/time.js';
import { closeDb, openTestDb, type Db } from '../platform/db/client.js';
import { memberCard, searchMembers } from '../console/member-card.js';
import { previewCampaign } from './preview.js';
import { seedGroups } from './testing.js';
import { ReachRepo } from '../accounts/reach.repo.js';
import type { AccountSpec } from '../accounts/types.js';
import { AccountRouting, unreachableAmong } from '../outbox/routing.js';

const TZ = 'Asia/Shanghai';
/** Wednesday 2026-11-25 12:00 in Shanghai. */
const NOW = new Date('2026-11-25T04:00:00Z');
const opts = { now: NOW, timezone: TZ, quietHours: parseWindow('21:30-08:30') as DailyWindow, marketingCapPerDay: 1 };
let db: Db;

beforeEach(() => {
  db = openTestDb();
  seedGroups(db, 3, NOW.getTime()); // g00–g02@chatroom of HZ01; members 会员0 (wx-m0), 会员1 (wx-m1), 会员2 (no contact)
});
afterEach(() => closeDb(db));

const memberCampaign = {
  name: '积分提醒',
  audience: { members: { stores: ['HZ01'] } },
  content: [{ kind: 'text', text: '{name}，您有 {points} 积分' }],
  schedule: { at: '2026-11-26 10:00' },
};

describe('previewing a campaign in the builder', () => {
  it('counts members who would get it and why the others would not: opted out, capped today, no WeChat contact', () => {
    db.$client.prepare("insert into opt_outs (contact_id, at, source) values ('wx-m1', 0, 'chat')").run();
    const r = previewCampaign(db, memberCampaign, opts);
    expect(r.problems).toEqual([]);
    expect(r.audience).toMatchObject({ kind: 'members', count: 3, reachable: 1, optedOut: 1, capped: 0, unreachable: 1 });
    expect(r.audience!.sample.map((s) => [s.name, s.state])).toEqual([
      ['会员0', 'ok'],
      ['会员1', 'opted-out'],
      ['会员2', 'unreachable'],
    ]);
    // the bubble is filled for the first member who would get it
    expect(r.messages).toEqual([{ kind: 'text', text: '会员0，您有 100 积分' }]);
    expect(r.nextSlots).toEqual(['2026-11-26 10:00']);
  });

  it("counts a member already sent a marketing message on the slot's day as capped", () => {
    const slotDay = Date.parse('2026-11-26T01:00:00Z');
    db.$client
      .prepare(
        `insert into outbox (key, account, target_kind, target_id, content, purpose, priority, status, created_at, updated_at, sent_at)
      values ('care:x', 'main', 'contact', 'wx-m0', '{}', 'care', 4, 'sent', ?, ?, ?)`,
      )
      .run(slotDay, slotDay, slotDay);
    expect(previewCampaign(db, memberCampaign, opts).audience).toMatchObject({ reachable: 1, capped: 1, unreachable: 1 });
  });

  it('with several accounts, counts as unreachable whom no enabled account reaches (as the outbox would route)', () => {
    const budget = { ratePerMinute: 20, capPerHour: 0, capPerDay: 0, gapMinMs: 0, gapMaxMs: 0 };
    const specs: AccountSpec[] = ['hz01', 'hz02'].map((id) => ({ id, name: id, role: 'store', stores: ['HZ01'], budget, enabled: true, onDown: {} as AccountSpec['onDown'] }));
    const reach = new ReachRepo(db);
    const routing = new AccountRouting(db, { view: { list: () => specs, get: (id) => specs.find((x) => x.id === id), state: () => 'online' }, reach }, () => NOW.getTime());
    reach.add('hz01', 'contact', ['wx-m0'], 0);
    reach.add('hz02', 'room', ['g01@chatroom'], 0);
    db.$client.prepare("insert into rooms (id, topic, first_seen_at, last_seen_at) values ('g00@chatroom', '群0', 0, 0)").run();
    const o = { ...opts, unreachable: (t: Parameters<typeof unreachableAmong>[1]) => unreachableAmong(routing, t) };
    expect(previewCampaign(db, memberCampaign, o).audience).toMatchObject({ count: 3, reachable: 1, unreachable: 2 });
    const groups = previewCampaign(db, { ...memberCampaign, audience: { groups: { stores: ['HZ01'] } }, content: [{ kind: 'text', text: '{name} 周末好' }] }, o);
    expect(groups.audience!.sample.map((x) => [x.id, x.state])).toEqual([
      ['g00@chatroom', 'unreachable'],
      ['g01@chatroom', 'ok'],
      ['g02@chatroom', 'unreachable'],
    ]);
  });

  it('counts groups the bot is not in as unreachable, and refuses an unknown group with the same validator', () => {
    db.$client.prepare("insert into rooms (id, topic, first_seen_at, last_seen_at) values ('g00@chatroom', '群0', 0, 0)").run();
    const r = previewCampaign(db, { ...memberCampaign, audience: { groups: { stores: ['HZ01'] } }, content: [{ kind: 'text', text: '{name} 周末好' }] }, opts);
    expect(r.audience).toMatchObject({ kind: 'groups', count: 3, reachable: 1, unreachable: 2 });
    expect(r.messages).toEqual([{ kind: 'text', text: '群0 周末好' }]);
    const bad = previewCampaign(
      db,
      { ...memberCampaign, content: [{ kind: 'text', text: '周末好' }], audience: { groups: { list: ['g09@chatroom'] } }, schedule: { at: '2026-11-20 10:00' } },
      opts,
    );
    expect(bad.ok).toBe(false);
    expect(bad.problems.map((p) => p.path)).toEqual(['audience.groups.list[0]', 'schedule.at']);
    expect(previewCampaign(db, { name: '' }, opts).problems.map((p) => p.path)).toContain('name');
  });
});

describe('finding a member', () => {
  it('by phone, its last four digits, contact id or name; phones masked', () => {
    db.$client.prepare("update members set phone = '13812345678' where contact_id = 'wx-m1'").run();
    const tier = (code: string) => (code === 'regular' ? '普卡' : code);
    for (const q of ['13812345678', '5678', 'wx-m1', '会员1']) {
      expect(
        searchMembers(db, q, tier).map((m) => [m.name, m.phone, m.tierName]),
        q,
      ).toEqual([['会员1', '138****5678', '普卡']]);
    }
    expect(searchMembers(db, '会员', tier)).toHaveLength(3);
    // a second WeChat contact linked to the member (a merge, a binding) finds her too, and her card lists it
    const id = searchMembers(db, 'wx-m1', tier)[0]!.id;
    db.$client.prepare("insert into member_links (contact_id, member_id, source, linked_at) values ('wx-m1-work', ?, 'merge', 0)").run(id);
    expect(searchMembers(db, 'wx-m1-work', tier).map((m) => m.id)).toEqual([id]);
    expect(memberCard(db, id, tier)).toMatchObject({ tierName: '普卡', phone: '138****5678', links: [{ contactId: 'wx-m1-work', source: 'merge' }] });
    expect(memberCard(db, 9999, tier)).toBeNull();
    expect(searchMembers(db, '   ', tier)).toEqual([]);
  });
});
