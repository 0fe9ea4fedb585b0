import { types, type Friendship, type Message } from 'wechaty';
import type * as PUPPET from 'wechaty-puppet';
import type { FriendRequest, FriendRequestType, InboundCard, InboundMessage, InboundType, RoomMemberEvent } from '../../core/messages.js';

const T = types.Message;

/** Wechaty message type → the bot's InboundType. Pure. */
export function toInboundType(type: types.Message): InboundType {
  switch (type) {
    case T.Text:
      return 'text';
    case T.Image:
      return 'image';
    case T.Emoticon:
      return 'emoticon';
    case T.Audio:
      return 'voice';
    case T.Video:
      return 'video';
    case T.Url:
      return 'url';
    case T.MiniProgram:
      return 'mini-program';
    case T.Attachment:
      return 'file';
    case T.Contact:
      return 'contact-card';
    case T.Location:
      return 'location';
    case T.Recalled:
      return 'recalled';
    case T.GroupNote:
      return 'system';
    default:
      return 'unknown';
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
  const self = msg.self();
  const card = type === 'url' || type === 'mini-program' ? await readCard(msg, type) : undefined;
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
    self,
    providerAt: msg.date().getTime(),
    ...(self && !room ? { listenerId: msg.listener()?.id ?? null } : {}),
    ...(card ? { card } : {}),
    ...talkerSignals(talker.payload),
  };
}

/** The talker's remark and reported phones from the payload already loaded (no round trip): identity signals. */
function talkerSignals(p: { alias?: string; phone?: string[] } | undefined): Pick<InboundMessage, 'talkerAlias' | 'talkerPhones'> {
  return {
    ...(p?.alias ? { talkerAlias: p.alias } : {}),
    ...(p?.phone?.length ? { talkerPhones: [...p.phone] } : {}),
  };
}

/** How long the edge waits for a card's payload before handing the message in without it. */
const CARD_TIMEOUT_MS = 5_000;

/**
 * The url / title of a link card or the appid / page of a mini-program card (one round trip to the
 * puppet). Undefined when the provider does not give it in time: the message still goes in.
 */
async function readCard(msg: Message, type: 'url' | 'mini-program'): Promise<InboundCard | undefined> {
  const read = (async (): Promise<InboundCard> => {
    if (type === 'url') {
      const link = await msg.toUrlLink();
      return compact({ url: link.url(), title: link.title(), description: link.description() });
    }
    const mp = await msg.toMiniProgram();
    return compact({ appid: mp.appid(), title: mp.title(), pagePath: mp.pagePath(), description: mp.description() });
  })();
  read.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), CARD_TIMEOUT_MS);
  });
  try {
    return await Promise.race([read, timeout]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

function compact(card: Record<string, string | undefined>): InboundCard {
  return Object.fromEntries(Object.entries(card).filter(([, v]) => typeof v === 'string' && v !== '')) as InboundCard;
}

/** Provider time in epoch ms: seconds are scaled (as Wechaty does), a missing one is `now`. Pure. */
export function providerTime(timestamp: number | undefined, now: number): number {
  if (!timestamp || !Number.isFinite(timestamp)) return now;
  return timestamp < 1e11 ? timestamp * 1000 : timestamp;
}

/**
 * A puppet `room-join` / `room-leave` payload in the bot's own terms. The edge listens to the
 * puppet's raw events rather than Wechaty's: Wechaty drops the whole event when its room lookup
 * fails (the known `no payload found for id …@chatroom` error), the raw payload always has the ids.
 * @param names contact id → name, as far as the edge could learn them ('' otherwise).
 */
export function toRoomMemberEvent(
  kind: 'join' | 'leave',
  payload: PUPPET.payloads.EventRoomJoin | PUPPET.payloads.EventRoomLeave,
  account: string,
  names: ReadonlyMap<string, string>,
  roomTopic: string,
  now = Date.now(),
): RoomMemberEvent {
  const ids = 'inviteeIdList' in payload ? payload.inviteeIdList : payload.removeeIdList;
  const byId = 'inviterId' in payload ? payload.inviterId : payload.removerId;
  return {
    kind,
    account,
    roomId: payload.roomId,
    roomTopic,
    contacts: [...new Set(ids ?? [])].map((id) => ({ id, name: names.get(id) ?? '' })),
    byId: byId || null,
    at: providerTime(payload.timestamp, now),
  };
}

/** Wechaty friendship type → the bot's FriendRequestType; null for Unknown. Pure. */
export function toFriendRequestType(type: types.Friendship): FriendRequestType | null {
  switch (type) {
    case types.Friendship.Receive:
      return 'receive';
    case types.Friendship.Confirm:
      return 'confirm';
    case types.Friendship.Verify:
      return 'verify';
    default:
      return null;
  }
}

/**
 * A Wechaty friendship event in the bot's own terms, or null for an unknown type. The payload carries
 * no time over puppet-service, so `at` is when the edge saw it.
 */
export function toFriendRequest(f: Friendship, account: string, now = Date.now()): FriendRequest | null {
  const type = toFriendRequestType(f.type());
  if (!type) return null;
  const contact = f.contact();
  return { id: f.id, account, contactId: contact.id, contactName: contact.name(), hello: f.hello() ?? '', type, at: now };
}

/**
 * WeChat's notices, in a private chat, that the contact removed the account from their friends (what
 * the account sees after sending to them). Wechaty has no "removed" event: this notice, and
 * `Contact.friend()` on puppets that fill it, are all the platform tells.
 */
const REMOVED_NOTICES = [/开启了朋友验证/u, /你还不是他（她）朋友/u, /is not your friend|enabled friend confirmation/iu];

/** The `removed` friendship event derived from such a notice, or null. Pure. */
export function removedNoticeToFriendRequest(m: InboundMessage): FriendRequest | null {
  if (m.roomId || m.self || (m.type !== 'system' && m.type !== 'unknown')) return null;
  if (!REMOVED_NOTICES.some((r) => r.test(m.text))) return null;
  return { id: `removed:${m.id}`, account: m.account, contactId: m.talkerId, contactName: m.talkerName, hello: '', type: 'removed', at: m.providerAt };
}
