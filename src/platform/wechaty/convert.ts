import { types, type Message } from 'wechaty';
import type { InboundMessage, InboundType } from '../../core/messages.js';

const T = types.Message;

/** Wechaty message type → the bot's InboundType. Pure. */
export function toInboundType(type: types.Message): InboundType {
  switch (type) {
    case T.Text: return 'text';
    case T.Image: return 'image';
    case T.Emoticon: return 'emoticon';
    case T.Audio: return 'voice';
    case T.Video: return 'video';
    case T.Url: return 'url';
    case T.MiniProgram: return 'mini-program';
    case T.Attachment: return 'file';
    case T.Contact: return 'contact-card';
    case T.Location: return 'location';
    case T.Recalled: return 'recalled';
    case T.GroupNote: return 'system';
    default: return 'unknown';
  }
}

/**
 * A Wechaty message in the bot's own terms. Reads the room topic and the mention list, which may
 * need a round trip to the puppet.
 * @param account the bot account id (`ACCOUNT_ID`) that received the message.
 */
export async function toInbound(msg: Message, account: string): Promise<InboundMessage> {
  const talker = msg.talker();
  const room = msg.room();
  const type = toInboundType(msg.type());
  const text = msg.text();
  const mentions = room ? await msg.mentionList() : [];
  return {
    id: msg.id,
    account,
    talkerId: talker.id,
    talkerName: talker.name(),
    roomId: room?.id ?? null,
    roomTopic: room ? await room.topic() : null,
    type,
    text: type === 'text' || text ? text : `[${type}]`,
    mentionSelf: room ? await msg.mentionSelf() : false,
    mentionIds: mentions.map((c) => c.id),
    self: msg.self(),
    providerAt: msg.date().getTime(),
  };
}
