import { randomBytes, randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import net from 'node:net';
import * as PUPPET from 'wechaty-puppet';
import { mock } from 'wechaty-puppet-mock';
import { PuppetServer } from 'wechaty-puppet-service';
import type { Logger } from '../../../core/logger.js';
import type { Target } from '../../../core/messages.js';
import { splitSeed, type WorldAccountLayout } from './accounts.js';
import { WorldPuppet, isRoomId, type MessageBody, type WorldCard } from './puppet.js';
import { loadSeed, type WorldSeed } from './seed.js';
import { startTraffic } from './traffic.js';

export interface WorldOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default `insecure_world_<random>`; must look like `<prefix>_<anything>`. */
  token?: string;
  /** Default: the demo seed under `data/demo/`. */
  seed?: WorldSeed;
  /**
   * Ids of the accounts to host, each with its own endpoint and token (the first gets `port` and
   * `token`); the seed's people are spread over them (see splitSeed). Default one account, `main`.
   */
  accounts?: readonly string[];
  /** Exactly whom each hosted account reaches (instead of `accounts`). */
  layouts?: readonly WorldAccountLayout[];
  /** Simulated chatter; off unless enabled. */
  traffic?: { enabled: boolean; intervalMs: number };
  /**
   * How often the world's puppet sends a heartbeat (PuppetMock never does). Default 5 000 ms, well
   * under the smallest PUPPET_TIMEOUT_SECONDS (10) so the edge's watchdog never fires on the world.
   */
  heartbeatMs?: number;
  logger: Logger;
  /** Source of chance for the traffic; default Math.random. */
  random?: () => number;
}

/** What the bot account sent, as the world saw it arrive at the target. */
export interface BotMessage {
  id: string;
  /** The hosted account that sent it. */
  account: string;
  target: Target;
  type: 'text' | 'image' | 'video' | 'file' | 'link' | 'mini-program' | 'other';
  /** The text, a file name, a link or mini-program title. */
  text: string;
  mentionIds: string[];
  /** For links and mini-programs: the payload the bot sent. */
  payload?: PUPPET.payloads.UrlLink | PUPPET.payloads.MiniProgram;
  at: number;
}

export interface SayOptions {
  /** Say it in this group (the talker must be a member); otherwise a private message to the bot. */
  roomId?: string;
  /** Contacts @-mentioned; their `@name` is put in front of the text as WeChat does. */
  mentionIds?: string[];
  /** A private message goes to this hosted account (default: the first). */
  account?: string;
}

/** One account the world hosts: its own puppet-service endpoint and token, friends and groups. */
export interface WorldAccount {
  readonly id: string;
  readonly endpoint: string;
  readonly token: string;
  readonly port: number;
  /** The contact id the account logs in as. */
  readonly botId: string;
  /** What this account sent, oldest first. */
  readonly sent: readonly BotMessage[];
  /** Its friends now (staff and members). */
  friendIds(): string[];
  /** The groups it is in now. */
  roomIds(): string[];
  /** `contactId` writes to this account in private. */
  memberSays(contactId: string, text: string): Promise<string>;
  friendRequest(contactId: string, name: string, hello: string): Promise<string>;
  isFriend(contactId: string): boolean;
  contactRemovesBot(contactId: string): Promise<string>;
  isLoggedIn(): boolean;
  /**
   * Logs the account out, as when WeChat kicks a session. With `stayLoggedOut` it does not log in again
   * by itself (as an account waiting for a QR scan) until `logIn()`.
   */
  kickBot(reason?: string, opts?: { stayLoggedOut?: boolean }): Promise<void>;
  /** Logs a held account in again (the QR code scanned); its client, if connected, hears the login. */
  logIn(): void;
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
}

/**
 * Simulated WeChat accounts with a store's members, guides and groups, each served over its own
 * puppet-service endpoint. The top-level endpoint, token, bot and private-chat methods are the first
 * account's; `sent` holds every account's messages (each says which account sent it).
 */
export interface World {
  /** Every hosted account, the first being the one the top-level fields describe. */
  readonly accounts: readonly WorldAccount[];
  /** The hosted account `id`. @throws when the world does not host it. */
  account(id: string): WorldAccount;
  /** Hosts one more account (its own endpoint and token; friends with the staff, in no group). */
  addAccount(id: string): Promise<WorldAccount>;
  /** `host:port` of the first account's gRPC puppet-service server. */
  readonly endpoint: string;
  readonly token: string;
  readonly port: number;
  /** The contact id the bot account logs in as. */
  readonly botId: string;
  readonly seed: WorldSeed;
  /** Every message the bot sent, oldest first. */
  readonly sent: readonly BotMessage[];
  /**
   * A contact (member or staff) says `text` to the bot in private, or in `opts.roomId`.
   * Resolves with the message id once the puppet has emitted it.
   */
  memberSays(contactId: string, text: string, opts?: SayOptions): Promise<string>;
  /**
   * A person types `text` on the bot account's own phone, in `to.roomId` or privately to `to.contactId`.
   * The bot receives it as its own message (`self`), like the echo of its automatic sends.
   */
  accountSays(text: string, to: { roomId?: string; contactId?: string; mentionIds?: string[] }): Promise<string>;
  /**
   * Someone asks to add the bot account as a friend with greeting `hello` (a stranger named `name`
   * unless `contactId` is already in the world). Resolves with the friendship id once emitted.
   */
  friendRequest(contactId: string, name: string, hello: string): Promise<string>;
  /** True once the bot accepted a request from `contactId`, until they remove it. */
  isFriend(contactId: string): boolean;
  /** `contactId` deletes the bot account; the bot receives WeChat's system notice in their private chat. */
  contactRemovesBot(contactId: string): Promise<string>;
  /**
   * `contactId` joins group `roomId`, invited by `inviterId` (default: the bot account), through PuppetMock's
   * `room.add(c).by(inviter)`: the puppet emits `room-join` to the bot. A contact new to the world is
   * created with `opts.name`. Resolves once the event is emitted.
   */
  memberJoins(roomId: string, contactId: string, inviterId?: string, opts?: { name?: string }): Promise<void>;
  /**
   * `contactId` leaves group `roomId` (removed by `removerId`; default: they leave themselves) through
   * `room.remove(c).by(remover)`: the puppet emits `room-leave` to the bot.
   */
  memberLeaves(roomId: string, contactId: string, removerId?: string): Promise<void>;
  /** `contactId` posts a link card, mini-program card or image (by file name) in `opts.roomId` or privately. */
  memberPosts(contactId: string, card: WorldCard, opts?: { roomId?: string }): Promise<string>;
  /** Contact ids in group `roomId` now (the bot account included). */
  roomMemberIds(roomId: string): string[];
  /** Calls `listener` for each message the bot sends from now on; returns an unsubscribe function. */
  onBotMessage(listener: (m: BotMessage) => void): () => void;
  /** The first message the bot sent (already, or later) matching `match`; rejects after `timeoutMs`. */
  waitForBotMessage(match: (m: BotMessage) => boolean, timeoutMs?: number): Promise<BotMessage>;
  /** True while the world's account is logged in. */
  isLoggedIn(): boolean;
  /** Logs the account out, as when WeChat kicks a session. */
  kickBot(reason?: string): Promise<void>;
  /**
   * Stops only the gRPC server; the account stays logged in inside the world. What people say meanwhile
   * is kept and delivered, in order, when a client starts the puppet again (as providers do).
   */
  stopServer(): Promise<void>;
  /** Starts the gRPC server again on the same port. */
  startServer(): Promise<void>;
  /** Stops everything; safe to call twice. */
  stop(): Promise<void>;
}

/** One account's puppet, its gRPC server and its record of what it sent. */
interface Host {
  layout: WorldAccountLayout;
  mocker: mock.Mocker;
  puppet: WorldPuppet;
  botContact: mock.ContactMock;
  roomMocks: Map<string, mock.RoomMock>;
  endpoint: string;
  port: number;
  token: string;
  server: PuppetServer | undefined;
  sent: BotMessage[];
  /** Logged out and not logging in by itself until `logIn()` (kickBot with stayLoggedOut). */
  loginHeld: boolean;
}

/**
 * Starts the simulated world: for each hosted account a PuppetMock seeded with the store, behind its own
 * PuppetServer (TLS off), with its own friends and groups (shared groups and friends of two accounts
 * included). One account (the default) is the world as it always was. It registers no process handlers
 * and never exits the process.
 * @example
 * const world = await startWorld({ logger, traffic: { enabled: false, intervalMs: 8000 } })
 * // connect with WECHATY_PUPPET_SERVICE_ENDPOINT=world.endpoint, TOKEN=world.token, NO_TLS=true
 * await world.memberSays('m001', '入会')
 * await world.stop()
 */
export async function startWorld(opts: WorldOptions): Promise<World> {
  const log = opts.logger.child({ mod: 'world' });
  const host = opts.host ?? '127.0.0.1';
  const seed = opts.seed ?? loadSeed();
  const random = opts.random ?? Math.random;
  const heartbeatMs = opts.heartbeatMs ?? 5_000;
  const layouts = opts.layouts ?? splitSeed(seed, opts.accounts?.length ? opts.accounts : ['main']);
  const allLayouts = [...layouts];
  const botIds = new Set(layouts.map((l) => l.bot.id));
  const names = new Map([...layouts.map((l) => l.bot), ...seed.staff, ...seed.members].map((c) => [c.id, c.name]));
  const sent: BotMessage[] = [];
  const listeners = new Set<(m: BotMessage) => void>();

  const hosts: Host[] = [];
  const makeHost = async (layout: WorldAccountLayout, k: number): Promise<Host> => {
    const port = k === 0 && opts.port && opts.port > 0 ? opts.port : await freePort(host);
    const token = k === 0 && opts.token ? opts.token : `insecure_world_${randomBytes(6).toString('hex')}`;
    const mocker = new mock.Mocker();
    const puppet = new WorldPuppet(mocker);
    const friends = new Set(layout.friends);
    let botContact: mock.ContactMock | undefined;
    for (const c of [...allLayouts.map((l) => l.bot), ...seed.staff, ...seed.members]) {
      const made = mocker.createContact({ id: c.id, name: c.name, friend: friends.has(c.id) });
      if (c.id === layout.bot.id) botContact = made;
    }
    const roomMocks = new Map<string, mock.RoomMock>();
    for (const r of seed.rooms) {
      if (!layout.rooms.includes(r.id)) continue;
      const bots = allLayouts.filter((l) => l.rooms.includes(r.id)).map((l) => l.bot.id);
      roomMocks.set(r.id, mocker.createRoom({ id: r.id, topic: r.topic, memberIdList: [...bots, ...r.staffIds, ...r.memberIds] }));
    }
    const h: Host = { layout, mocker, puppet, botContact: botContact!, roomMocks, endpoint: `${host}:${port}`, port, token, server: undefined, sent: [], loginHeld: false };
    // PuppetMock never logs in, never says `ready` and never beats: do it on every puppet start.
    mocker.use(() => {
      if (!h.loginHeld) {
        if (!puppet.isLoggedIn) mocker.login(h.botContact);
        puppet.emit('ready', { data: 'world ready' });
        log.info({ account: layout.id, botId: layout.bot.id }, 'world: bot account logged in');
      }
      const beat = setInterval(() => puppet.emit('heartbeat', { data: 'world heartbeat' }), heartbeatMs);
      return () => clearInterval(beat);
    });
    // The bot's own ContactMock emits `message` for everything it talks; keep only what it said.
    (h.botContact as unknown as EventEmitter).on('message', (msg: { payload: PUPPET.payloads.Message }) => {
      const p = msg.payload;
      if (p.talkerId !== layout.bot.id) return;
      const m = toBotMessage(p, puppet, layout.id);
      sent.push(m);
      h.sent.push(m);
      log.debug({ account: layout.id, target: m.target, type: m.type }, 'world: bot sent a message');
      for (const l of listeners) {
        try {
          l(m);
        } catch (err) {
          log.error({ err }, 'world: onBotMessage listener threw');
        }
      }
    });
    // A provider keeps what people say while its client is away and delivers it when the client is back.
    puppet.onClientStart = () => {
      const n = puppet.releaseMessages();
      if (n) log.info({ account: layout.id, messages: n }, 'world: messages said while the bot was away delivered');
    };
    return h;
  };
  for (const [k, layout] of layouts.entries()) hosts.push(await makeHost(layout, k));
  const primary = hosts[0]!;

  const startServer = async (h: Host) => {
    if (h.server) return;
    const s = new PuppetServer({ endpoint: h.endpoint, puppet: h.puppet, token: h.token, tls: { disable: true } });
    // PuppetServer still calls grpc-js's deprecated server.start(): its one-off DeprecationWarning on
    // stderr is noise to a user of the world, so it is silenced (it is checked when emitted).
    const noDeprecation = process.noDeprecation;
    process.noDeprecation = true;
    try {
      await s.start();
    } catch (err) {
      await s.stop().catch(() => undefined);
      throw new Error(`world: cannot listen on ${h.endpoint}: ${(err as Error).message}`, { cause: err });
    } finally {
      process.noDeprecation = noDeprecation;
    }
    h.server = s;
    log.info({ account: h.layout.id, endpoint: h.endpoint }, 'world: puppet-service listening');
  };
  const stopServer = async (h: Host) => {
    const s = h.server;
    h.server = undefined;
    if (!s) return;
    h.puppet.holdMessages();
    await s.stop();
    log.info({ account: h.layout.id, endpoint: h.endpoint }, 'world: puppet-service stopped');
  };
  for (const h of hosts) await startServer(h);

  const hostOf = (account: string | undefined): Host => {
    if (account === undefined) return primary;
    const h = hosts.find((x) => x.layout.id === account);
    if (!h) throw new Error(`world: no account "${account}"; hosted: ${hosts.map((x) => x.layout.id).join(', ')}`);
    return h;
  };
  /** The hosts in group `roomId` (whose bot is a member now). */
  const inRoom = (roomId: string): Host[] => {
    const found = hosts.filter((h) => h.roomMocks.has(roomId));
    if (!found.length) throw new Error(`world: no group with id "${roomId}"`);
    return found;
  };
  const memberIds = (roomId: string): string[] => [...(inRoom(roomId)[0]!.mocker.roomPayload(roomId) as PUPPET.payloads.Room).memberIdList];

  /** A message in a group reaches every account in it (one id); a private one reaches `h` only. */
  const emit = (talkerId: string, roomId: string | undefined, h: Host, body: MessageBody): string => {
    if (roomId === undefined) return h.puppet.emitMessage(talkerId, h.layout.bot.id, body);
    const id = randomUUID();
    for (const x of inRoom(roomId))
      if ((x.mocker.roomPayload(roomId) as PUPPET.payloads.Room).memberIdList.includes(x.layout.bot.id)) x.puppet.emitMessage(talkerId, roomId, body, id);
    return id;
  };

  const say = (talkerId: string, text: string, o: SayOptions = {}): string => {
    if (!names.has(talkerId) || botIds.has(talkerId)) throw new Error(`world: no member or staff with id "${talkerId}"`);
    const roomId = o.roomId;
    if (roomId !== undefined && !memberIds(roomId).includes(talkerId)) throw new Error(`world: ${talkerId} is not in ${roomId}`);
    const mentionIdList = o.mentionIds ?? [];
    const mentionText = mentionIdList.map((id) => `@${names.get(id) ?? id}`).join('\u2005');
    const fullText = mentionText && !text.includes('@') ? `${mentionText}\u2005${text}` : text;
    return emit(talkerId, roomId, hostOf(o.account), { type: PUPPET.types.Message.Text, text: fullText, mentionIdList });
  };

  /** Applies a group change in every account's copy of the group (each bot in it hears the event). */
  const eachRoomCopy = (roomId: string, fn: (room: mock.RoomMock, contact: (id: string) => mock.ContactMock) => void) => {
    for (const h of inRoom(roomId)) {
      fn(h.roomMocks.get(roomId)!, (id) => {
        if (!names.has(id)) throw new Error(`world: no contact with id "${id}"`);
        return h.mocker.ContactMock.load(id);
      });
    }
  };

  const stopTraffic = opts.traffic?.enabled
    ? startTraffic({
        seed,
        random,
        intervalMs: opts.traffic.intervalMs,
        emit: (e) => {
          if (!primary.puppet.isLoggedIn || !primary.server) return;
          say(e.talkerId, e.text, e.roomId ? { roomId: e.roomId } : {});
          log.debug({ talker: names.get(e.talkerId), roomId: e.roomId, text: e.text }, 'world: traffic');
        },
      })
    : () => undefined;

  const accountView = (h: Host): WorldAccount => ({
    id: h.layout.id,
    endpoint: h.endpoint,
    token: h.token,
    port: h.port,
    botId: h.layout.bot.id,
    sent: h.sent,
    friendIds: () => [...names.keys()].filter((id) => !botIds.has(id) && h.puppet.isFriend(id)),
    roomIds: () => [...h.roomMocks.keys()].filter((r) => (h.mocker.roomPayload(r) as PUPPET.payloads.Room).memberIdList.includes(h.layout.bot.id)),
    memberSays: async (contactId, text) => say(contactId, text, { account: h.layout.id }),
    friendRequest: async (contactId, name, hello) => {
      if (botIds.has(contactId) || isRoomId(contactId)) throw new Error(`world: "${contactId}" cannot ask to be a friend`);
      if (!names.has(contactId)) {
        names.set(contactId, name);
        for (const x of hosts) if (x !== h) x.mocker.createContact({ id: contactId, name, friend: false });
      }
      return h.puppet.emitFriendRequest(contactId, name, hello);
    },
    isFriend: (contactId) => h.puppet.isFriend(contactId),
    contactRemovesBot: async (contactId) => h.puppet.emitRemovedBy(contactId),
    isLoggedIn: () => h.puppet.isLoggedIn,
    kickBot: async (reason, o) => {
      h.loginHeld = o?.stayLoggedOut === true;
      await h.puppet.kick(reason);
    },
    logIn: () => {
      if (!h.loginHeld) return;
      h.loginHeld = false;
      if (!h.puppet.state.active() || h.puppet.isLoggedIn) return;
      h.mocker.login(h.botContact);
      h.puppet.emit('ready', { data: 'world ready' });
      log.info({ account: h.layout.id, botId: h.layout.bot.id }, 'world: bot account logged in again');
    },
    stopServer: () => stopServer(h),
    startServer: () => startServer(h),
  });
  const accounts: WorldAccount[] = hosts.map(accountView);
  const main = accounts[0]!;

  let stopping: Promise<void> | undefined;
  const world: World = {
    endpoint: primary.endpoint,
    token: primary.token,
    port: primary.port,
    botId: primary.layout.bot.id,
    seed,
    sent,
    accounts,
    account: (id) => accounts[hosts.indexOf(hostOf(id))]!,
    addAccount: async (id) => {
      if (hosts.some((h) => h.layout.id === id)) return world.account(id);
      const layout: WorldAccountLayout = { id, bot: { id: `wxid_siyu_${id.replace(/[^A-Za-z0-9_-]/g, '_')}`, name: id }, friends: seed.staff.map((x) => x.id), rooms: [] };
      allLayouts.push(layout);
      botIds.add(layout.bot.id);
      names.set(layout.bot.id, layout.bot.name);
      for (const h of hosts) h.mocker.createContact({ id: layout.bot.id, name: layout.bot.name, friend: false });
      const h = await makeHost(layout, hosts.length);
      await startServer(h);
      hosts.push(h);
      accounts.push(accountView(h));
      log.info({ account: id, endpoint: h.endpoint }, 'world: account added');
      return accounts.at(-1)!;
    },
    memberSays: async (contactId, text, o) => say(contactId, text, o),
    accountSays: async (text, to) => {
      const conversationId = to.roomId ?? to.contactId;
      if (!conversationId) throw new Error('world: accountSays needs a roomId or a contactId');
      return primary.puppet.emitMessage(primary.layout.bot.id, conversationId, { type: PUPPET.types.Message.Text, text, mentionIdList: to.mentionIds ?? [] });
    },
    friendRequest: (contactId, name, hello) => main.friendRequest(contactId, name, hello),
    memberJoins: async (roomId, contactId, inviterId, o) => {
      if (botIds.has(contactId) || isRoomId(contactId)) throw new Error(`world: "${contactId}" cannot join a group here`);
      if (!names.has(contactId)) {
        for (const h of hosts) h.mocker.createContact({ id: contactId, name: o?.name ?? contactId, friend: false });
        names.set(contactId, o?.name ?? contactId);
      }
      if (memberIds(roomId).includes(contactId)) throw new Error(`world: ${contactId} is already in ${roomId}`);
      const inviter = inviterId ?? inRoom(roomId)[0]!.layout.bot.id;
      eachRoomCopy(roomId, (room, contact) => room.add(contact(contactId)).by(contact(inviter)));
    },
    memberLeaves: async (roomId, contactId, removerId) => {
      if (!memberIds(roomId).includes(contactId)) throw new Error(`world: ${contactId} is not in ${roomId}`);
      eachRoomCopy(roomId, (room, contact) => room.remove(contact(contactId)).by(contact(removerId ?? contactId)));
    },
    memberPosts: async (contactId, card, o = {}) => {
      if (!names.has(contactId) || botIds.has(contactId)) throw new Error(`world: no member or staff with id "${contactId}"`);
      if (o.roomId !== undefined && !memberIds(o.roomId).includes(contactId)) throw new Error(`world: ${contactId} is not in ${o.roomId}`);
      if (o.roomId === undefined) return primary.puppet.emitCard(contactId, primary.layout.bot.id, card);
      const id = randomUUID();
      for (const h of inRoom(o.roomId)) h.puppet.emitCard(contactId, o.roomId, card, id);
      return id;
    },
    roomMemberIds: (roomId) => memberIds(roomId),
    isFriend: (contactId) => main.isFriend(contactId),
    contactRemovesBot: (contactId) => main.contactRemovesBot(contactId),
    onBotMessage: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    waitForBotMessage: (match, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const already = sent.find(match);
        if (already) return resolve(already);
        const timer = setTimeout(() => {
          off();
          reject(new Error(`world: the bot sent no matching message within ${timeoutMs} ms`));
        }, timeoutMs);
        const off = world.onBotMessage((m) => {
          if (!match(m)) return;
          clearTimeout(timer);
          off();
          resolve(m);
        });
      }),
    isLoggedIn: () => main.isLoggedIn(),
    kickBot: (reason) => main.kickBot(reason),
    stopServer: async () => {
      for (const h of hosts) await stopServer(h);
    },
    startServer: async () => {
      for (const h of hosts) await startServer(h);
    },
    stop: () => {
      stopping ??= (async () => {
        stopTraffic();
        listeners.clear();
        for (const h of hosts) {
          await stopServer(h);
          if (h.puppet.state.active()) await h.puppet.stop();
        }
        log.info('world: stopped');
      })();
      return stopping;
    },
  };
  return world;
}

function toBotMessage(p: PUPPET.payloads.Message, puppet: WorldPuppet, account: string): BotMessage {
  const target: Target = p.roomId ? { kind: 'room', id: p.roomId } : { kind: 'contact', id: p.listenerId ?? '' };
  const T = PUPPET.types.Message;
  const type: BotMessage['type'] =
    p.type === T.Text
      ? 'text'
      : p.type === T.Image
        ? 'image'
        : p.type === T.Video
          ? 'video'
          : p.type === T.Attachment
            ? 'file'
            : p.type === T.Url
              ? 'link'
              : p.type === T.MiniProgram
                ? 'mini-program'
                : 'other';
  const mentionIds = 'mentionIdList' in p && p.mentionIdList ? [...p.mentionIdList] : [];
  const payload = puppet.attachment(p.id);
  return { id: p.id, account, target, type, text: p.text ?? '', mentionIds, ...(payload ? { payload } : {}), at: p.timestamp };
}

/** Asks the OS for a free TCP port on `host`. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}
