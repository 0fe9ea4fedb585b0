import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundMessage, RoomMemberEvent } from '../../core/messages.js';
import { createWechatyEdge, type WechatyEdge } from './edge.js';
import { providerTime, toRoomMemberEvent } from './convert.js';
import { isHarmlessWechatyError } from './grpc-errors.js';
import { isolateWechaty, recordingLogger } from './testing.js';
import { startWorld, type World } from './world/server.js';

const ROOM_A = 'hz01-a@chatroom';
let restoreHome: () => void;
let world: World;
let edge: WechatyEdge;
const events: RoomMemberEvent[] = [];
const inbound: InboundMessage[] = [];
const rec = recordingLogger();

/** Resolves with the first item of `list` (now or later) matching `match`. */
function waitIn<T>(list: T[], match: (x: T) => boolean, timeoutMs = 10_000): Promise<T> {
  return expect
    .poll(() => list.find(match), { timeout: timeoutMs })
    .toBeDefined()
    .then(() => list.find(match)!);
}

beforeAll(async () => {
  restoreHome = isolateWechaty();
  world = await startWorld({ logger: rec.logger, heartbeatMs: 200 });
  edge = createWechatyEdge(
    {
      endpoint: world.endpoint,
      token: world.token,
      noTls: true,
      account: 'main',
      timeoutSeconds: 5,
      maxBackoffSeconds: 1,
      baseBackoffMs: 100,
      loginTimeoutSeconds: 10,
    },
    rec.logger,
    (m) => {
      inbound.push(m);
    },
    undefined,
    (ev) => {
      events.push(ev);
    },
  );
  await edge.start();
}, 30_000);
afterAll(async () => {
  await edge?.stop();
  await world?.stop();
  restoreHome();
});

describe('group membership at the edge (world → PuppetServer → puppet-service client)', () => {
  it('delivers room-join with the invitee (named), the inviter and the time; the member list shows them', async () => {
    const before = Date.now();
    await world.memberJoins(ROOM_A, 'new-001', 'm001', { name: '林小满' });
    const ev = await waitIn(events, (e) => e.kind === 'join' && e.contacts.some((c) => c.id === 'new-001'));
    expect(ev).toMatchObject({ kind: 'join', account: 'main', roomId: ROOM_A, roomTopic: '湖滨店宝妈交流1群', contacts: [{ id: 'new-001', name: '林小满' }], byId: 'm001' });
    expect(ev.at).toBeGreaterThanOrEqual(before);
    expect(await edge.rooms.memberIds(ROOM_A)).toContain('new-001');
    expect(edge.rooms.selfId()).toBe(world.botId);
  });

  it('delivers room-leave with the leaver and the remover; the member list no longer has them', async () => {
    await world.memberLeaves(ROOM_A, 'm002');
    await world.memberLeaves(ROOM_A, 'm003', 'admin-hz01');
    await waitIn(events, (e) => e.kind === 'leave' && e.contacts[0]?.id === 'm003');
    expect(events.filter((e) => e.kind === 'leave')).toEqual([
      expect.objectContaining({ roomId: ROOM_A, contacts: [{ id: 'm002', name: '刘芳' }], byId: 'm002' }),
      expect.objectContaining({ roomId: ROOM_A, contacts: [{ id: 'm003', name: '陈思琪' }], byId: 'admin-hz01' }),
    ]);
    const ids = await edge.rooms.memberIds(ROOM_A);
    expect(ids).not.toContain('m002');
    expect(world.roomMemberIds(ROOM_A)).toEqual(ids);
    await expect(world.memberLeaves(ROOM_A, 'm002')).rejects.toThrow('world: m002 is not in hz01-a@chatroom');
    await expect(edge.rooms.memberIds('nope@chatroom')).rejects.toThrow();
  });

  it('hands in link and mini-program cards with their payload, and images by name', async () => {
    const link = await world.memberPosts('m004', { kind: 'link', url: 'https://spam.example.cn/a', title: '免费领' }, { roomId: ROOM_A });
    const mp = await world.memberPosts('m004', { kind: 'mini-program', appid: 'wx42', title: '拼团', pagePath: 'pages/g' }, { roomId: ROOM_A });
    const img = await world.memberPosts('m004', { kind: 'image', name: '进群二维码.jpg' }, { roomId: ROOM_A });
    expect(await waitIn(inbound, (m) => m.id === link)).toMatchObject({ type: 'url', text: '免费领', card: { url: 'https://spam.example.cn/a', title: '免费领' } });
    expect(await waitIn(inbound, (m) => m.id === mp)).toMatchObject({ type: 'mini-program', card: { appid: 'wx42', title: '拼团', pagePath: 'pages/g' } });
    expect(await waitIn(inbound, (m) => m.id === img)).toMatchObject({ type: 'image', text: '进群二维码.jpg', roomId: ROOM_A });
  });

  it('converts raw payloads: seconds scaled to ms, a missing time is now, duplicate ids once, unknown names empty', () => {
    expect(providerTime(1_700_000_000, 5)).toBe(1_700_000_000_000);
    expect(providerTime(1_700_000_000_000, 5)).toBe(1_700_000_000_000);
    expect(providerTime(0, 5)).toBe(5);
    expect(
      toRoomMemberEvent('leave', { removeeIdList: ['a', 'a', 'b'], removerId: '', roomId: 'r@chatroom', timestamp: 1_700_000_000 }, 'main', new Map([['a', '甲']]), '群'),
    ).toEqual({
      kind: 'leave',
      account: 'main',
      roomId: 'r@chatroom',
      roomTopic: '群',
      contacts: [
        { id: 'a', name: '甲' },
        { id: 'b', name: '' },
      ],
      byId: null,
      at: 1_700_000_000_000,
    });
  });

  it('treats only the known room-join/leave payload error as harmless', () => {
    expect(isHarmlessWechatyError(new Error('no payload found for id hz01-a@chatroom'))).toBe(true);
    expect(isHarmlessWechatyError(new Error('no payload found for id m001'))).toBe(false);
    expect(isHarmlessWechatyError(new Error('14 UNAVAILABLE: No connection established'))).toBe(false);
    // The joins and leaves above raised no error at the edge.
    expect(rec.lines.filter((l) => l.level >= 50)).toEqual([]);
  });
});
