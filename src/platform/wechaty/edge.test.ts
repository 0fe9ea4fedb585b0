import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PermanentSendError, TransientSendError } from '../../core/errors.js';
import type { InboundMessage } from '../../core/messages.js';
import { createWechatyEdge, type WechatyEdge, type WechatyEdgeOptions } from './edge.js';
import { isolateWechaty, nextEvent, recordingLogger } from './testing.js';
import { startWorld, type World } from './world/server.js';

const ROOM_A = 'hz01-a@chatroom';
let restoreHome: () => void;
let world: World | undefined;
let edge: WechatyEdge | undefined;

beforeAll(() => {
  restoreHome = isolateWechaty();
});
afterAll(() => restoreHome());
afterEach(async () => {
  await edge?.stop();
  await world?.stop();
  edge = undefined;
  world = undefined;
});

/** Starts a world (heartbeat every 200 ms) and an edge on it, collecting inbound messages. */
async function setup(edgeOpts: Partial<WechatyEdgeOptions> = {}, worldOpts: { heartbeatMs?: number; traffic?: boolean } = {}) {
  const rec = recordingLogger();
  const w = await startWorld({
    logger: rec.logger,
    heartbeatMs: worldOpts.heartbeatMs ?? 200,
    traffic: { enabled: worldOpts.traffic ?? false, intervalMs: 200 },
  });
  world = w;
  const inbound: InboundMessage[] = [];
  const waiters = new Set<() => void>();
  let handler: (m: InboundMessage) => Promise<void> | void = () => undefined;
  const e = createWechatyEdge(
    {
      endpoint: w.endpoint,
      token: w.token,
      noTls: true,
      account: 'main',
      timeoutSeconds: 5,
      maxBackoffSeconds: 1,
      baseBackoffMs: 100,
      loginTimeoutSeconds: 10,
      ...edgeOpts,
    },
    rec.logger,
    async (m) => {
      inbound.push(m);
      waiters.forEach((f) => f());
      await handler(m);
    },
  );
  edge = e;
  const waitInbound = (match: (m: InboundMessage) => boolean) =>
    new Promise<InboundMessage>((resolve) => {
      const check = () => {
        const found = inbound.find(match);
        if (!found) return;
        waiters.delete(check);
        resolve(found);
      };
      waiters.add(check);
      check();
    });
  return {
    world: w,
    edge: e,
    inbound,
    waitInbound,
    rec,
    setHandler: (h: typeof handler) => {
      handler = h;
    },
  };
}

describe('wechaty edge over puppet-service', () => {
  it("logs in and hands in a member's group message, with @bot, as an InboundMessage", async () => {
    const { world, edge, waitInbound } = await setup();
    const login = nextEvent(edge, 'login');
    await edge.start();
    expect(edge.isLoggedIn()).toBe(true);
    expect(edge.selfId()).toBe(world.botId);
    expect(await login).toEqual([world.botId]);

    const id = await world.memberSays('m001', '请问这款奶粉几段适合一岁宝宝？', { roomId: ROOM_A, mentionIds: [world.botId] });
    const m = await waitInbound((x) => x.id === id);
    expect(m).toMatchObject({
      account: 'main',
      talkerId: 'm001',
      talkerName: '张丽娜',
      roomId: ROOM_A,
      roomTopic: '湖滨店宝妈交流1群',
      type: 'text',
      mentionSelf: true,
      mentionIds: [world.botId],
      self: false,
    });
    expect(m.text).toContain('请问这款奶粉几段适合一岁宝宝？');
    expect(m.providerAt).toBeGreaterThan(0);

    const plain = await world.memberSays('m002', '大家早上好呀～', { roomId: ROOM_A });
    expect(await waitInbound((x) => x.id === plain)).toMatchObject({ text: '大家早上好呀～', mentionSelf: false, mentionIds: [] });
  }, 60_000);

  it('hands in private messages, and survives a handler that throws', async () => {
    const { world, edge, waitInbound, rec, setHandler } = await setup();
    await edge.start();
    setHandler((m) => {
      if (m.text === '入会') throw new Error('handler bug');
    });
    const first = await world.memberSays('m049', '入会');
    expect(await waitInbound((x) => x.id === first)).toMatchObject({
      talkerId: 'm049',
      roomId: null,
      roomTopic: null,
      type: 'text',
      text: '入会',
      mentionSelf: false,
      self: false,
    });
    await rec.waitFor((l) => l.msg === 'wechaty: message handler failed');
    const second = await world.memberSays('m049', '积分');
    expect(await waitInbound((x) => x.id === second)).toMatchObject({ text: '积分' });
  }, 60_000);

  it('sends text to a contact and to a room (with mentions); the world sees them and the bot sees its own echo', async () => {
    const { world, edge, waitInbound } = await setup();
    await edge.start();
    const toContact = await edge.transport.send({ kind: 'contact', id: 'm003' }, { kind: 'text', text: '您好，欢迎入会' });
    const seen = await world.waitForBotMessage((m) => m.id === toContact.messageId);
    expect(seen).toMatchObject({ target: { kind: 'contact', id: 'm003' }, type: 'text', text: '您好，欢迎入会' });

    const toRoom = await edge.transport.send({ kind: 'room', id: ROOM_A }, { kind: 'text', text: '今晚8点直播', mentionIds: ['m001'] });
    const inRoom = await world.waitForBotMessage((m) => m.id === toRoom.messageId);
    expect(inRoom).toMatchObject({ target: { kind: 'room', id: ROOM_A }, mentionIds: ['m001'] });
    expect(inRoom.text).toBe('@张丽娜 今晚8点直播');
    expect(await waitInbound((x) => x.id === toRoom.messageId)).toMatchObject({ self: true, roomId: ROOM_A });
  }, 60_000);

  it('sends links, mini-programs and images without fetching anything', async () => {
    const { world, edge } = await setup();
    await edge.start();
    const to = { kind: 'contact', id: 'm004' } as const;
    const link = await edge.transport.send(to, { kind: 'link', url: 'https://shop.example/day', title: '会员日', description: '全场9折' });
    expect(await world.waitForBotMessage((m) => m.id === link.messageId)).toMatchObject({
      type: 'link',
      payload: { url: 'https://shop.example/day', title: '会员日', description: '全场9折' },
    });
    const mini = await edge.transport.send(to, { kind: 'mini-program', appid: 'wx0001', title: '积分商城', pagePath: 'pages/points' });
    expect(await world.waitForBotMessage((m) => m.id === mini.messageId)).toMatchObject({
      type: 'mini-program',
      payload: { appid: 'wx0001', title: '积分商城', pagePath: 'pages/points' },
    });
    const image = await edge.transport.send(to, { kind: 'image', url: 'https://shop.example/poster.png' });
    expect(await world.waitForBotMessage((m) => m.id === image.messageId)).toMatchObject({ type: 'image', text: 'poster.png' });
    // an image file (a Moments picture sent to a guide after their card) goes over gRPC as well
    const file = await edge.transport.send(to, { kind: 'image', path: 'sop/moments/images/2026-11-25-1.png', name: '2026-11-25-1.png' });
    expect(await world.waitForBotMessage((m) => m.id === file.messageId)).toMatchObject({ type: 'image', text: '2026-11-25-1.png' });
  }, 60_000);

  it('refuses unknown targets permanently and sends while offline transiently', async () => {
    const { edge } = await setup();
    await expect(edge.transport.send({ kind: 'contact', id: 'm001' }, { kind: 'text', text: 'x' })).rejects.toBeInstanceOf(TransientSendError);
    await edge.start();
    await expect(edge.transport.send({ kind: 'contact', id: 'nobody' }, { kind: 'text', text: 'x' })).rejects.toBeInstanceOf(PermanentSendError);
    await expect(edge.transport.send({ kind: 'room', id: 'gone@chatroom' }, { kind: 'text', text: 'x' })).rejects.toBeInstanceOf(PermanentSendError);
    await expect(edge.transport.send({ kind: 'room', id: 'not-a-room' }, { kind: 'text', text: 'x' })).rejects.toBeInstanceOf(PermanentSendError);
    await expect(edge.transport.send({ kind: 'contact', id: 'm001' }, { kind: 'image' })).rejects.toBeInstanceOf(PermanentSendError);
  }, 60_000);

  it("hands in the world's simulated traffic", async () => {
    const { edge, inbound, waitInbound, rec } = await setup({}, { traffic: true });
    await edge.start();
    await waitInbound(() => inbound.filter((m) => !m.self).length >= 3);
    expect(inbound.every((m) => m.talkerName.length > 0)).toBe(true);
    expect(rec.lines.filter((l) => l.msg === 'world: traffic').length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(rec.lines)).not.toMatch(/1380000\d{4}/);
  }, 60_000);
});

describe('wechaty edge supervisor', () => {
  it('logs in again by itself after the gRPC server was down, and sends afterwards', async () => {
    const { world, edge, rec } = await setup();
    await edge.start();
    const logout = nextEvent(edge, 'logout');
    await world.stopServer();
    expect((await logout)[0]).toMatch(/event stream/);
    expect(edge.isLoggedIn()).toBe(false);
    await expect(edge.transport.send({ kind: 'contact', id: 'm001' }, { kind: 'text', text: 'x' })).rejects.toBeInstanceOf(TransientSendError);
    // Let the supervisor fail twice against the closed port before the server comes back.
    await rec.waitFor((l) => l.msg === 'supervisor: attempt 2 failed, next in 0.2s');

    const login = nextEvent(edge, 'login');
    const ready = nextEvent(edge, 'ready');
    await world.startServer();
    expect(await login).toEqual([world.botId]);
    await ready;
    expect(edge.isLoggedIn()).toBe(true);
    const sent = await edge.transport.send({ kind: 'contact', id: 'm001' }, { kind: 'text', text: '我们回来了' });
    expect(await world.waitForBotMessage((m) => m.id === sent.messageId)).toMatchObject({ text: '我们回来了' });
  }, 60_000);

  it('waits for a server that is down at start', async () => {
    const { world, edge, rec } = await setup();
    await world.stopServer();
    const started = edge.start();
    await rec.waitFor((l) => l.msg === 'supervisor: attempt 1 failed, next in 0.1s');
    await world.startServer();
    await started;
    expect(edge.isLoggedIn()).toBe(true);
  }, 60_000);

  it('restarts a provider that goes silent for timeoutSeconds', async () => {
    const { world, edge } = await setup({ timeoutSeconds: 1 }, { heartbeatMs: 60_000 });
    await edge.start();
    const [reason] = await nextEvent(edge, 'logout');
    expect(reason).toBe('no event from the provider for 1s');
    await nextEvent(edge, 'ready');
    expect(edge.isLoggedIn()).toBe(true);
    expect(world.isLoggedIn()).toBe(true);
  }, 60_000);

  it('logs in again after the account was kicked out', async () => {
    const { world, edge } = await setup();
    await edge.start();
    const logout = nextEvent(edge, 'logout');
    const ready = nextEvent(edge, 'ready');
    await world.kickBot('被踢下线');
    expect((await logout)[0]).toBe('logged out: 被踢下线');
    await ready;
    const sent = await edge.transport.send({ kind: 'room', id: ROOM_A }, { kind: 'text', text: '重新上线' });
    expect(await world.waitForBotMessage((m) => m.id === sent.messageId)).toBeTruthy();
  }, 60_000);

  // Wechaty's and the puppet's state machines each wait up to 5 s for a start in progress: ~10 s.
  it('stop() does not hang on an attempt stuck on a server that never answers', async () => {
    // Accepts TCP and never says a word, like a provider behind a broken proxy.
    const sockets: net.Socket[] = [];
    let onSecondConnection: () => void = () => undefined;
    const secondConnection = new Promise<void>((resolve) => {
      onSecondConnection = resolve;
    });
    const silent = net.createServer((socket) => {
      sockets.push(socket);
      if (sockets.length === 2) onSecondConnection();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    const rec = recordingLogger();
    const e = createWechatyEdge(
      {
        endpoint: `127.0.0.1:${port}`,
        token: 'insecure_silent',
        noTls: true,
        account: 'main',
        timeoutSeconds: 300,
        maxBackoffSeconds: 1,
      },
      rec.logger,
      () => undefined,
    );
    const started = e.start();
    started.catch(() => undefined);
    // The first connection is the edge's TCP probe, the second the gRPC client's: the puppet start is under way.
    await secondConnection;
    const t0 = Date.now();
    await e.stop();
    expect(Date.now() - t0).toBeLessThan(15_000);
    await expect(started).rejects.toThrow(/stopped/);
    sockets.forEach((socket) => socket.destroy());
    silent.close();
  }, 60_000);

  it('stop() is idempotent and start() after stop() rejects', async () => {
    const { edge } = await setup();
    await edge.start();
    await Promise.all([edge.stop(), edge.stop()]);
    await edge.stop();
    expect(edge.isLoggedIn()).toBe(false);
    await expect(edge.start()).rejects.toThrow(/stopped/);
  }, 60_000);
});
