import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { campaignsCapability } from '../../src/campaigns/campaigns.capability.js';
import { CAMPAIGN_TICK } from '../../src/campaigns/campaigns.jobs.js';
import { CampaignsRepo } from '../../src/campaigns/campaigns.repo.js';
import { campaignKeyPrefix } from '../../src/campaigns/content.rules.js';
import { silentLogger } from '../../src/core/logger.js';
import { friendsCapability } from '../../src/friends/friends.capability.js';
import { parseFriendsPlaybook } from '../../src/friends/playbook.js';
import { membersCapability } from '../../src/members/members.capability.js';
import type { DownReport } from '../../src/outbox/account-down.js';
import type { BotMessage } from '../../src/platform/wechaty/world/server.js';
import { testConfig } from '../support/app.js';
import { runCliIn } from '../support/cli.js';
import { useTestApp } from '../support/test-app.js';

/**
 * The "Done when" for many accounts, through the simulated world with routing live: three
 * accounts over the demo's people (member i is a friend of account i mod 3, every fourth also of the
 * next; staff of all; group j has account j mod 3 and the first group every account), everything
 * counted from what the world received and from which account.
 */

const IDS = ['hz01-assistant', 'hz02-assistant', 'hq'] as const;
const REGISTRY = `defaults:
  budget: { ratePerMinute: 0, capPerHour: 0, capPerDay: 0, gapMinMs: 0, gapMaxMs: 0 }
  onDown: { reply: reroute, alert: reroute, campaign: reroute, wake-up: wait }
accounts:
  - { id: hz01-assistant, name: 湖滨店 店助, role: store, stores: [HZ01] }
  - { id: hz02-assistant, name: 西湖店 店助, role: store, stores: [HZ02] }
  - { id: hq, name: 总部 客服, role: hq }
`;

const FRIENDS = parseFriendsPlaybook(
  `
accept: { dailyCap: 50, delay: { min: 100ms, max: 200ms }, retryCappedAt: null }
attribution: { defaultStore: HZ01 }
welcome: { text: "{name}您好，欢迎来到{store}！", returning: "" }
`,
  'many-accounts-friends.yaml',
);

let campaignsDir = '';
const fx = useTestApp('siyu-many-accounts-', (dir, redisUrl) => {
  campaignsDir = path.join(dir, 'campaigns');
  mkdirSync(campaignsDir, { recursive: true });
  const accountsFile = path.join(dir, 'accounts.yaml');
  writeFileSync(accountsFile, REGISTRY);
  return {
    config: testConfig(`${dir}/data`, {
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: 'many-accounts',
      ACCOUNT_DOWN_GRACE_SECONDS: '1',
      QUIET_HOURS: '00:00-00:00',
      MARKETING_CAP_PER_DAY: '10',
      PUPPET_TIMEOUT_SECONDS: '10',
      SUPERVISOR_MAX_BACKOFF_SECONDS: '1',
    }),
    logger: silentLogger(),
    capabilities: [membersCapability(path.resolve('sop/membership.yaml')), campaignsCapability(campaignsDir), friendsCapability(FRIENDS)],
    accountsFile,
    accountsCheckEveryMs: 100,
  };
});

/** The demo's members in the store (m001–m035; the rest of the world's members have not joined). */
const MEMBERS = Array.from({ length: 35 }, (_, i) => `m${String(i + 1).padStart(3, '0')}`);
/** Who removes their only account (hz02) before the first campaign: no account reaches them. */
const GONE = 'm002';

let base = '';
let slot = 0;
beforeAll(async () => {
  const { app, world } = fx;
  base = app.healthUrl!.replace(/\/healthz$/, '');
  slot = Math.floor(Date.now() / 60_000) * 60_000;
  await Promise.all(IDS.map((id) => app.hub.ready(id)));
  // Reach read at each login is what routing decides on.
  const read = () =>
    IDS.every((id) => {
      const c = app.reach.counts(id);
      return c.contacts === world.account(id).friendIds().length && c.rooms === world.account(id).roomIds().length;
    });
  for (const deadline = Date.now() + 10_000; !read();) {
    if (Date.now() > deadline) throw new Error('reach not read at login within 10 s');
    await new Promise((r) => setTimeout(r, 50));
  }
});

/** Creates a campaign through the console's API, asks for a run and fires the bot's minute tick. */
async function launch(body: Record<string, unknown>): Promise<void> {
  const post = (p: string, b?: unknown) => fetch(`${base}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b ?? {}) });
  const created = await post('/api/campaigns', { status: 'scheduled', schedule: { at: '2030-01-05 15:00' }, expireAfterMinutes: 120, ...body });
  expect(created.status, await created.clone().text()).toBe(201);
  expect((await post(`/api/campaigns/${String(body['id'])}/run`)).status).toBe(200);
  // A slot of its own for each fire (the real minute tick may plan it too: planning is idempotent).
  slot += 1000;
  expect(await fx.app.scheduler.fire(CAMPAIGN_TICK, new Date(slot))).toBe(true);
}

const received = (prefix: string) => fx.world.sent.filter((m) => m.text.startsWith(prefix));
const byTarget = (msgs: readonly BotMessage[]) => {
  const out = new Map<string, BotMessage[]>();
  for (const m of msgs) out.set(m.target.id, [...(out.get(m.target.id) ?? []), m]);
  return out;
};
const pending = (id: string) => new CampaignsRepo(fx.app.db).pendingCount(campaignKeyPrefix(id));
/** `campaign show ID --json`, as an operator runs it against the bot's store. */
async function show(id: string): Promise<{ occurrences: { targeted: number; sent: number; unreachable: number; pending: number; messages: number }[] }> {
  const r = await runCliIn(fx.tmp.dir, ['campaign', 'show', id, '--json'], { env: { DB_FILE: fx.app.config.DB_FILE, CAMPAIGNS_DIR: campaignsDir } });
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out) as never;
}

describe('three accounts, members split among them, routing live (issue 15 "Done when")', () => {
  it('a members campaign: each reachable member gets exactly one message, from an account that is their friend; the unreachable are counted', async () => {
    const { app, world } = fx;
    await world.account('hz02-assistant').contactRemovesBot(GONE);
    await expect.poll(() => app.reach.accountsReaching('contact', [GONE]).length, { timeout: 10_000 }).toBe(0);

    await launch({
      id: 'split-day',
      name: '分账号会员日',
      audience: { members: { stores: ['HZ01'] } },
      content: [{ kind: 'text', text: '【分账号】{name}，会员日 9 折' }],
      spreadMinutes: 0.05,
    });
    await expect.poll(() => received('【分账号】').length, { timeout: 30_000 }).toBe(MEMBERS.length - 1);
    await expect.poll(() => pending('split-day'), { timeout: 10_000 }).toBe(0);

    const got = byTarget(received('【分账号】'));
    for (const m of MEMBERS.filter((x) => x !== GONE)) {
      expect(got.get(m)?.length, m).toBe(1);
      expect(world.account(got.get(m)![0]!.account).isFriend(m), `${m} from ${got.get(m)![0]!.account}`).toBe(true);
    }
    expect(got.has(GONE)).toBe(false);
    // Split among the accounts: each sent some.
    expect(new Set(received('【分账号】').map((m) => m.account))).toEqual(new Set(IDS));
    expect((await show('split-day')).occurrences[0]).toMatchObject({ targeted: MEMBERS.length, messages: MEMBERS.length, sent: MEMBERS.length - 1, unreachable: 1, pending: 0 });
  });

  it("积分 is answered from the account it was sent to (not the store's preferred account)", async () => {
    const { world } = fx;
    // m001 is a friend of hz01 (its store's account, preferred otherwise) and hz02; m005 of hz02 and hq.
    for (const [member, account] of [
      ['m001', 'hz02-assistant'],
      ['m005', 'hq'],
    ] as const) {
      expect(world.account(account).isFriend(member)).toBe(true);
      const since = world.sent.length;
      await world.account(account).memberSays(member, '积分');
      const reply = await world.waitForBotMessage((m) => world.sent.indexOf(m) >= since && m.target.id === member && /积分/.test(m.text), 10_000);
      expect(reply.account).toBe(account);
    }
  });

  it('积分 asked in a group all three accounts are in: answered once, privately from an account that is their friend, acknowledged once in the group', async () => {
    const { world } = fx;
    const member = 'm006'; // in hz01-a, where every account is; a friend of hq only; never wrote privately
    const friendsOf: string[] = IDS.filter((a) => world.account(a).isFriend(member));
    expect(friendsOf).toEqual(['hq']);
    const since = world.sent.length;
    // They @-mention hq's account (the group message reaches every account in it).
    const id = await world.memberSays(member, '积分', { roomId: 'hz01-a@chatroom', mentionIds: [world.account('hq').botId] });
    await world.waitForBotMessage((m) => world.sent.indexOf(m) >= since && m.target.id === member, 10_000);
    await world.waitForBotMessage((m) => world.sent.indexOf(m) >= since && m.target.id === 'hz01-a@chatroom', 10_000);
    // Everything the message asked for is settled (sent), then counted.
    const open = () => fx.app.db.$client.prepare("select count(*) from outbox where key like ? and status in ('queued', 'sending')").pluck().get(`%${id}%`);
    await expect.poll(open, { timeout: 10_000 }).toBe(0);
    const after = () => world.sent.slice(since);
    expect(
      after()
        .filter((m) => m.target.id === member)
        .map((m) => friendsOf.includes(m.account)),
    ).toEqual([true]);
    expect(after().filter((m) => m.target.id === 'hz01-a@chatroom')).toHaveLength(1);
  });

  it('a stranger who asks account B to be friends is accepted by B and welcomed from B', async () => {
    const { world } = fx;
    const b = world.account('hz02-assistant');
    await b.friendRequest('new-b01', '周小舟', '你好');
    const welcome = await world.waitForBotMessage((m) => m.target.id === 'new-b01', 20_000);
    expect(welcome.text).toBe('周小舟您好，欢迎来到杭州湖滨店！');
    expect(welcome.account).toBe('hz02-assistant');
    expect(b.isFriend('new-b01')).toBe(true);
  });

  it('a group campaign: each group gets one post, from an account in that group', async () => {
    const { world } = fx;
    const rooms = world.seed.rooms.map((r) => r.id);
    await launch({
      id: 'split-groups',
      name: '分账号群发',
      audience: { groups: { list: rooms } },
      content: [{ kind: 'text', text: '【群活动】{name}的家人们好' }],
      spreadMinutes: 0.05,
    });
    await expect.poll(() => received('【群活动】').length, { timeout: 30_000 }).toBe(rooms.length);
    await expect.poll(() => pending('split-groups'), { timeout: 10_000 }).toBe(0);
    const got = byTarget(received('【群活动】'));
    for (const r of rooms) {
      expect(got.get(r)?.length, r).toBe(1);
      expect(world.account(got.get(r)![0]!.account).roomIds(), `${r} from ${got.get(r)![0]!.account}`).toContain(r);
    }
    // hz01-b has only hz02 in it, hz01-vip only hq.
    expect(got.get('hz01-b@chatroom')![0]!.account).toBe('hz02-assistant');
    expect(got.get('hz01-vip@chatroom')![0]!.account).toBe('hq');
  });

  it('an account logged out mid-campaign: its messages re-route or wait, the admin is told once, nothing twice', async () => {
    const { app, world } = fx;
    const PREFIX = '【掉线测试】';
    const hz01 = world.account('hz01-assistant');
    const downReports: DownReport[] = [];
    app.outbox.on('account-down', (r: DownReport) => downReports.push(r));

    await launch({
      id: 'split-down',
      name: '掉线测试',
      audience: { members: { stores: ['HZ01'] } },
      content: [{ kind: 'text', text: `${PREFIX}{name}，周末见` }],
      spreadMinutes: 0.15,
    });
    // Mid-campaign: hz01 has sent its first message of it; it is logged out and does not log in by itself.
    await expect.poll(() => received(PREFIX).some((m) => m.account === 'hz01-assistant'), { timeout: 20_000 }).toBe(true);
    await hz01.kickBot('被踢下线', { stayLoggedOut: true });
    const kickedAt = world.sent.length;

    // After the grace: its campaign messages to members another account reaches go through that one; the rest wait.
    await expect.poll(() => downReports.length, { timeout: 10_000 }).toBe(1);
    const report = downReports[0]!;
    expect(report).toMatchObject({ account: 'hz01-assistant', told: 1 });
    expect(report.rerouted).toBeGreaterThan(0);
    expect(report.waiting).toBeGreaterThan(0);
    // One alert, to the store's community admin (friends with every account), from an account that is up.
    const alert = await world.waitForBotMessage((m) => m.target.id === 'admin-hz01' && m.text.startsWith('【账号离线】'), 10_000);
    expect(alert.account).not.toBe('hz01-assistant');
    expect(alert.text).toContain('被踢下线');
    // /healthz stays ok with the default account (hz01) logged out while the others are online; it lists each account's state.
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      ok: true,
      bot: { account: 'hz01-assistant', loggedIn: false },
      accounts: { 'hz01-assistant': { state: 'offline' }, 'hz02-assistant': { state: 'online' }, hq: { state: 'online' } },
    });

    const onlyHz01 = MEMBERS.filter((m) => m !== GONE && IDS.filter((a) => world.account(a).isFriend(m)).join() === 'hz01-assistant');
    const others = MEMBERS.filter((m) => m !== GONE && !onlyHz01.includes(m));
    // Every member another account reaches has theirs; those only hz01 reaches and not served yet wait.
    await expect.poll(() => others.filter((m) => !received(PREFIX).some((x) => x.target.id === m)), { timeout: 30_000 }).toEqual([]);
    const waitingFor = onlyHz01.filter((m) => !received(PREFIX).some((x) => x.target.id === m));
    expect(waitingFor.length).toBe(report.waiting);
    expect(world.sent.slice(kickedAt).some((m) => m.account === 'hz01-assistant')).toBe(false);

    // The account logs in again: what waited for it goes, from it.
    world.account('hz01-assistant').logIn();
    await expect.poll(() => received(PREFIX).length, { timeout: 30_000 }).toBe(MEMBERS.length - 1);
    await expect.poll(() => pending('split-down'), { timeout: 10_000 }).toBe(0);
    const got = byTarget(received(PREFIX));
    for (const m of waitingFor) expect(got.get(m)?.[0]?.account, m).toBe('hz01-assistant');
    // 0 duplicates, each from a friend; one alert per admin.
    for (const m of MEMBERS.filter((x) => x !== GONE)) {
      expect(got.get(m)?.length, m).toBe(1);
      expect(world.account(got.get(m)![0]!.account).isFriend(m), m).toBe(true);
    }
    expect(world.sent.filter((m) => m.text.startsWith('【账号离线】')).map((m) => m.target.id)).toEqual(['admin-hz01']);
    expect((await show('split-down')).occurrences[0]).toMatchObject({ sent: MEMBERS.length - 1, unreachable: 1, pending: 0 });
  });

  it("with campaigns set to wait in the registry (edited while running): a logged-out account's campaign messages wait for it, none re-routed; the admin told once more", async () => {
    const { app, world } = fx;
    const PREFIX = '【等待测试】';
    const applied = once(app.hub, 'applied');
    writeFileSync(path.join(fx.tmp.dir, 'accounts.yaml'), REGISTRY.replace('campaign: reroute', 'campaign: wait'));
    await applied;
    expect(app.hub.get('hz01-assistant')!.onDown.campaign).toBe('wait');
    const downReports: DownReport[] = [];
    app.outbox.on('account-down', (r: DownReport) => downReports.push(r));
    const alertsBefore = world.sent.filter((m) => m.text.startsWith('【账号离线】')).length;

    await launch({
      id: 'split-wait',
      name: '等待测试',
      audience: { members: { stores: ['HZ01'] } },
      content: [{ kind: 'text', text: `${PREFIX}{name}，新品到店` }],
      spreadMinutes: 0.15,
    });
    await expect.poll(() => received(PREFIX).some((m) => m.account === 'hz01-assistant'), { timeout: 20_000 }).toBe(true);
    await world.account('hz01-assistant').kickBot('再次被踢', { stayLoggedOut: true });
    const kickedAt = world.sent.length;
    await expect.poll(() => downReports.length, { timeout: 10_000 }).toBe(1);
    expect(downReports[0]).toMatchObject({ account: 'hz01-assistant', rerouted: 0, told: 1 });
    expect(downReports[0]!.waiting).toBeGreaterThan(0);
    await world.waitForBotMessage((m) => m.target.id === 'admin-hz01' && m.text.includes('再次被踢'), 10_000);

    // The other accounts' share all goes; hz01's waits (nothing of it from another account).
    const routedTo = (account: string) =>
      app.db.$client
        .prepare(`select target_id from outbox where key like ? and account = ?`)
        .pluck()
        .all(`${campaignKeyPrefix('split-wait')}%`, account) as string[];
    const othersShare = [...routedTo('hz02-assistant'), ...routedTo('hq')];
    await expect.poll(() => othersShare.filter((m) => !received(PREFIX).some((x) => x.target.id === m)), { timeout: 30_000 }).toEqual([]);
    const waitingFor = routedTo('hz01-assistant').filter((m) => !received(PREFIX).some((x) => x.target.id === m));
    expect(waitingFor.length).toBe(downReports[0]!.waiting);
    expect(
      world.sent
        .slice(kickedAt)
        .filter((m) => m.text.startsWith(PREFIX))
        .every((m) => !waitingFor.includes(m.target.id)),
    ).toBe(true);

    world.account('hz01-assistant').logIn();
    await expect.poll(() => received(PREFIX).length, { timeout: 30_000 }).toBe(MEMBERS.length - 1);
    await expect.poll(() => pending('split-wait'), { timeout: 10_000 }).toBe(0);
    const got = byTarget(received(PREFIX));
    for (const m of waitingFor) expect(got.get(m)?.[0]?.account, m).toBe('hz01-assistant');
    for (const m of MEMBERS.filter((x) => x !== GONE)) {
      expect(got.get(m)?.length, m).toBe(1);
      expect(world.account(got.get(m)![0]!.account).isFriend(m), m).toBe(true);
    }
    expect(world.sent.filter((m) => m.text.startsWith('【账号离线】')).length).toBe(alertsBefore + 1);
  });
});
