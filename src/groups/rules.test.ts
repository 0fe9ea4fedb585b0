import { describe, expect, it } from 'vitest';
import { SOP_DIR } from '../capabilities.js';
import { ManualClock } from '../core/clock.js';
import { zonedTime } from '../core/time.js';
import { daysBetween, interaction, membersAt, monthsBetween, retention, weeksBetween, type Spell } from './figures.rules.js';
import { batchReady, leaveHow, membershipDiff } from './membership.rules.js';
import { loadGroupsPlaybook, parseGroupsPlaybook } from './playbook.js';
import { spamVerdict } from './spam.rules.js';

const TZ = 'Asia/Shanghai';
const HINTS = ['二维码', 'qrcode', 'qr', '扫码', '扫一扫'];
const at = (d: number, h = 10, month = 11) => zonedTime(2026, month, d, h, 0, TZ).getTime();

describe('spamVerdict', () => {
  it('flags link cards, mini-program cards, URLs in text and images named like QR codes', () => {
    expect(spamVerdict({ type: 'url', text: '领券', card: { url: 'https://a.cn/x', title: '领券' } }, HINTS)).toEqual({ kind: 'link-card', detail: '领券 https://a.cn/x' });
    expect(spamVerdict({ type: 'url', text: '[url]' }, HINTS)).toEqual({ kind: 'link-card', detail: '[url]' });
    expect(spamVerdict({ type: 'mini-program', text: '拼团', card: { appid: 'wx1', pagePath: 'p/i' } }, HINTS)).toEqual({ kind: 'mini-program', detail: '拼团 wx1 p/i' });
    expect(spamVerdict({ type: 'image', text: '进群二维码.png' }, HINTS)).toEqual({ kind: 'qr-code', detail: '进群二维码.png' });
    expect(spamVerdict({ type: 'image', text: 'QRCode_2.JPG' }, HINTS)?.kind).toBe('qr-code');
    for (const text of ['点这里 https://x.example.com/a?b=1', '加群 www.abc123.net', '详情见 t.cn/AbCd', '复制 shop.vip。cn']) {
      expect(spamVerdict({ type: 'text', text }, HINTS)?.kind, text).toBe('link');
    }
    expect(spamVerdict({ type: 'text', text: '优惠 https://x.cn/a，快来' }, HINTS)).toEqual({ kind: 'link', detail: 'https://x.cn/a' });
  });

  it('leaves plain chatter, prices, plain images and other types alone', () => {
    for (const text of ['今天几点开门？', '3.5折还有吗', '版本1.2.3', '邮箱是 a.b', '好的。谢谢', 'ok.']) {
      expect(spamVerdict({ type: 'text', text }, HINTS), text).toBeNull();
    }
    expect(spamVerdict({ type: 'image', text: 'IMG_2031.jpg' }, HINTS)).toBeNull();
    expect(spamVerdict({ type: 'image', text: '[image]' }, HINTS)).toBeNull();
    for (const type of ['file', 'voice', 'video', 'contact-card', 'emoticon'] as const) expect(spamVerdict({ type, text: 'https://x.cn' }, HINTS)).toBeNull();
  });
});

describe('membership rules', () => {
  it('a check records the unknown present as seen and ends the gone, letting events that raced the read win', () => {
    const open = [
      { id: 1, contactId: 'a', joinedAt: 0 },
      { id: 2, contactId: 'b', joinedAt: 0 },
      { id: 3, contactId: 'late', joinedAt: 100 },
    ];
    expect(
      membershipDiff(
        ['a', 'c', 'just-left'],
        open,
        [
          { contactId: 'just-left', leftAt: 100 },
          { contactId: 'old', leftAt: 5 },
        ],
        100,
      ),
    ).toEqual({ seen: ['c'], gone: [2] });
    expect(membershipDiff([], [], [], 0)).toEqual({ seen: [], gone: [] });
  });

  it('tells leaving from being removed, and when a batch goes', () => {
    expect(leaveHow('a', 'a')).toBe('left');
    expect(leaveHow('a', null)).toBe('left');
    expect(leaveHow('a', 'owner')).toBe('removed');
    const clock = new ManualClock('2026-11-20T02:00:00Z');
    const due = clock.now().getTime() + 600_000;
    expect(batchReady({ size: 2, dueAt: due }, clock.now().getTime(), { batchSize: 5 })).toBe(false);
    expect(batchReady({ size: 5, dueAt: due }, clock.now().getTime(), { batchSize: 5 })).toBe(true);
    clock.advance(600_000);
    expect(batchReady({ size: 1, dueAt: due }, clock.now().getTime(), { batchSize: 5 })).toBe(true);
  });
});

describe('figures', () => {
  it('splits ranges into local months, Monday weeks and days', () => {
    expect(monthsBetween('2026-11-15', '2027-01-02', TZ).map((m) => m.label)).toEqual(['2026-11', '2026-12', '2027-01']);
    expect(monthsBetween('2026-11-15', '2026-11-20', TZ)[0]).toEqual({ label: '2026-11', start: at(1, 0), end: at(1, 0, 12) });
    const weeks = weeksBetween('2026-11-18', '2026-12-01', TZ); // Wed 18 Nov → Tue 1 Dec
    expect(weeks.map((w) => w.label)).toEqual(['2026-11-16', '2026-11-23', '2026-11-30']);
    expect(weeks[0]).toMatchObject({ start: at(16, 0), end: at(23, 0) });
    expect(daysBetween('2026-11-29', '2026-12-01', TZ).map((d) => d.label)).toEqual(['2026-11-29', '2026-11-30', '2026-12-01']);
    expect(daysBetween('2026-11-29', '2026-11-28', TZ)).toEqual([]);
  });

  it("retention counts each month's joiners still in at its end (or now), once per contact, not members seen at start", () => {
    const spells: Spell[] = [
      { contactId: 'a', joinedAt: at(3), how: 'join', leftAt: null },
      { contactId: 'b', joinedAt: at(4), how: 'join', leftAt: at(10) },
      { contactId: 'c', joinedAt: at(5), how: 'join', leftAt: at(6) },
      { contactId: 'c', joinedAt: at(7), how: 'join', leftAt: null }, // came back: counted once, retained
      { contactId: 'd', joinedAt: at(28), how: 'join', leftAt: at(3, 10, 12) }, // left after the month ended
      { contactId: 's', joinedAt: at(1), how: 'seen-at-start', leftAt: at(2) },
    ];
    const [nov] = monthsBetween('2026-11-01', '2026-11-30', TZ);
    expect(retention(spells, nov!, at(20, 10, 12))).toEqual({ month: '2026-11', joined: 4, retained: 3, rate: 0.75, left: 3 });
    // Measured mid-month: d has not joined yet.
    expect(retention(spells, nov!, at(15))).toEqual({ month: '2026-11', joined: 4, retained: 2, rate: 0.5, left: 3 });
    const [dec] = monthsBetween('2026-12-01', '2026-12-31', TZ);
    expect(retention(spells, dec!, at(20, 10, 12))).toEqual({ month: '2026-12', joined: 0, retained: 0, rate: null, left: 1 });
  });

  it('interaction is distinct posters over members in the group at any time of the week; members at an instant', () => {
    const spells: Spell[] = [
      { contactId: 'a', joinedAt: at(1), how: 'seen-at-start', leftAt: null },
      { contactId: 'b', joinedAt: at(1), how: 'seen-at-start', leftAt: at(17) }, // left during the week: still a member of it
      { contactId: 'c', joinedAt: at(1), how: 'seen-at-start', leftAt: at(15) }, // left before the week
      { contactId: 'd', joinedAt: at(22), how: 'join', leftAt: null }, // joined on the Sunday
      { contactId: 'e', joinedAt: at(24), how: 'join', leftAt: null }, // after the week
    ];
    const [week] = weeksBetween('2026-11-16', '2026-11-22', TZ);
    expect(interaction(spells, ['a', 'x'], week!)).toEqual({ week: '2026-11-16', members: 4, posters: 2, rate: 0.5 });
    expect(interaction([], [], week!)).toEqual({ week: '2026-11-16', members: 0, posters: 0, rate: null });
    expect(membersAt(spells, at(25))).toBe(3);
  });
});

describe('groups playbook', () => {
  it('loads the shipped sop/groups.yaml', () => {
    const p = loadGroupsPlaybook(`${SOP_DIR}/groups.yaml`);
    expect(p.welcome).toMatchObject({ batchSize: 5, within: 600_000, notAgainWithin: 30 * 86_400_000 });
    expect(p.targets.retention).toEqual({ min: 0.85, max: 0.9 });
    expect(p.membership.checkAt).toBe('04:30');
  });

  it('refuses a bad file with the file, the path and what is allowed', () => {
    const base = 'welcome: { batchSize: 3, within: 5m, text: "hi" }\nspam: { alert: "x" }\n';
    expect(() => parseGroupsPlaybook(base.replace('batchSize: 3', 'batchSize: 0'), 'g.yaml')).toThrow('g.yaml: welcome.batchSize: expected a whole number ≥ 1, found 0');
    expect(() => parseGroupsPlaybook(base.replace('within: 5m', 'within: soon'), 'g.yaml')).toThrow(
      'g.yaml: welcome.within: expected a duration like 10m, 30s, 1h or 30d (a bare number is minutes), found "soon"',
    );
    expect(() => parseGroupsPlaybook(base.replace('"hi"', '"hi {nick}"'), 'g.yaml')).toThrow(
      'g.yaml: welcome.text: unknown variable {nick}; allowed: {names}, {count}, {group}, {store}, {guide}',
    );
    expect(() => parseGroupsPlaybook('welcome: { batchSize: 3, within: 5m, text: "hi" }\nspam: { alert: "x", digest: "{count} {who}" }', 'g.yaml')).toThrow(
      'g.yaml: spam.digest: unknown variable {who}; allowed: {count}, {lines}',
    );
    expect(() => parseGroupsPlaybook('welcome: { batchSize: 3, within: 5m, text: "hi" }\nspam: { alert: "x", afterHours: later }', 'g.yaml')).toThrow(
      /g\.yaml: spam\.afterHours: .*digest.*alert/,
    );
    expect(() => parseGroupsPlaybook(`${base}welcom: {}`, 'g.yaml')).toThrow('g.yaml: (top level): unknown key "welcom"; allowed: membership, welcome, spam, targets');
    expect(() => parseGroupsPlaybook(`${base}targets: { retention: { min: 0.95, max: 0.9 } }`, 'g.yaml')).toThrow(
      'g.yaml: targets.retention: min (0.95) is above max (0.9); expected min ≤ max',
    );
    expect(() => parseGroupsPlaybook(`${base}membership: { checkAt: "4:30" }`, 'g.yaml')).toThrow('g.yaml: membership.checkAt: expected a local time like 04:30, found "4:30"');
  });
});
