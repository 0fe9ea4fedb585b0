import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { downAlertText, downPlan, downRecipients } from './account-down.rules.js';
import { followAccounts } from './account-down.js';
import { chooseAccount, loadOf, type ReachPair, type RouteAccount, type RouteAsk } from './routing.rules.js';
import { zonedTime } from '../core/time.js';

const acct = (id: string, over: Partial<RouteAccount> = {}): RouteAccount => ({ id, state: 'online', role: 'store', stores: [], ratePerMinute: 20, down: false, ...over });
const accounts = (...as: RouteAccount[]) => new Map(as.map((a) => [a.id, a]));
const pair = (account: string, targetId = 'c1', lastInboundAt: number | null = null): ReachPair => ({ account, targetId, lastInboundAt });
const ask = (over: Partial<RouteAsk> = {}): RouteAsk => ({ purpose: 'campaign', kind: 'contact', targetId: 'c1', reach: [], store: null, guide: null, ...over });
const none = () => 0;

describe('routing: which account sends', () => {
  it('answers a reply from the account the member last wrote to, even when another is preferred or idler', () => {
    const as = accounts(acct('hz01', { stores: ['HZ01'] }), acct('hz02'));
    const reach = [pair('hz01', 'c1', 100), pair('hz02', 'c1-wx2', 200)];
    expect(chooseAccount(ask({ purpose: 'reply', reach, store: 'HZ01' }), as, none)).toEqual({ account: 'hz02', targetId: 'c1-wx2', why: 'wrote-to' });
    expect(chooseAccount(ask({ purpose: 'alert', reach, store: 'HZ01' }), as, none)).toMatchObject({ account: 'hz02' });
  });

  it('routes a reply as a private message when the member never wrote, or the account written to is down', () => {
    const reach = [pair('hz01', 'c1', null), pair('hz02', 'c1', 500)];
    expect(chooseAccount(ask({ purpose: 'reply', reach: [pair('hz01'), pair('hz02')], store: 'HZ02' }), accounts(acct('hz01'), acct('hz02', { stores: ['HZ02'] })), none)).toEqual({
      account: 'hz02',
      targetId: 'c1',
      why: 'preferred',
    });
    expect(chooseAccount(ask({ purpose: 'reply', reach }), accounts(acct('hz01'), acct('hz02', { down: true })), none)).toMatchObject({ account: 'hz01', why: 'least-loaded' });
  });

  it("prefers the member's store's account, then the guide's own account, over a less loaded one", () => {
    const as = accounts(acct('hz01', { stores: ['HZ01'] }), acct('hz02', { stores: ['HZ02'] }), acct('g7', { role: 'guide', guide: 'G7' }));
    const reach = [pair('hz01'), pair('hz02'), pair('g7')];
    const load = (a: string) => (a === 'hz02' ? 0 : 500);
    expect(chooseAccount(ask({ reach, store: 'HZ01' }), as, load)).toMatchObject({ account: 'hz01', why: 'preferred' });
    expect(chooseAccount(ask({ reach, guide: 'G7' }), as, load)).toMatchObject({ account: 'g7', why: 'preferred' });
    expect(chooseAccount(ask({ reach, store: 'SH01' }), as, load)).toMatchObject({ account: 'hz02', why: 'least-loaded' });
  });

  it('weighs load by each account’s rate: 100 queued at 40/min is lighter than 60 at 20/min', () => {
    const as = accounts(acct('fast', { ratePerMinute: 40 }), acct('slow', { ratePerMinute: 20 }));
    const queued = (a: string) => (a === 'fast' ? 100 : 60);
    expect(loadOf(100, 40)).toBeLessThan(loadOf(60, 20));
    expect(chooseAccount(ask({ reach: [pair('fast'), pair('slow')] }), as, queued)).toMatchObject({ account: 'fast' });
  });

  it("sends by the member's other contact id when only that one is reached, and by the id asked when both are", () => {
    const as = accounts(acct('hz01'), acct('hz02'));
    expect(chooseAccount(ask({ reach: [pair('hz02', 'c1-other')] }), as, none)).toEqual({ account: 'hz02', targetId: 'c1-other', why: 'least-loaded' });
    expect(chooseAccount(ask({ reach: [pair('hz01', 'c1-other'), pair('hz01', 'c1')] }), as, none)).toMatchObject({ account: 'hz01', targetId: 'c1' });
  });

  it('never routes to a disabled account or one not in the registry; nobody left is unreachable with the reason', () => {
    const as = accounts(acct('hz01', { state: 'disabled' }), acct('hz02'));
    expect(chooseAccount(ask({ reach: [pair('hz01'), pair('gone')] }), as, none)).toEqual({
      unreachable: "no enabled account is a friend of contact c1 (nor of the member's other contact ids); only disabled: hz01",
    });
    expect(chooseAccount(ask({ kind: 'room', targetId: 'r1@chatroom', reach: [] }), as, none)).toEqual({ unreachable: 'no enabled account is in group r1@chatroom' });
    expect(chooseAccount(ask({ reach: [pair('hz01'), pair('hz02')] }), as, none)).toMatchObject({ account: 'hz02' });
  });

  it('posts to a group from an account in it, an offline (not disabled) one included', () => {
    const as = accounts(acct('hz01', { state: 'offline' }), acct('hq', { role: 'hq' }));
    expect(chooseAccount(ask({ kind: 'room', targetId: 'r1', reach: [pair('hz01', 'r1')] }), as, none)).toEqual({ account: 'hz01', targetId: 'r1', why: 'least-loaded' });
  });

  it('passes over a down account while another reaches the target, and waits on it when none does', () => {
    const as = accounts(acct('hz01', { down: true, stores: ['HZ01'] }), acct('hz02'));
    expect(chooseAccount(ask({ reach: [pair('hz01'), pair('hz02')], store: 'HZ01' }), as, none)).toMatchObject({ account: 'hz02' });
    expect(chooseAccount(ask({ reach: [pair('hz01')] }), as, none)).toEqual({ account: 'hz01', targetId: 'c1', why: 'down-only' });
  });

  it('breaks ties by account id, so the same facts always choose the same account', () => {
    const as = accounts(acct('b'), acct('a'));
    expect(chooseAccount(ask({ reach: [pair('b'), pair('a')] }), as, none)).toMatchObject({ account: 'a' });
  });
});

describe('an account going down: the pure parts', () => {
  it('moves only rows another live account reaches; the rest wait', () => {
    const moves = downPlan(
      'hz01',
      [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }],
      [
        { account: 'hz02', targetId: 'c1', why: 'least-loaded' },
        { unreachable: 'nobody' },
        { account: 'hz03', targetId: 'c3', why: 'down-only' },
        { account: 'hz03', targetId: 'c4-other', why: 'preferred' },
      ],
    );
    expect(moves).toEqual([
      { id: 1, from: 'hz01', to: 'hz02', targetId: 'c1' },
      { id: 4, from: 'hz01', to: 'hz03', targetId: 'c4-other' },
    ]);
  });

  it("tells HQ and the community admins of the account's stores or of none, who have a WeChat contact", () => {
    const s = (code: string, role: 'hq' | 'community-admin' | 'store-manager' | 'guide', storeCode: string | null, contactId: string | null = `wx-${code}`) => ({
      code,
      name: code,
      role,
      storeCode,
      contactId,
      workingDays: '0123456',
    });
    const staff = [
      s('hq1', 'hq', null),
      s('a1', 'community-admin', 'HZ01'),
      s('a2', 'community-admin', 'SH01'),
      s('a3', 'community-admin', null),
      s('m1', 'store-manager', 'HZ01'),
      s('hq2', 'hq', null, null),
    ];
    expect(downRecipients(staff, ['HZ01']).map((x) => x.code)).toEqual(['hq1', 'a1', 'a3']);
  });

  it('words the alert with the local time of the outage', () => {
    const since = zonedTime(2026, 11, 25, 12, 0, 'Asia/Shanghai').getTime();
    expect(downAlertText({ account: 'hz01', name: '西湖店 店助', reason: 'logged out', since, rerouted: 120, waiting: 3 }, 'Asia/Shanghai')).toBe(
      '【账号离线】西湖店 店助（hz01）自 2026-11-25 12:00 离线：logged out。120 条待发消息已改由其他账号发送，3 条等待它恢复。',
    );
  });
});

describe("following the hub's account events", () => {
  it('passes down and up to the outbox until unfollowed', () => {
    const hub = new EventEmitter();
    const calls: string[] = [];
    const unfollow = followAccounts(hub, {
      accountDown: (a, r) => {
        calls.push(`down ${a} ${r}`);
      },
      accountUp: async (a) => {
        calls.push(`up ${a}`);
      },
    });
    hub.emit('down', 'hz01', 'logged out');
    hub.emit('up', 'hz01');
    unfollow();
    hub.emit('down', 'hz02', 'banned');
    expect(calls).toEqual(['down hz01 logged out', 'up hz01']);
  });
});
