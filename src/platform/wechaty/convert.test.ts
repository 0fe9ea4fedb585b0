import { describe, expect, it } from 'vitest';
import { types, type Message } from 'wechaty';
import { INBOUND_TYPES } from '../../core/messages.js';
import { toInbound, toInboundType } from './convert.js';

describe('toInboundType', () => {
  it('maps every Wechaty message type into the InboundType union', () => {
    const numeric = Object.values(types.Message).filter((v): v is number => typeof v === 'number');
    for (const t of numeric) expect(INBOUND_TYPES).toContain(toInboundType(t));
    expect(toInboundType(types.Message.Text)).toBe('text');
    expect(toInboundType(types.Message.Audio)).toBe('voice');
    expect(toInboundType(types.Message.Attachment)).toBe('file');
    expect(toInboundType(types.Message.Contact)).toBe('contact-card');
    expect(toInboundType(types.Message.MiniProgram)).toBe('mini-program');
    expect(toInboundType(types.Message.RedEnvelope)).toBe('unknown');
  });
});

/** Just enough of a Wechaty Message for the converter. */
function fakeMessage(o: { type: types.Message; text: string; room?: { id: string; topic: string }; payload?: { alias?: string; phone?: string[] } }): Message {
  return {
    id: 'msg-1',
    talker: () => ({ id: 'm001', name: () => '张丽娜', payload: o.payload }),
    room: () => (o.room ? { id: o.room.id, topic: async () => o.room!.topic } : undefined),
    type: () => o.type,
    text: () => o.text,
    mentionList: async () => [{ id: 'wxid_bot' }],
    mentionSelf: async () => true,
    self: () => false,
    date: () => new Date(1_700_000_000_000),
  } as unknown as Message;
}

describe('toInbound', () => {
  it('converts a group message with its topic and mentions', async () => {
    const m = await toInbound(fakeMessage({ type: types.Message.Text, text: '@小思 在吗', room: { id: 'hz01-a@chatroom', topic: '1群' } }), 'main');
    expect(m).toEqual({
      id: 'msg-1',
      account: 'main',
      talkerId: 'm001',
      talkerName: '张丽娜',
      roomId: 'hz01-a@chatroom',
      roomTopic: '1群',
      type: 'text',
      text: '@小思 在吗',
      mentionSelf: true,
      mentionIds: ['wxid_bot'],
      self: false,
      providerAt: 1_700_000_000_000,
    });
  });

  it('gives private messages no room and no mentions, and describes empty non-text messages', async () => {
    const m = await toInbound(fakeMessage({ type: types.Message.Image, text: '' }), 'main');
    expect(m).toMatchObject({ roomId: null, roomTopic: null, mentionSelf: false, mentionIds: [], type: 'image', text: '[image]' });
  });

  it("carries the talker's remark and reported phones (identity signals) when the payload has them", async () => {
    const m = await toInbound(fakeMessage({ type: types.Message.Text, text: '积分', payload: { alias: '张丽娜 13800000001', phone: ['13800000001'] } }), 'main');
    expect(m).toMatchObject({ talkerAlias: '张丽娜 13800000001', talkerPhones: ['13800000001'] });
    const bare = await toInbound(fakeMessage({ type: types.Message.Text, text: '积分', payload: { alias: '', phone: [] } }), 'main');
    expect(bare).not.toHaveProperty('talkerAlias');
    expect(bare).not.toHaveProperty('talkerPhones');
  });
});
