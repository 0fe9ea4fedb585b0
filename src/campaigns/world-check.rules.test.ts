import { describe, expect, it } from 'vitest';
import { parseWindow, type DailyWindow } from '../core/time.js';
import type { GroupFacts } from './audience.rules.js';
import { checkCampaign, type CampaignDef } from './campaign.file.js';
import { checkWorld, nearest } from './world-check.rules.js';

const TZ = 'Asia/Shanghai';
const QUIET = parseWindow('21:30-08:30') as DailyWindow;
/** Wednesday 2026-11-25 12:00 in Shanghai. */
const NOW = new Date('2026-11-25T04:00:00Z');
const GROUPS: GroupFacts[] = [
  { roomId: 'hz01-a@chatroom', name: '湖滨A群', storeCode: 'HZ01', tags: ['vip'] },
  { roomId: 'hz01-b@chatroom', name: '湖滨B群', storeCode: 'HZ01', tags: [] },
  { roomId: 'sh01-a@chatroom', name: '南京路A群', storeCode: 'SH01', tags: ['new'] },
];

function def(over: Record<string, unknown>): CampaignDef {
  const r = checkCampaign({
    id: 'xx',
    name: 'x',
    audience: { groups: { list: ['hz01-a@chatroom'] } },
    content: [{ kind: 'text', text: 'hi' }],
    schedule: { at: '2026-11-26 10:00' },
    ...over,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.def;
}
const check = (d: CampaignDef, groups = GROUPS) => checkWorld(d, { groups, now: NOW, timezone: TZ, quietHours: QUIET });

describe('checking a campaign against the known groups, the clock and quiet hours', () => {
  it('refuses a group that does not exist, suggesting the nearest and listing what exists', () => {
    const r = check(def({ audience: { groups: { list: ['hz01-a@chatroom', 'hz01-c@chatroom'] } } }));
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ path: 'audience.groups.list[1]', message: expect.stringContaining('unknown group "hz01-c@chatroom"; did you mean "hz01-') });
    expect(r.problems[0]!.allowed).toContain('sh01-a@chatroom (南京路A群)');
  });

  it('finds a group written by its name and suggests its id', () => {
    const r = check(def({ audience: { groups: { list: ['湖滨B群'] } } }));
    expect(r.problems[0]!.message).toContain('did you mean "hz01-b@chatroom" (湖滨B群)?');
  });

  it('refuses a store or a tag no known group has', () => {
    const r = check(def({ audience: { groups: { stores: ['HZ02'], tags: ['vipp'] } } }));
    expect(r.problems.map((p) => p.path)).toEqual(['audience.groups.stores[0]', 'audience.groups.tags[0]']);
    expect(r.problems[0]!.message).toContain('did you mean "HZ01"?');
    expect(r.problems[1]!.message).toContain('did you mean "vip"?');
  });

  it('only warns about groups while no group is known at all', () => {
    const r = check(def({ audience: { groups: { stores: ['HZ01'] } } }), []);
    expect(r.problems).toEqual([]);
    expect(r.warnings[0]!.message).toContain('no group is known yet');
  });

  it('refuses a one-off time in the past and an end in the past', () => {
    const r = check(def({ schedule: { at: '2026-11-19 10:00' } }));
    expect(r.problems).toEqual([
      { path: 'schedule.at', message: '"2026-11-19 10:00" is in the past (now 2026-11-25 12:00 Asia/Shanghai); give a later time, or run it now instead' },
    ]);
    expect(check(def({ schedule: { cron: '0 10 * * 5' }, endsAt: '2026-11-01 00:00' })).problems[0]!.path).toBe('endsAt');
  });

  it('warns when a one-off slot is in quiet hours and says when the messages go', () => {
    const r = check(def({ schedule: { at: '2026-11-26 22:00' } }));
    expect(r.problems).toEqual([]);
    expect(r.warnings).toEqual([
      {
        path: 'schedule.at',
        message: 'the slot falls in quiet hours (21:30–08:30 Asia/Shanghai); those messages are held and go when quiet hours end: 2026-11-26 22:00 → 2026-11-27 08:30',
      },
    ]);
  });

  it('warns when the spread runs into quiet hours, and for a recurring slot', () => {
    expect(check(def({ schedule: { at: '2026-11-26 21:00' }, spreadMinutes: 60 })).warnings[0]!.message).toContain('the spread reaches quiet hours');
    const weekly = check(def({ schedule: { cron: '0 7 * * 5' } }));
    expect(weekly.warnings[0]!.message).toMatch(/^every slot falls in quiet hours .*2026-11-27 07:00 → 2026-11-27 08:30/);
    expect(check(def({ schedule: { cron: '0 10 * * 5' } })).warnings).toEqual([]);
  });

  it('nearest: close spellings only', () => {
    expect(nearest('HZ1', ['HZ01', 'SH01'])).toBe('HZ01');
    expect(nearest('北京', ['HZ01', 'SH01'])).toBeUndefined();
  });
});
