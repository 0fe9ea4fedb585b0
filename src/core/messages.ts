/**
 * The messages that cross the platform edge, in the bot's own terms (no Wechaty types past the edge).
 */

export const INBOUND_TYPES = ['text', 'image', 'emoticon', 'voice', 'video', 'url', 'mini-program', 'file', 'contact-card', 'location', 'recalled', 'system', 'unknown'] as const;
export type InboundType = (typeof INBOUND_TYPES)[number];

/** One message as the platform edge hands it in. */
export interface InboundMessage {
  /** The provider's message id; duplicates share it. */
  id: string;
  /** The sending account (bot account) that received it. */
  account: string;
  talkerId: string;
  talkerName: string;
  /** The remark (alias) the account gave the talker, when the provider tells: may hold their phone. */
  talkerAlias?: string;
  /** Phone numbers the provider reports for the talker (WeCom customers), when it does. */
  talkerPhones?: string[];
  /** Set for group messages. */
  roomId: string | null;
  roomTopic: string | null;
  type: InboundType;
  /** Text, or a short description for non-text types. */
  text: string;
  /** True when the bot account itself is @-mentioned. */
  mentionSelf: boolean;
  /** Contacts @-mentioned in the message. */
  mentionIds: string[];
  /** Sent by the bot account (its own sends echo back, and a person may type on the bot's phone). */
  self: boolean;
  /** For a private message sent by the bot account: the contact it went to. Unset otherwise. */
  listenerId?: string | null;
  /** Provider time, epoch ms. */
  providerAt: number;
  /** For `url` and `mini-program` messages: what the card carries, when the provider told. */
  card?: InboundCard;
}

/** The payload of a link card or mini-program card, as far as the provider gave it. */
export interface InboundCard {
  url?: string;
  title?: string;
  description?: string;
  /** Mini-programs only. */
  appid?: string;
  pagePath?: string;
}

export type Target = { kind: 'contact' | 'room'; id: string };

/** What can be sent. Media is described, never embedded as a Buffer in a job. */
export type OutboundContent =
  | { kind: 'text'; text: string; mentionIds?: string[] }
  | { kind: 'image'; url?: string; path?: string; name?: string }
  | { kind: 'link'; url: string; title: string; description?: string; thumbnailUrl?: string }
  | { kind: 'mini-program'; appid: string; title: string; pagePath: string; username?: string; thumbUrl?: string; description?: string };

/** The platform edge's send side. Throws TransientSendError or PermanentSendError. */
export interface Transport {
  /** True while the account is logged in and can send. */
  isReady(): boolean;
  send(target: Target, content: OutboundContent, opts?: SendOptions): Promise<{ messageId?: string }>;
}

/** What the sender tells a transport about one send. */
export interface SendOptions {
  /**
   * Idempotency key (the outbox row id): a transport that can record sends (a remote gateway) sends
   * one key at most once, whoever asks again. In-process transports ignore it.
   */
  key?: string;
}

/** Kinds of friendship event: a request to add the bot, a friendship made, a verification asked, a friend lost. */
export const FRIEND_REQUEST_TYPES = ['receive', 'confirm', 'verify', 'removed'] as const;
export type FriendRequestType = (typeof FRIEND_REQUEST_TYPES)[number];

/**
 * A friendship event as the platform edge hands it in (no Wechaty types past the edge).
 * `removed` is not a Wechaty event: the edge derives it from WeChat's system notice that the contact
 * no longer counts the account as a friend (see platform/wechaty/convert.ts).
 */
export interface FriendRequest {
  /** The provider's friendship id (for `receive`, the id to accept). */
  id: string;
  /** The bot account that received it. */
  account: string;
  contactId: string;
  contactName: string;
  /** The greeting the person typed (`我是…`, a channel code …); empty when none. */
  hello: string;
  type: FriendRequestType;
  /** Provider time when known, else when the edge saw it (epoch ms). */
  at: number;
}

/** The platform edge's friendship side: accepting a `receive` request. */
export interface FriendshipGateway {
  /** True while the account is logged in and can act. */
  isReady(): boolean;
  /**
   * Accepts the `receive` request `id` (`from`: the account that received it and who asked, as recorded;
   * with several accounts the accept goes through that account). Throws when offline or when the provider refuses.
   */
  accept(id: string, from?: { account: string; contactId: string }): Promise<void>;
}

/**
 * Someone joined or left a group, as the platform edge hands it in (no Wechaty types past the edge).
 * `join` comes from Wechaty's `room-join` (invitees, inviter, date), `leave` from `room-leave`
 * (leavers, remover). WeChat tells the account about people who were removed, and (on most
 * providers) not about people who left on their own: the start-up and daily membership checks catch those.
 */
export interface RoomMemberEvent {
  kind: 'join' | 'leave';
  /** The bot account that saw it. */
  account: string;
  roomId: string;
  /** '' when the provider did not say. */
  roomTopic: string;
  /** Who joined or left (the bot account itself may be among them). */
  contacts: { id: string; name: string }[];
  /** join: the inviter; leave: the remover (the leaver themselves when they left). Null when unknown. */
  byId: string | null;
  /** Provider time, epoch ms (when the edge saw it, if the provider gave none). */
  at: number;
}

/** The platform edge's group side: who is in a group now. */
export interface RoomGateway {
  /** True while the account is logged in and can ask. */
  isReady(): boolean;
  /** The bot account's own contact id while logged in. */
  selfId(): string | undefined;
  /** Contact ids of the group's members now (the bot account included). @throws when offline or the group is unknown. */
  memberIds(roomId: string): Promise<string[]>;
}
