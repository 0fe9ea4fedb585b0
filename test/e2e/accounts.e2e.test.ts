import { once } from 'node:events';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { silentLogger } from '../../src/core/logger.js';
import { accountReach, inboundMessages } from '../../src/platform/db/schema.js';
import { isolateWechaty, recordingLogger } from '../../src/platform/wechaty/testing.js';
import { startWorld, type World, type WorldAccount } from '../../src/platform/wechaty/world/server.js';
import { useTestRedis } from '../support/redis-fixture.js';
import { tempDir } from '../support/harness.js';
import { pingCapability, testConfig } from '../support/app.js';

const redis = useTestRedis();
const DEMO_REGISTRY = path.resolve(import.meta.dirname, '../../data/demo/accounts.yaml');
const IDS = ['hz01-assistant', 'hz02-assistant', 'hq'];
let tmp: ReturnType<typeof tempDir>;
let restoreHome: () => void;

beforeAll(() => {
  restoreHome = isolateWechaty();
  tmp = tempDir('siyu-accounts-');
});
afterAll(() => {
  tmp.remove();
  restoreHome();
});

describe('three accounts through the simulated world (sop/accounts.yaml)', () => {
  let app: App;
  let world: World;
  let file: string;
  const demoText = readFileSync(DEMO_REGISTRY, 'utf8');
  /** Writes the registry and waits for the hub to apply it (the hub finds the edit by itself). */
  const edit = async (text: string) => {
    const applied = once(app.hub, 'applied');
    writeFileSync(file, text);
    await applied;
  };
  const reachRows = (account: string, kind: 'contact' | 'room') =>
    app.db
      .select()
      .from(accountReach)
      .where(and(eq(accountReach.account, account), eq(accountReach.targetKind, kind)))
      .all()
      .map((r) => r.targetId)
      .sort();

  beforeAll(async () => {
    file = path.join(tmp.dir, 'accounts.yaml');
    copyFileSync(DEMO_REGISTRY, file);
    app = await startApp({
      config: testConfig(`${tmp.dir}/data`, { REDIS_URL: redis.url, QUEUE_PREFIX: 'e2e-accounts' }),
      logger: silentLogger(),
      capabilities: [pingCapability],
      accountsFile: file,
      accountsCheckEveryMs: 100,
    });
    world = app.world!;
    await Promise.all(IDS.map((id) => app.hub.ready(id)));
  });
  afterAll(() => app.stop());

  it('hosts each account on its own endpoint; each logs in, and reach matches its friends and groups in the world', async () => {
    expect(world.accounts.map((a) => a.id)).toEqual(IDS);
    expect(new Set(world.accounts.map((a) => a.endpoint)).size).toBe(3);
    expect(IDS.map((id) => app.hub.state(id))).toEqual(['online', 'online', 'online']);
    for (const id of IDS) {
      const w = world.account(id);
      await expect.poll(() => reachRows(id, 'contact'), { timeout: 10_000 }).toEqual([...w.friendIds()].sort());
      expect(reachRows(id, 'room')).toEqual([...w.roomIds()].sort());
      expect(app.reach.counts(id)).toEqual({ contacts: w.friendIds().length, rooms: w.roomIds().length });
    }
    // Some members are friends of two accounts; the default account is the first.
    const members = world.seed.members.map((m) => m.id);
    const reachedBy = (c: string) => IDS.filter((id) => reachRows(id, 'contact').includes(c)).length;
    expect(members.every((c) => reachedBy(c) >= 1)).toBe(true);
    expect(members.filter((c) => reachedBy(c) === 2).length).toBeGreaterThan(5);
    expect(app.edge).toBe(app.hub.edge('hz01-assistant'));
    const health = (await (await fetch(app.healthUrl!)).json()) as { accounts: Record<string, { state: string }> };
    expect(Object.fromEntries(Object.entries(health.accounts).map(([k, v]) => [k, v.state]))).toEqual({ 'hz01-assistant': 'online', 'hz02-assistant': 'online', hq: 'online' });
  });

  it("stamps a member's message with the account it was written to, and notes that account reaches them", async () => {
    const b = world.account('hz02-assistant');
    const member = b.friendIds().find((c) => c.startsWith('m') && !world.account('hz01-assistant').friendIds().includes(c))!;
    const id = await b.memberSays(member, 'ping hello');
    await expect.poll(() => app.db.select().from(inboundMessages).where(eq(inboundMessages.id, id)).get()?.account, { timeout: 10_000 }).toBe('hz02-assistant');
    const row = app.db
      .select()
      .from(accountReach)
      .where(and(eq(accountReach.account, 'hz02-assistant'), eq(accountReach.targetId, member)))
      .get();
    expect(row?.lastInboundAt).toBeGreaterThan(0);
    expect(
      app.db
        .select()
        .from(accountReach)
        .where(and(eq(accountReach.account, 'hz01-assistant'), eq(accountReach.targetId, member)))
        .get(),
    ).toBeUndefined();
  });

  it('shows every account on /api/accounts and labels /metrics by account; no token appears', async () => {
    // The ping above was answered from the account it was written to (routing): counted against its caps.
    expect((await world.waitForBotMessage((m) => m.text === 'pong hello', 10_000)).account).toBe('hz02-assistant');
    await expect
      .poll(
        async () => {
          const r = (await (await fetch(new URL('/api/accounts', app.healthUrl!))).json()) as { accounts: { id: string; sent: { minute: number } }[] };
          return r.accounts.map((a) => a.sent.minute);
        },
        { timeout: 10_000 },
      )
      .toEqual([0, 1, 0]);
    const res = await fetch(new URL('/api/accounts', app.healthUrl!));
    const body = await res.text();
    const r = JSON.parse(body) as {
      registry: { fromEnv: boolean };
      accounts: { id: string; state: string; caps: { minute: number }; reach: { contacts: number; rooms: number }; outbox: Record<string, number> }[];
    };
    expect(r.registry.fromEnv).toBe(false);
    expect(r.accounts.map((a) => [a.id, a.state, a.caps.minute])).toEqual([
      ['hz01-assistant', 'online', 20],
      ['hz02-assistant', 'online', 20],
      ['hq', 'online', 30],
    ]);
    expect(r.accounts[1]!.reach).toEqual({ contacts: world.account('hz02-assistant').friendIds().length, rooms: world.account('hz02-assistant').roomIds().length });
    for (const a of world.accounts) expect(body).not.toContain(a.token);
    const metrics = await (await fetch(new URL('/metrics', app.healthUrl!))).text();
    expect(metrics).toContain(`siyu_account_reach{account="hq",kind="contact"} ${world.account('hq').friendIds().length}`);
    expect(metrics).toContain('siyu_account_state{account="hz02-assistant",state="online"} 1');
    expect(metrics).toContain('siyu_account_sent{account="hz02-assistant",window="minute"} 1');
    expect(metrics).toContain('siyu_account_sent{account="hz01-assistant",window="minute"} 0');
    expect(metrics).toContain('siyu_account_cap{account="hq",window="minute"} 30');
    const page = await (await fetch(new URL('/accounts', app.healthUrl!))).text();
    expect(page).toContain('/api/accounts');
  });

  it('keeps reach current: a friend who removes one account, and an account that leaves a group', async () => {
    const hq = world.account('hq');
    const friend = hq.friendIds().find((c) => c.startsWith('m'))!;
    await hq.contactRemovesBot(friend);
    await expect.poll(() => reachRows('hq', 'contact').includes(friend), { timeout: 10_000 }).toBe(false);
    await world.memberLeaves('hz01-a@chatroom', hq.botId);
    await expect.poll(() => reachRows('hq', 'room').includes('hz01-a@chatroom'), { timeout: 10_000 }).toBe(false);
    expect(reachRows('hz02-assistant', 'room')).toContain('hz01-a@chatroom');
  });

  it('an account kicked out goes offline with the reason while the others stay online, and logs in again by itself', async () => {
    const down = once(app.hub, 'down');
    const up = once(app.hub, 'up');
    await world.account('hq').kickBot('banned for a day');
    const [account, reason] = (await down) as [string, string];
    expect(account).toBe('hq');
    expect(reason).toMatch(/banned for a day/);
    expect(app.hub.statuses().find((s) => s.id === 'hq')!.lastError).toMatch(/banned for a day/);
    expect(app.hub.state('hz01-assistant')).toBe('online');
    expect((await up)[0]).toBe('hq');
    expect(app.hub.state('hq')).toBe('online');
  });

  it('disabling an account in the file stops it without a restart; enabling it again starts it', async () => {
    const down = once(app.hub, 'down');
    await edit(demoText.replace('    stores: [HZ02]', '    stores: [HZ02]\n    enabled: false'));
    expect(await down).toEqual(['hz02-assistant', 'disabled']);
    expect(app.hub.state('hz02-assistant')).toBe('disabled');
    expect(app.hub.state('hz01-assistant')).toBe('online');
    expect(app.hub.sender('hz02-assistant')).toBeUndefined();

    const up = once(app.hub, 'up');
    await edit(demoText);
    expect((await up)[0]).toBe('hz02-assistant');
    expect(app.hub.state('hz02-assistant')).toBe('online');
    const id = await world.account('hz02-assistant').memberSays(
      world
        .account('hz02-assistant')
        .friendIds()
        .find((c) => c.startsWith('m'))!,
      'back?',
    );
    await expect.poll(() => app.db.select().from(inboundMessages).where(eq(inboundMessages.id, id)).get()?.account, { timeout: 10_000 }).toBe('hz02-assistant');
  });

  it('an account added to the file connects without a restart (the world hosts it); removed, it stops', async () => {
    const up = once(app.hub, 'up');
    await edit(`${demoText}  - id: hz03-assistant\n    name: 杭州滨江店 店助\n    role: store\n    stores: [HZ03]\n`);
    expect((await up)[0]).toBe('hz03-assistant');
    const w = world.account('hz03-assistant');
    expect(app.hub.edge('hz03-assistant')!.selfId()).toBe(w.botId);
    await expect.poll(() => app.reach.counts('hz03-assistant'), { timeout: 10_000 }).toEqual({ contacts: w.friendIds().length, rooms: 0 });
    const down = once(app.hub, 'down');
    await edit(demoText);
    expect(await down).toEqual(['hz03-assistant', 'removed']);
    expect(app.hub.state('hz03-assistant')).toBe('disabled');
    expect(app.hub.list().map((a) => a.id)).toEqual(IDS);
  });

  it('a bad edit is refused with the file, line and field; the last good registry stays in use', async () => {
    const refused = once(app.hub, 'refused');
    writeFileSync(file, `${demoText.replace('role: hq', 'role: boss')}\n`);
    const [error] = (await refused) as [string];
    expect(error).toBe(`${file}: line 24: accounts[2].role: expected one of store, hq, guide, found "boss"`);
    expect(app.hub.registryError).toBe(error);
    expect(app.hub.list().map((a) => `${a.id}:${a.role}`)).toEqual(['hz01-assistant:store', 'hz02-assistant:store', 'hq:hq']);
    expect(IDS.map((id) => app.hub.state(id))).toEqual(['online', 'online', 'online']);
  });
});

describe('accounts on their own puppet-service endpoints (production path: no embedded world)', () => {
  it('connects each account to its endpoint with the token from its environment variable or secret file; no token in the log', async () => {
    const world = await startWorld({ logger: silentLogger(), accounts: ['shop-a', 'shop-b'] });
    const [a, b] = world.accounts as [WorldAccount, WorldAccount];
    const secret = path.join(tmp.dir, 'shop-b.token');
    writeFileSync(secret, `${b.token}\n`);
    process.env['E2E_SHOP_A_TOKEN'] = a.token;
    const file = path.join(tmp.dir, 'prod-accounts.yaml');
    writeFileSync(
      file,
      [
        'accounts:',
        `  - { id: shop-a, name: A店, role: store, stores: [A1], endpoint: "${a.endpoint}", token: { env: E2E_SHOP_A_TOKEN } }`,
        `  - { id: shop-b, name: B店, role: store, stores: [B1], endpoint: "${b.endpoint}", token: { file: "${secret}" } }`,
        '  - { id: shop-c, name: C店, role: hq, endpoint: "127.0.0.1:1", token: { env: E2E_NOT_SET } }',
      ].join('\n'),
    );
    const { logger, lines } = recordingLogger('info');
    const app = await startApp({
      config: testConfig(`${tmp.dir}/prod`, { REDIS_URL: redis.url, QUEUE_PREFIX: 'e2e-prod', WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT: 'true' }),
      logger,
      capabilities: [pingCapability],
      accountsFile: file,
    });
    try {
      await Promise.all([app.hub.ready('shop-a'), app.hub.ready('shop-b')]);
      expect(app.world).toBeNull();
      expect(app.hub.edge('shop-b')!.selfId()).toBe(b.botId);
      const c = app.hub.statuses().find((s) => s.id === 'shop-c')!;
      expect(c).toMatchObject({ state: 'offline', lastError: 'account shop-c: token: environment variable E2E_NOT_SET is not set' });
      const id = await b.memberSays(
        b.friendIds().find((x) => x.startsWith('m'))!,
        'hi b',
      );
      await expect.poll(() => app.db.select().from(inboundMessages).where(eq(inboundMessages.id, id)).get()?.account, { timeout: 10_000 }).toBe('shop-b');
      const log = JSON.stringify(lines);
      expect(log).not.toContain(a.token);
      expect(log).not.toContain(b.token);
    } finally {
      await app.stop();
      await world.stop();
      delete process.env['E2E_SHOP_A_TOKEN'];
    }
  });
});
