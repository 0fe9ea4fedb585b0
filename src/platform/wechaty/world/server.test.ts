import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isolateWechaty, recordingLogger } from '../testing.js';
import { startWorld, type World } from './server.js';

/** Whether something accepts TCP connections on 127.0.0.1:`port` (connected, or refused). */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

let world: World | undefined;
let restore: () => void;
beforeAll(() => {
  restore = isolateWechaty();
});
afterAll(() => restore());
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

describe('startWorld', () => {
  it('listens on a free port with an insecure_ token and reports its endpoint', async () => {
    const { logger } = recordingLogger();
    world = await startWorld({ logger });
    expect(world.port).toBeGreaterThan(0);
    expect(world.endpoint).toBe(`127.0.0.1:${world.port}`);
    expect(world.token).toMatch(/^insecure_/);
    expect(world.botId).toBe('wxid_siyu_hz01');
  });

  it('refuses talkers that do not exist or are not in the room', async () => {
    const { logger } = recordingLogger();
    world = await startWorld({ logger });
    await expect(world.memberSays('nobody', 'hi')).rejects.toThrow(/no member or staff/);
    await expect(world.memberSays('m049', 'hi', { roomId: 'hz01-a@chatroom' })).rejects.toThrow(/not in hz01-a@chatroom/);
    await expect(world.memberSays(world.botId, 'hi')).rejects.toThrow(/no member or staff/);
  });

  it('stops and starts its gRPC server on the same port, and stops idempotently', async () => {
    const { logger } = recordingLogger();
    world = await startWorld({ logger });
    const port = world.port;
    expect(await accepts(port)).toBe(true);
    await world.stopServer();
    await world.stopServer();
    expect(await accepts(port)).toBe(false);
    await world.startServer();
    await world.startServer();
    expect(world.port).toBe(port);
    expect(world.endpoint).toBe(`127.0.0.1:${port}`);
    expect(await accepts(port)).toBe(true);
    await Promise.all([world.stop(), world.stop()]);
    expect(await accepts(port)).toBe(false);
  });
});

describe('a world of several accounts', () => {
  it('gives each account its own endpoint and token, friends of two accounts and a shared group', async () => {
    const { logger } = recordingLogger();
    world = await startWorld({ logger, accounts: ['a', 'b', 'c'] });
    const [a, b, c] = world.accounts;
    expect(new Set(world.accounts.map((x) => x.endpoint)).size).toBe(3);
    expect(new Set(world.accounts.map((x) => x.token)).size).toBe(3);
    expect(a!.botId).toBe(world.botId);
    for (const x of [a!, b!, c!]) expect(await accepts(x.port)).toBe(true);
    const members = world.seed.members.map((m) => m.id);
    const reachedBy = (id: string) => world!.accounts.filter((x) => x.friendIds().includes(id)).length;
    expect(members.every((id) => reachedBy(id) >= 1)).toBe(true);
    expect(members.filter((id) => reachedBy(id) === 2).length).toBeGreaterThan(5);
    expect(world.accounts.every((x) => x.roomIds().includes('hz01-a@chatroom'))).toBe(true);
    expect(world.roomMemberIds('hz01-a@chatroom')).toEqual(expect.arrayContaining(world.accounts.map((x) => x.botId)));
    expect(() => world!.account('zzz')).toThrow(/no account "zzz"/);
  });
});
