import { randomUUID } from 'node:crypto';
import { FileBox, FileBoxType, type FileBoxInterface } from 'file-box';
import * as PUPPET from 'wechaty-puppet';
import { PuppetMock, mock } from 'wechaty-puppet-mock';

/**
 * A PuppetMock whose sends behave like a real account: every send becomes a message in the
 * mocker (so the target ContactMock/RoomMock emits `message`), carries its mentions, and returns
 * a message id. Url links and mini-programs, which PuppetMock only stubs, are stored too.
 */
export class WorldPuppet extends PuppetMock {
  private readonly urlLinks = new Map<string, PUPPET.payloads.UrlLink>();
  private readonly miniPrograms = new Map<string, PUPPET.payloads.MiniProgram>();
  private readonly friendshipPayloads = new Map<string, PUPPET.payloads.Friendship>();

  /** Ids of messages said while no client could hear them (the provider keeps them); null when delivering. */
  private held: string[] | null = null;
  /** Called each time a client starts the puppet over gRPC (also when it was running already). */
  onClientStart: (() => void) | undefined;

  constructor(mocker: mock.Mocker) {
    super({ mocker });
    // `start` is an instance property of the puppet (not a method to override): wrap it.
    const start = this.start.bind(this);
    this.start = async () => {
      await start();
      this.onClientStart?.();
    };
  }

  /** From now on, messages people say are kept (with the time they were said) instead of emitted. */
  holdMessages(): void {
    this.held ??= [];
  }

  /** Emits every kept message, oldest first, as a provider does when its client comes back. */
  releaseMessages(): number {
    const ids = this.held ?? [];
    this.held = null;
    for (const messageId of ids) this.emit('message', { messageId });
    return ids.length;
  }

  /**
   * Puts a message into the world as if `talkerId` sent it, and emits it to the puppet's clients.
   * @returns the new message id.
   */
  emitMessage(talkerId: string, conversationId: string, body: MessageBody, id: string = randomUUID()): string {
    const base = { id, talkerId, timestamp: Date.now(), type: body.type, text: body.text };
    const payload: PUPPET.payloads.Message = isRoomId(conversationId)
      ? { ...base, roomId: conversationId, mentionIdList: body.mentionIdList ?? [] }
      : { ...base, listenerId: conversationId };
    // MessageMock.create stores the payload and makes the room / talker / listener mocks emit `message`.
    this.mocker.MessageMock.create(payload);
    if (this.held) this.held.push(id);
    else this.emit('message', { messageId: id });
    return id;
  }

  /**
   * `talkerId` posts a link card, a mini-program card or an image into the world: the card's payload is
   * stored (served by `messageUrl` / `messageMiniProgram`) and the message emitted.
   * @returns the new message id.
   */
  emitCard(talkerId: string, conversationId: string, card: WorldCard, id: string = randomUUID()): string {
    const T = PUPPET.types.Message;
    if (card.kind === 'link') {
      this.urlLinks.set(id, { url: card.url, title: card.title, ...(card.description ? { description: card.description } : {}) });
      return this.emitMessage(talkerId, conversationId, { type: T.Url, text: card.title }, id);
    }
    if (card.kind === 'mini-program') {
      this.miniPrograms.set(id, { appid: card.appid, title: card.title, pagePath: card.pagePath });
      return this.emitMessage(talkerId, conversationId, { type: T.MiniProgram, text: card.title }, id);
    }
    return this.emitMessage(talkerId, conversationId, { type: T.Image, text: card.name }, id);
  }

  /** The groups the account is in now (a group it left stays in the mocker but is not listed, as on WeChat). */
  override async roomList(): Promise<string[]> {
    const self = this.isLoggedIn ? this.currentUserId : '';
    return [...this.mocker.cacheRoomPayload.values()].filter((r) => r.memberIdList.includes(self)).map((r) => r.id);
  }

  /** Checks the account and the target first; `before` stores attachments under the new id before anyone sees it. */
  private sendAsSelf(conversationId: string, body: MessageBody, before?: (id: string) => void): string {
    if (!this.isLoggedIn) throw new Error('not logged in');
    if (isRoomId(conversationId)) this.mocker.roomPayload(conversationId);
    else this.mocker.contactPayload(conversationId);
    const id = randomUUID();
    before?.(id);
    return this.emitMessage(this.currentUserId, conversationId, body, id);
  }

  override async messageSendText(conversationId: string, text: string, mentionIdList?: string[]): Promise<void> {
    return this.sendAsSelf(conversationId, { type: PUPPET.types.Message.Text, text, mentionIdList }) as unknown as void;
  }

  override async messageSendFile(conversationId: string, file: FileBoxInterface): Promise<void> {
    // Buffer / Stream / UUID FileBoxes (what arrives over gRPC) cannot be serialised: keep them as base64.
    const keep = [FileBoxType.Url, FileBoxType.Base64, FileBoxType.QRCode].includes(file.type);
    const box = keep ? file : FileBox.fromBase64(await file.toBase64(), file.name);
    const json = box.toJSON();
    const type = fileMessageType(box.name);
    return this.sendAsSelf(conversationId, { type, text: box.name }, (id) => this.mocker.cacheFileBoxPayload.set(id, json)) as unknown as void;
  }

  override async messageSendUrl(conversationId: string, payload: PUPPET.payloads.UrlLink): Promise<void> {
    return this.sendAsSelf(conversationId, { type: PUPPET.types.Message.Url, text: payload.title }, (id) => this.urlLinks.set(id, { ...payload })) as unknown as void;
  }

  override async messageSendMiniProgram(conversationId: string, payload: PUPPET.payloads.MiniProgram): Promise<void> {
    return this.sendAsSelf(conversationId, { type: PUPPET.types.Message.MiniProgram, text: payload.title ?? '' }, (id) =>
      this.miniPrograms.set(id, { ...payload }),
    ) as unknown as void;
  }

  override async messageUrl(messageId: string): Promise<PUPPET.payloads.UrlLink> {
    return this.urlLinks.get(messageId) ?? super.messageUrl(messageId);
  }

  override async messageMiniProgram(messageId: string): Promise<PUPPET.payloads.MiniProgram> {
    return this.miniPrograms.get(messageId) ?? super.messageMiniProgram(messageId);
  }

  /** The url link or mini-program payload stored for a message the bot sent, if any. */
  attachment(messageId: string): PUPPET.payloads.UrlLink | PUPPET.payloads.MiniProgram | undefined {
    return this.urlLinks.get(messageId) ?? this.miniPrograms.get(messageId);
  }

  /**
   * A person (a stranger unless `contactId` is known) asks to add the account, with greeting `hello`:
   * stores the request, which `friendshipRawPayload` serves, and emits the friendship `receive` event.
   * @returns the friendship id.
   */
  emitFriendRequest(contactId: string, name: string, hello: string): string {
    let known = true;
    try {
      this.mocker.contactPayload(contactId);
    } catch {
      known = false;
    }
    if (!known) this.mocker.createContact({ id: contactId, name, friend: false });
    const id = randomUUID();
    this.friendshipPayloads.set(id, {
      id,
      contactId,
      hello,
      timestamp: Date.now(),
      type: PUPPET.types.Friendship.Receive,
      ticket: `world-ticket-${id}`,
      scene: PUPPET.types.FriendshipScene.QRCode,
    });
    this.emit('friendship', { friendshipId: id });
    return id;
  }

  /** True once the account accepted a request from `contactId` (and they did not remove it since). */
  isFriend(contactId: string): boolean {
    try {
      return (this.mocker.contactPayload(contactId) as PUPPET.payloads.Contact).friend === true;
    } catch {
      return false;
    }
  }

  /**
   * The contact removes the account from their friends. WeChat tells nobody; the account learns it
   * from a system notice in the private chat (emitted here as such a message).
   * @returns the notice's message id.
   */
  emitRemovedBy(contactId: string): string {
    const p = this.mocker.contactPayload(contactId) as PUPPET.payloads.Contact;
    this.mocker.contactPayload(contactId, { ...p, friend: false });
    const text = `${p.name}开启了朋友验证，你还不是他（她）朋友。请先发送朋友验证请求，对方验证通过后，才能聊天。`;
    return this.emitMessage(contactId, this.currentUserId, { type: PUPPET.types.Message.Unknown, text });
  }

  override async friendshipRawPayload(id: string): Promise<PUPPET.payloads.Friendship> {
    const p = this.friendshipPayloads.get(id);
    if (!p) throw new Error(`world: no friendship with id ${id}`);
    return p;
  }

  override async friendshipRawPayloadParser(raw: PUPPET.payloads.Friendship): Promise<PUPPET.payloads.Friendship> {
    return raw;
  }

  /** Accepting makes the contact a friend and emits `confirm` (a second accept of the same request is a no-op). */
  override async friendshipAccept(friendshipId: string): Promise<void> {
    const p = this.friendshipPayloads.get(friendshipId);
    if (!p || p.type !== PUPPET.types.Friendship.Receive) throw new Error(`world: no friend request with id ${friendshipId}`);
    if (!this.isLoggedIn) throw new Error('not logged in');
    const confirmId = `${friendshipId}-confirm`;
    if (this.friendshipPayloads.has(confirmId)) return;
    const contact = this.mocker.contactPayload(p.contactId) as PUPPET.payloads.Contact;
    this.mocker.contactPayload(p.contactId, { ...contact, friend: true });
    this.friendshipPayloads.set(confirmId, { id: confirmId, contactId: p.contactId, hello: '', timestamp: Date.now(), type: PUPPET.types.Friendship.Confirm });
    this.emit('friendship', { friendshipId: confirmId });
  }

  /** Lets a test or the demo log the account out, as WeChat does when the phone kicks it. */
  async kick(reason = 'kicked by the world'): Promise<void> {
    await this.logout(reason);
  }
}

/** A card or image a person posts in the world (the image is described by its file name only). */
export type WorldCard =
  { kind: 'link'; url: string; title: string; description?: string } | { kind: 'mini-program'; appid: string; title: string; pagePath: string } | { kind: 'image'; name: string };

/** What a message in the world says. */
export interface MessageBody {
  type: PUPPET.types.Message;
  text?: string;
  mentionIdList?: string[];
}

/** Room ids contain `@` (e.g. `hz01-a@chatroom`); contact ids do not. */
export function isRoomId(id: string): boolean {
  return id.includes('@');
}

function fileMessageType(name: string): PUPPET.types.Message {
  if (/\.(jpe?g|png|gif|webp)$/i.test(name)) return PUPPET.types.Message.Image;
  if (/\.mp4$/i.test(name)) return PUPPET.types.Message.Video;
  return PUPPET.types.Message.Attachment;
}
