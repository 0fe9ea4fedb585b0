import { EventEmitter, once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import type { InboundMessage } from '../core/messages.js';
import type { Sender } from '../outbox/sender.js';
import { closeDb, openDb, type Db } from '../platform/db/client.js';
import type { WechatyEdge } from '../platform/wechaty/edge.js';
import { AccountHub, type RegistrySource } from './hub.js';
import { ReachRepo } from './reach.repo.js';
import type { AccountsRegistry } from './registry.js';
import type { AccountSpec, EdgeHandlers } from './types.js';

const spec = (id: string, over: Partial<AccountSpec> = {}): AccountSpec => ({
  id,
  name: id,
  role: 'store',
  stores: [],
  enabled: true,
  budget: { ratePerMinute: 20, capPerHour: 1000, capPerDay: 0, gapMinMs: 0, gapMaxMs: 0 },
  onDown: { reply: 'reroute', alert: 'reroute', 'staff-prompt': 'reroute', service: 'reroute', care: 'reroute', campaign: 'wait', 'wake-up': 'wait' },
  ...over,
});

/** A registry whose edits the test applies by hand. */
class FakeRegistry implements RegistrySource {
  private listeners: ((r: AccountsRegistry) => void)[] = [];
  constructor(public current: AccountsRegistry) {}
  reloadIfChanged() {
    return { ok: true as const, changed: false };
  }
  onChange(fn: (r: AccountsRegistry) => void) {
    this.listeners.push(fn);
    return () => undefined;
  }
  set(accounts: AccountSpec[]) {
    this.current = { file: 'accounts.yaml', fromEnv: false, accounts };
    for (const l of this.listeners) l(this.current);
  }
}

/** An edge the test logs in and out; it lists `contacts` and `rooms` as the provider would. */
class FakeEdge extends EventEmitter {
  loggedIn = false;
  stopped = false;
  constructor(
    readonly id: string,
    readonly handlers: EdgeHandlers,
    readonly lists: { contacts: string[]; rooms: string[] },
  ) {
    super();
  }
  start() {
    return new Promise<void>((resolve) => this.once('ready', () => resolve()));
  }
  async stop() {
    this.stopped = true;
  }
  login() {
    this.loggedIn = true;
    this.emit('ready', `wxid_${this.id}`);
  }
  logout(reason: string) {
    this.loggedIn = false;
    this.emit('logout', reason);
  }
  isLoggedIn() {
    return this.loggedIn;
  }
  selfId() {
    return this.loggedIn ? `wxid_${this.id}` : undefined;
  }
  readonly transport = { isReady: () => this.loggedIn, send: async () => ({}) };
  readonly accepted: string[] = [];
  readonly friendships = { isReady: () => this.loggedIn, accept: async (id: string) => void this.accepted.push(id) };
  readonly rooms = { isReady: () => this.loggedIn, selfId: () => this.selfId(), memberIds: async (r: string) => [`of ${this.id}: ${r}`] };
  reachLists = async () => this.lists;
}

/** Records what the hub does to each account's sender. */
function fakeSender(log: string[], id: string): Sender {
  return {
    start: (running: boolean) => log.push(`${id} start ${running}`),
    resume: () => log.push(`${id} resume`),
    pause: async () => void log.push(`${id} pause`),
    close: async () => void log.push(`${id} close`),
  } as unknown as Sender;
}

describe('AccountHub', () => {
  let dir: string;
  let db: Db;
  afterEach(() => {
    closeDb(db);
    rmSync(dir, { recursive: true, force: true });
  });

  const setup = (accounts: AccountSpec[]) => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'hub-'));
    db = openDb(path.join(dir, 'bot.db'));
    const reach = new ReachRepo(db);
    const registry = new FakeRegistry({ file: 'accounts.yaml', fromEnv: false, accounts });
    const edges = new Map<string, FakeEdge>();
    const senders: string[] = [];
    const inbound: InboundMessage[] = [];
    const started: string[] = [];
    const hub = new AccountHub({
      registry,
      reach,
      clock: { now: () => new Date(1_000_000) },
      logger: silentLogger(),
      checkEveryMs: 0,
      edgeFactory: (s, handlers) => {
        const e = new FakeEdge(s.id, handlers, { contacts: [`c-${s.id}`, 'shared'], rooms: [`r-${s.id}@chatroom`] });
        edges.set(s.id, e);
        return e as unknown as WechatyEdge;
      },
      makeSender: (s) => fakeSender(senders, s.id),
      handlers: { onMessage: async (m) => void inbound.push(m), onFriendship: () => undefined, onRoomEvent: () => undefined },
      onAccountStart: (s) => started.push(s.id),
    });
    return { hub, registry, edges, senders, inbound, reach, started };
  };

  it('connects every enabled account with its own sender; up and down per account; state online/offline/disabled', async () => {
    const { hub, edges, senders, reach, started } = setup([spec('a'), spec('b'), spec('c', { enabled: false })]);
    hub.start();
    expect([...edges.keys()]).toEqual(['a', 'b']);
    expect(started).toEqual(['a', 'b']);
    expect(['a', 'b', 'c', 'zzz'].map((id) => hub.state(id))).toEqual(['offline', 'offline', 'disabled', 'disabled']);
    const up = once(hub, 'up');
    edges.get('b')!.login();
    expect(await up).toEqual(['b', 'wxid_b']);
    await hub.ready('b');
    expect(hub.state('b')).toBe('online');
    expect(senders).toEqual(['a start false', 'b start false', 'b resume']);
    await expect.poll(() => reach.counts('b')).toEqual({ contacts: 2, rooms: 1 });
    expect(reach.counts('a')).toEqual({ contacts: 0, rooms: 0 });
    // Member lists go through an online account in the group.
    expect(await hub.rooms.memberIds('r-b@chatroom')).toEqual(['of b: r-b@chatroom']);

    const down = once(hub, 'down');
    edges.get('b')!.logout('logged out: kicked');
    expect(await down).toEqual(['b', 'logged out: kicked']);
    expect(hub.state('b')).toBe('offline');
    expect(hub.statuses().find((s) => s.id === 'b')).toMatchObject({ state: 'offline', lastError: 'logged out: kicked' });
    expect(senders.at(-1)).toBe('b pause');
    await hub.stop();
    expect([...edges.values()].every((e) => e.stopped)).toBe(true);
  });

  it('applies registry edits: a disabled account stops (sender first), a new one starts, a budget change restarts it', async () => {
    const { hub, registry, edges, senders } = setup([spec('a'), spec('b')]);
    hub.start();
    edges.get('a')!.login();
    edges.get('b')!.login();
    const down = once(hub, 'down');
    registry.set([spec('a'), spec('b', { enabled: false }), spec('n')]);
    await hub.settled();
    expect(await down).toEqual(['b', 'disabled']);
    expect(senders.filter((l) => l.startsWith('b'))).toEqual(['b start false', 'b resume', 'b pause', 'b close']);
    expect(edges.get('b')!.stopped).toBe(true);
    expect(['a', 'b', 'n'].map((id) => hub.state(id))).toEqual(['online', 'disabled', 'offline']);
    expect(hub.list().map((s) => s.id)).toEqual(['a', 'b', 'n']);

    const firstA = edges.get('a')!;
    registry.set([spec('a', { budget: { ...spec('a').budget, ratePerMinute: 5 } }), spec('n', { name: 'renamed' })]);
    await hub.settled();
    expect(firstA.stopped).toBe(true);
    expect(edges.get('a')).not.toBe(firstA);
    expect(hub.state('a')).toBe('offline');
    expect(hub.get('n')?.name).toBe('renamed');
    expect(hub.state('b')).toBe('disabled');
    await hub.stop();
  });

  it("notes reach from inbound messages with the account that received them, and from friendships and the account's own group moves", async () => {
    const { hub, edges, inbound, reach } = setup([spec('a')]);
    hub.start();
    const e = edges.get('a')!;
    e.login();
    await expect.poll(() => reach.counts('a')).toEqual({ contacts: 2, rooms: 1 });
    const m = { id: 'm1', account: 'a', talkerId: 'x', talkerName: 'X', roomId: null, self: false, providerAt: 5, text: 'hi' } as unknown as InboundMessage;
    await e.handlers.onMessage(m);
    expect(inbound).toHaveLength(1);
    expect(reach.accountsReaching('contact', ['x'])).toEqual([{ account: 'a', targetId: 'x', seenAt: 5, lastInboundAt: 5 }]);
    e.handlers.onFriendship({ id: 'f', account: 'a', contactId: 'new', contactName: 'N', hello: '', type: 'confirm', at: 1 });
    e.handlers.onFriendship({ id: 'g', account: 'a', contactId: 'shared', contactName: 'S', hello: '', type: 'removed', at: 1 });
    e.handlers.onRoomEvent({ kind: 'leave', account: 'a', roomId: 'r-a@chatroom', roomTopic: '', contacts: [{ id: 'wxid_a', name: 'me' }], byId: null, at: 1 });
    e.handlers.onRoomEvent({ kind: 'join', account: 'a', roomId: 'other@chatroom', roomTopic: '', contacts: [{ id: 'someone', name: 'S' }], byId: null, at: 1 });
    expect(reach.accountsReaching('contact', ['new', 'shared']).map((r) => r.targetId)).toEqual(['new']);
    expect(reach.counts('a')).toEqual({ contacts: 3, rooms: 0 });
    await hub.stop();
  });

  it("accepts a friend request through the account that received it, which reaches the contact at once (before the provider's confirm)", async () => {
    const { hub, edges, reach } = setup([spec('a'), spec('b')]);
    hub.start();
    edges.get('a')!.login();
    edges.get('b')!.login();
    await expect.poll(() => reach.counts('b')).toEqual({ contacts: 2, rooms: 1 });
    edges.get('b')!.handlers.onFriendship({ id: 'fr-1', account: 'b', contactId: 'stranger', contactName: 'S', hello: 'hi', type: 'receive', at: 1 });
    expect(reach.accountsReaching('contact', ['stranger'])).toEqual([]);
    await hub.friendships.accept('fr-1');
    expect([edges.get('a')!.accepted, edges.get('b')!.accepted]).toEqual([[], ['fr-1']]);
    expect(reach.accountsReaching('contact', ['stranger']).map((r) => r.account)).toEqual(['b']);
    // A request this process did not hear (received before a restart) goes through the account recorded with it.
    await hub.friendships.accept('fr-old', { account: 'b', contactId: 'earlier' });
    expect(edges.get('b')!.accepted).toEqual(['fr-1', 'fr-old']);
    expect(reach.accountsReaching('contact', ['earlier']).map((r) => r.account)).toEqual(['b']);
    await expect(hub.friendships.accept('fr-gone', { account: 'c', contactId: 'x' })).rejects.toThrow('account c is not running; the accept waits');
    await hub.stop();
  });

  it("a group message that @-mentions any of the brand's accounts is addressed to the bot, whichever account's copy is kept", async () => {
    const { hub, edges, inbound } = setup([spec('a'), spec('b')]);
    hub.start();
    edges.get('a')!.login();
    edges.get('b')!.login();
    const m = {
      id: 'g1',
      account: 'a',
      talkerId: 'x',
      talkerName: 'X',
      roomId: 'r@chatroom',
      self: false,
      providerAt: 5,
      text: '@B 积分',
      mentionSelf: false,
      mentionIds: ['wxid_b'],
    } as unknown as InboundMessage;
    await edges.get('a')!.handlers.onMessage(m);
    await edges.get('a')!.handlers.onMessage({ ...m, id: 'g2', mentionIds: ['someone'] });
    expect(inbound.map((x) => [x.id, x.mentionSelf])).toEqual([
      ['g1', true],
      ['g2', false],
    ]);
    await hub.stop();
  });
});
