import { FileBox } from 'file-box';
import type { Contact, Room, Sayable, Wechaty } from 'wechaty';
import type { Logger } from '../../core/logger.js';
import type { OutboundContent, Target, Transport } from '../../core/messages.js';
import { PermanentSendError, TransientSendError } from '../../core/errors.js';
import { describeGrpcError, isNotFoundError } from './grpc-errors.js';

/** A send that timed out: it may or may not have reached WeChat. */
export class SendTimeoutError extends TransientSendError {
  override name = 'SendTimeoutError';
  readonly outcome = 'unknown' as const;
}

export interface TransportDeps {
  /** The bot of the current session, or undefined while offline. */
  currentBot(): Wechaty | undefined;
  /** True while logged in and ready. */
  isOnline(): boolean;
  logger: Logger;
  /** Default 30 s. */
  sendTimeoutMs?: number;
  /**
   * Told the provider message id of every send that returned one, so the inbound guard knows the echo
   * as the bot's own whatever the provider did to the text (`OwnSendIds.record` in src/inbound/own-sends.ts).
   */
  onSent?: (messageId: string) => void;
}

/**
 * Sends through whichever Wechaty session is current.
 * Throws TransientSendError while offline, on timeouts and on gRPC trouble;
 * PermanentSendError for an unknown contact or room and for content that cannot be sent.
 */
export function createTransport(deps: TransportDeps): Transport {
  const timeoutMs = deps.sendTimeoutMs ?? 30_000;
  return {
    isReady: () => deps.isOnline(),
    async send(target, content) {
      const bot = deps.currentBot();
      if (!bot || !deps.isOnline()) throw new TransientSendError('not logged in: the WeChat account is offline');
      const work = (async () => {
        const sayable = buildSayable(bot, content);
        const conversation = await resolveTarget(bot, target);
        const msg =
          content.kind === 'text' && target.kind === 'room' && content.mentionIds?.length
            ? await (conversation as Room).say(content.text, ...(await mentionContacts(bot, content.mentionIds, deps.logger)))
            : await conversation.say(sayable);
        if (msg?.id) deps.onSent?.(msg.id);
        return msg ? { messageId: msg.id } : {};
      })();
      try {
        return await withTimeout(work, timeoutMs);
      } catch (err) {
        throw classify(err, target);
      }
    },
  };
}

/** The Wechaty object for each kind of content. Links and mini-programs are built from payloads, never fetched. */
export function buildSayable(bot: Wechaty, content: OutboundContent): Sayable {
  switch (content.kind) {
    case 'text':
      return content.text;
    case 'image':
      if (content.url) return FileBox.fromUrl(content.url, content.name ? { name: content.name } : undefined);
      if (content.path) return FileBox.fromFile(content.path, content.name);
      throw new PermanentSendError('image has neither url nor path');
    case 'link':
      return new bot.UrlLink({
        url: content.url,
        title: content.title,
        ...(content.description ? { description: content.description } : {}),
        ...(content.thumbnailUrl ? { thumbnailUrl: content.thumbnailUrl } : {}),
      });
    case 'mini-program':
      return new bot.MiniProgram({
        appid: content.appid,
        title: content.title,
        pagePath: content.pagePath,
        ...(content.username ? { username: content.username } : {}),
        ...(content.thumbUrl ? { thumbUrl: content.thumbUrl } : {}),
        ...(content.description ? { description: content.description } : {}),
      });
  }
}

/** Loads the contact or room, asking the puppet directly so that "does not exist" is told apart from "cannot ask". */
async function resolveTarget(bot: Wechaty, target: Target): Promise<Contact | Room> {
  if (target.kind === 'room') {
    if (!target.id.includes('@')) throw new PermanentSendError(`room id "${target.id}" is not a room id (room ids contain @)`);
    await bot.puppet.roomPayload(target.id);
    const room = await bot.Room.find({ id: target.id });
    if (!room) throw new TransientSendError(`room ${target.id} could not be loaded`);
    return room;
  }
  await bot.puppet.contactPayload(target.id);
  const contact = await bot.Contact.find({ id: target.id });
  if (!contact) throw new TransientSendError(`contact ${target.id} could not be loaded`);
  return contact;
}

async function mentionContacts(bot: Wechaty, ids: string[], logger: Logger): Promise<Contact[]> {
  const found = await Promise.all(ids.map((id) => bot.Contact.find({ id }).catch(() => undefined)));
  const contacts = found.filter((c): c is Contact => Boolean(c));
  if (contacts.length < ids.length) logger.warn({ wanted: ids.length, found: contacts.length }, 'wechaty: some mentioned contacts were not found; sending without them');
  return contacts;
}

function classify(err: unknown, target: Target): Error {
  if (err instanceof PermanentSendError || err instanceof TransientSendError) return err;
  if (isNotFoundError(err)) return new PermanentSendError(`${target.kind} ${target.id} does not exist: ${describeGrpcError(err)}`);
  return new TransientSendError(`send to ${target.kind} ${target.id} failed: ${describeGrpcError(err)}`);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SendTimeoutError(`send timed out after ${ms} ms; it may or may not have been delivered`)), ms);
  });
  p.catch(() => undefined);
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
