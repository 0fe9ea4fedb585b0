import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import net from 'node:net';
import * as PUPPET from 'wechaty-puppet';
import { mock } from 'wechaty-puppet-mock';
import { PuppetServer } from 'wechaty-puppet-service';
import type { Logger } from '../../../core/logger.js';
import type { Target } from '../../../core/messages.js';
import { WorldPuppet, isRoomId, type WorldCard } from './puppet.js';
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
}

/** A simulated WeChat account with a store's members, guides and groups, served over puppet-service. */
export interface World {
  /** `host:port` of the gRPC puppet-service server. */
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

/**
 * Starts the simulated world: a PuppetMock seeded with the store, behind a PuppetServer (TLS off).
 * It registers no process handlers and never exits the process.
 * @example
 * const world = await startWorld({ logger, traffic: { enabled: false, intervalMs: 8000 } })
 * // connect with WECHATY_PUPPET_SERVICE_ENDPOINT=world.endpoint, TOKEN=world.token, NO_TLS=true
 * await world.memberSays('m001', '入会')
 * await world.stop()
 */
export async function startWorld(opts: WorldOptions): Promise<World> {
  const log = opts.logger.child({ mod: 'world' });
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port && opts.port > 0 ? opts.port : await freePort(host);
  const endpoint = `${host}:${port}`;
  const token = opts.token ?? `insecure_world_${randomBytes(6).toString('hex')}`;
  const seed = opts.seed ?? loadSeed();
  const random = opts.random ?? Math.random;
  const heartbeatMs = opts.heartbeatMs ?? 5_000;

  const mocker = new mock.Mocker();
  const puppet = new WorldPuppet(mocker);
  const botContact = mocker.createContact({ id: seed.bot.id, name: seed.bot.name });
  for (const c of [...seed.staff, ...seed.members]) mocker.createContact({ id: c.id, name: c.name });
  const roomMocks = new Map<string, mock.RoomMock>();
  for (const r of seed.rooms) {
    roomMocks.set(r.id, mocker.createRoom({ id: r.id, topic: r.topic, memberIdList: [seed.bot.id, ...r.staffIds, ...r.memberIds] }));
  }
  const names = new Map([seed.bot, ...seed.staff, ...seed.members].map((c) => [c.id, c.name]));

  // PuppetMock never logs in, never says `ready` and never beats: do it on every puppet start.
  mocker.use(() => {
    if (!puppet.isLoggedIn) mocker.login(botContact);
    puppet.emit('ready', { data: 'world ready' });
    log.info({ botId: seed.bot.id }, 'world: bot account logged in');
    const beat = setInterval(() => puppet.emit('heartbeat', { data: 'world heartbeat' }), heartbeatMs);
    return () => clearInterval(beat);
  });

  const sent: BotMessage[] = [];
  const listeners = new Set<(m: BotMessage) => void>();
  // The bot's own ContactMock emits `message` for everything it talks; keep only what it said.
  (botContact as unknown as EventEmitter).on('message', (msg: { payload: PUPPET.payloads.Message }) => {
    const p = msg.payload;
    if (p.talkerId !== seed.bot.id) return;
    const m = toBotMessage(p, puppet);
    sent.push(m);
    log.debug({ target: m.target, type: m.type }, 'world: bot sent a message');
    for (const l of listeners) {
      try {
        l(m);
      } catch (err) {
        log.error({ err }, 'world: onBotMessage listener threw');
      }
    }
  });

  let server: PuppetServer | undefined;
  // A provider keeps what people say while its client is away and delivers it when the client is back.
  puppet.onClientStart = () => {
    const n = puppet.releaseMessages();
    if (n) log.info({ messages: n }, 'world: messages said while the bot was away delivered');
  };
  const startServer = async () => {
    if (server) return;
    const s = new PuppetServer({ endpoint, puppet, token, tls: { disable: true } });
    try {
      await s.start();
    } catch (err) {
      await s.stop().catch(() => undefined);
      throw new Error(`world: cannot listen on ${endpoint}: ${(err as Error).message}`, { cause: err });
    }
    server = s;
    log.info({ endpoint }, 'world: puppet-service listening');
  };
  const stopServer = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    puppet.holdMessages();
    await s.stop();
    log.info({ endpoint }, 'world: puppet-service stopped');
  };
  await startServer();

  const say = (talkerId: string, text: string, o: SayOptions = {}): string => {
    if (!names.has(talkerId) || talkerId === seed.bot.id) throw new Error(`world: no member or staff with id "${talkerId}"`);
    const roomId = o.roomId;
    if (roomId !== undefined) {
      const room = mocker.roomPayload(roomId) as PUPPET.payloads.Room;
      if (!room.memberIdList.includes(talkerId)) throw new Error(`world: ${talkerId} is not in ${roomId}`);
    }
    const mentionIdList = o.mentionIds ?? [];
    const mentionText = mentionIdList.map((id) => `@${names.get(id) ?? id}`).join('\u2005');
    const fullText = mentionText && !text.includes('@') ? `${mentionText}\u2005${text}` : text;
    return puppet.emitMessage(talkerId, roomId ?? seed.bot.id, { type: PUPPET.types.Message.Text, text: fullText, mentionIdList });
  };

  const roomMock = (roomId: string): mock.RoomMock => {
    const room = roomMocks.get(roomId);
    if (!room) throw new Error(`world: no group with id "${roomId}"`);
    return room;
  };
  const contactMock = (id: string): mock.ContactMock => {
    if (!names.has(id)) throw new Error(`world: no contact with id "${id}"`);
    return mocker.ContactMock.load(id);
  };
  const memberIds = (roomId: string): string[] => [...(mocker.roomPayload(roomId) as PUPPET.payloads.Room).memberIdList];

  const stopTraffic = opts.traffic?.enabled
    ? startTraffic({
      seed, random, intervalMs: opts.traffic.intervalMs,
      emit: (e) => {
        if (!puppet.isLoggedIn || !server) return;
        say(e.talkerId, e.text, e.roomId ? { roomId: e.roomId } : {});
        log.debug({ talker: names.get(e.talkerId), roomId: e.roomId, text: e.text }, 'world: traffic');
      },
    })
    : () => undefined;

  let stopping: Promise<void> | undefined;
  const world: World = {
    endpoint, token, port, botId: seed.bot.id, seed, sent,
    memberSays: async (contactId, text, o) => say(contactId, text, o),
    accountSays: async (text, to) => {
      const conversationId = to.roomId ?? to.contactId;
      if (!conversationId) throw new Error('world: accountSays needs a roomId or a contactId');
      return puppet.emitMessage(seed.bot.id, conversationId, { type: PUPPET.types.Message.Text, text, mentionIdList: to.mentionIds ?? [] });
    },
    friendRequest: async (contactId, name, hello) => {
      if (contactId === seed.bot.id || isRoomId(contactId)) throw new Error(`world: "${contactId}" cannot ask to be a friend`);
      names.set(contactId, names.get(contactId) ?? name);
      return puppet.emitFriendRequest(contactId, name, hello);
    },
    memberJoins: async (roomId, contactId, inviterId, o) => {
      const room = roomMock(roomId);
      if (contactId === seed.bot.id || isRoomId(contactId)) throw new Error(`world: "${contactId}" cannot join a group here`);
      if (!names.has(contactId)) {
        mocker.createContact({ id: contactId, name: o?.name ?? contactId, friend: false });
        names.set(contactId, o?.name ?? contactId);
      }
      if (memberIds(roomId).includes(contactId)) throw new Error(`world: ${contactId} is already in ${roomId}`);
      room.add(contactMock(contactId)).by(contactMock(inviterId ?? seed.bot.id));
    },
    memberLeaves: async (roomId, contactId, removerId) => {
      const room = roomMock(roomId);
      if (!memberIds(roomId).includes(contactId)) throw new Error(`world: ${contactId} is not in ${roomId}`);
      room.remove(contactMock(contactId)).by(contactMock(removerId ?? contactId));
    },
    memberPosts: async (contactId, card, o = {}) => {
      if (!names.has(contactId) || contactId === seed.bot.id) throw new Error(`world: no member or staff with id "${contactId}"`);
      if (o.roomId !== undefined && !memberIds(o.roomId).includes(contactId)) throw new Error(`world: ${contactId} is not in ${o.roomId}`);
      return puppet.emitCard(contactId, o.roomId ?? seed.bot.id, card);
    },
    roomMemberIds: (roomId) => memberIds(roomId),
    isFriend: (contactId) => puppet.isFriend(contactId),
    contactRemovesBot: async (contactId) => puppet.emitRemovedBy(contactId),
    onBotMessage: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    waitForBotMessage: (match, timeoutMs = 10_000) => new Promise((resolve, reject) => {
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
    isLoggedIn: () => puppet.isLoggedIn,
    kickBot: (reason) => puppet.kick(reason),
    stopServer,
    startServer,
    stop: () => {
      stopping ??= (async () => {
        stopTraffic();
        listeners.clear();
        await stopServer();
        if (puppet.state.active()) await puppet.stop();
        log.info('world: stopped');
      })();
      return stopping;
    },
  };
  return world;
}

function toBotMessage(p: PUPPET.payloads.Message, puppet: WorldPuppet): BotMessage {
  const target: Target = p.roomId ? { kind: 'room', id: p.roomId } : { kind: 'contact', id: p.listenerId ?? '' };
  const T = PUPPET.types.Message;
  const type: BotMessage['type'] = p.type === T.Text ? 'text'
    : p.type === T.Image ? 'image'
      : p.type === T.Video ? 'video'
        : p.type === T.Attachment ? 'file'
          : p.type === T.Url ? 'link'
            : p.type === T.MiniProgram ? 'mini-program' : 'other';
  const mentionIds = 'mentionIdList' in p && p.mentionIdList ? [...p.mentionIdList] : [];
  const payload = puppet.attachment(p.id);
  return { id: p.id, target, type, text: p.text ?? '', mentionIds, ...(payload ? { payload } : {}), at: p.timestamp };
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

