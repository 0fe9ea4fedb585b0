import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { zonedTime } from '../core/time.js';
import { selectGroups, selectMembers, type GroupFacts, type MemberFacts } from './audience.rules.js';
import { parseCampaign } from './campaign.file.js';
import { capDecision, daysInMonth, groupCaps } from './caps.rules.js';
import { campaignKey, compileContent, renderContent } from './content.rules.js';
import { canDo } from './lifecycle.rules.js';
import { dueSlot, nextSlot, occurrenceId, seededRandom, spread } from './schedule.rules.js';

const SH = 'Asia/Shanghai';
const DAY = 86_400_000;
const dir = mkdtempSync(path.join(tmpdir(), 'siyu-campaign-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'member-day.yaml');

const base = `name: 会员日
audience:
  groups:
    stores: [HZ01]
content:
  - kind: text
    text: "{name} 会员日"
schedule:
  cron: "0 10 * * 5"
`;

describe('campaign files', () => {
  it('loads a valid file with defaults and the file name as id', () => {
    const def = parseCampaign(base, file);
    expect(def).toMatchObject({ id: 'member-day', status: 'scheduled', spreadMinutes: 30, caps: {} });
  });

  it('refuses an unknown audience field with the file, the path and what is allowed', () => {
    expect(() => parseCampaign(base.replace('stores: [HZ01]', 'stores: [HZ01]\n    city: 杭州'), file)).toThrow(
      `${file}: audience.groups: unknown key "city"; allowed: stores, tags, list, exclude, excludeTags`,
    );
  });

  it('refuses a bad cron with the path and an example', () => {
    expect(() => parseCampaign(base.replace('0 10 * * 5', '0 25 * * 5'), file)).toThrow(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: schedule\\.cron: "0 25 \\* \\* 5" is not a valid cron.*expected 5 fields`),
    );
  });

  it('refuses a missing image path, naming where it looked', () => {
    const src = base.replace('  - kind: text', '  - kind: image\n    path: media/none.png\n  - kind: text');
    expect(() => parseCampaign(src, file)).toThrow(`${file}: content[0].path: image "media/none.png" not found`);
  });

  it('accepts an image that exists (made absolute) and refuses an unknown variable', () => {
    writeFileSync(path.join(dir, 'p.png'), 'x');
    const def = parseCampaign(base.replace('  - kind: text', '  - kind: image\n    path: p.png\n  - kind: text'), file);
    expect(def.content[0]).toEqual({ kind: 'image', path: path.join(dir, 'p.png') });
    expect(() => parseCampaign(base.replace('{name}', '{coupon}'), file)).toThrow('content[0].text: unknown variable {coupon}; allowed: {name}, {points}, {tier}, {store}');
  });

  it('refuses an empty audience and an unknown content kind', () => {
    expect(() => parseCampaign(base.replace('stores: [HZ01]', 'exclude: [x]'), file)).toThrow('audience.groups: expected at least one of stores, tags, list');
    expect(() => parseCampaign(base.replace('kind: text', 'kind: video'), file)).toThrow('content[0]');
  });
});

describe('audiences', () => {
  const groups: GroupFacts[] = [
    { roomId: 'b@chatroom', name: 'B', storeCode: 'HZ01', tags: ['mom'] },
    { roomId: 'a@chatroom', name: 'A', storeCode: 'HZ01', tags: [] },
    { roomId: 'v@chatroom', name: 'V', storeCode: 'HZ01', tags: ['vip'] },
    { roomId: 'x@chatroom', name: 'X', storeCode: 'SH01', tags: ['mom'] },
  ];
  it('selects groups by store, tag and list, minus exclusions, sorted', () => {
    expect(selectGroups({ stores: ['HZ01'], exclude: ['v@chatroom'] }, groups).map((t) => t.id)).toEqual(['a@chatroom', 'b@chatroom']);
    expect(selectGroups({ tags: ['mom'] }, groups).map((t) => t.id)).toEqual(['b@chatroom', 'x@chatroom']);
    expect(selectGroups({ stores: ['HZ01'], excludeTags: ['vip', 'mom'] }, groups).map((t) => t.id)).toEqual(['a@chatroom']);
    expect(selectGroups({ list: ['x@chatroom'] }, groups)[0]).toMatchObject({ kind: 'room', vars: { name: 'X', store: 'SH01' } });
  });

  it('selects members by tier, tag, store and last activity, keeping members without a contact for the record', () => {
    const now = Date.parse('2026-11-25T04:00:00Z');
    const m = (id: number, over: Partial<MemberFacts>): MemberFacts => ({
      memberId: id,
      contactId: `wx${id}`,
      name: `M${id}`,
      storeCode: 'HZ01',
      tier: 'regular',
      tags: [],
      points: 10,
      lastActiveAt: now - DAY,
      ...over,
    });
    const members = [m(1, {}), m(2, { tier: 'gold' }), m(3, { lastActiveAt: now - 40 * DAY }), m(4, { contactId: null }), m(5, { tags: ['staff'] })];
    expect(selectMembers({ tiers: ['regular'], activeWithinDays: 7, excludeTags: ['staff'] }, members, now).map((t) => t.id)).toEqual(['wx1', '']);
    expect(selectMembers({ stores: ['HZ01'], inactiveForDays: 30 }, members, now).map((t) => t.ref)).toEqual(['member:3']);
    expect(selectMembers({ stores: ['HZ01'], exclude: ['wx1'] }, members, now)).toHaveLength(4);
  });
});

describe('caps, schedule, spread and content', () => {
  it('caps default to 1/day and days-in-month per month', () => {
    const feb = zonedTime(2026, 2, 10, 10, 0, SH);
    expect(daysInMonth(feb, SH)).toBe(28);
    expect(groupCaps({ caps: {} }, feb, SH)).toEqual({ perDay: 1, perMonth: 28 });
    expect(capDecision({ day: 1, month: 1 }, { perDay: 1, perMonth: 28 })).toEqual({ ok: false, reason: 'group-cap 1/day reached' });
    expect(capDecision({ day: 0, month: 28 }, { perDay: 2, perMonth: 28 })).toEqual({ ok: false, reason: 'group-cap 28/month reached' });
    expect(capDecision({ day: 1, month: 5 }, { perDay: 2, perMonth: 28 })).toEqual({ ok: true });
  });

  it('finds the due slot in the configured timezone, within the lookback, before the end', () => {
    const def = { schedule: { cron: '0 10 * * 5' }, endsAt: undefined };
    const friday10 = zonedTime(2026, 11, 27, 10, 0, SH);
    expect(dueSlot(def, new Date(friday10.getTime() + 30_000), SH, 15 * 60_000)).toEqual(friday10);
    expect(dueSlot(def, new Date(friday10.getTime() + 20 * 60_000), SH, 15 * 60_000)).toBeNull();
    expect(dueSlot(def, new Date(friday10.getTime() - 1), SH, 15 * 60_000)).toBeNull();
    expect(dueSlot({ ...def, endsAt: '2026-11-27 09:00' }, friday10, SH, 60_000)).toBeNull();
    expect(occurrenceId(friday10, SH)).toBe('202611271000');
    expect(nextSlot(def, friday10, SH)).toEqual(zonedTime(2026, 12, 4, 10, 0, SH));
    expect(nextSlot({ schedule: { at: '2026-11-27 10:00' }, endsAt: undefined }, friday10, SH)).toBeNull();
  });

  it('spreads n sends over the window in a random but reproducible order', () => {
    const at = spread(4, 0, 40_000, seededRandom('x'));
    expect([...at].sort((a, b) => a - b)).toEqual([0, 10_000, 20_000, 30_000]);
    expect(spread(4, 0, 40_000, seededRandom('x'))).toEqual(at);
    expect(spread(0, 0, 1000, Math.random)).toEqual([]);
  });

  it('renders variables and keys', () => {
    expect(
      renderContent(
        [
          { kind: 'text', text: '{name} 有 {points} 分' },
          { kind: 'link', url: 'https://e.x', title: '{name}' },
        ],
        { name: '王', points: 12 },
      ),
    ).toEqual([
      { kind: 'text', text: '王 有 12 分' },
      { kind: 'link', url: 'https://e.x', title: '王' },
    ]);
    // The compiled form (templates split once, for planning many targets) renders the same.
    const content = [
      { kind: 'text' as const, text: '{name}，您有 {points} 积分{unknown}' },
      { kind: 'text' as const, text: '没有变量' },
      { kind: 'link' as const, url: 'https://e.x', title: '{name} 专享', description: '{store}' },
      { kind: 'image' as const, url: 'https://e.x/p.png' },
    ];
    const render = compileContent(content);
    for (const vars of [{ name: '王', points: 12, store: 'HZ01' }, { name: '李' }]) expect(render(vars)).toEqual(renderContent(content, vars));
    expect(render({ name: '王', points: 0 })[0]).toEqual({ kind: 'text', text: '王，您有 0 积分' });
    expect(compileContent([{ kind: 'text', text: '{name}' }])({ name: '' })).toEqual([{ kind: 'text', text: '' }]);
    expect(campaignKey('md', '202611271000', 'a@chatroom')).toBe('campaign:md:202611271000:a@chatroom');
    expect(campaignKey('md', '202611271000', 'a@chatroom', 1)).toBe('campaign:md:202611271000:a@chatroom:2');
  });

  it('refuses editing a running campaign with a clear reason', () => {
    expect(canDo('edit', 'running')).toMatchObject({ ok: false, reason: expect.stringContaining('editing a running campaign is refused') });
    expect(canDo('pause', 'running')).toEqual({ ok: true });
    expect(canDo('resume', 'running').ok).toBe(false);
    expect(canDo('cancel', 'done').ok).toBe(false);
  });
});
