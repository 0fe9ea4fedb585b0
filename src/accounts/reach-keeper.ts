import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { FriendRequest, InboundMessage, RoomMemberEvent } from '../core/messages.js';
import { removedNoticeToFriendRequest } from '../platform/wechaty/convert.js';
import type { ReachLists } from '../platform/wechaty/edge.js';
import type { ReachRepo } from './reach.repo.js';

/**
 * Keeps the reach table current for every account: the whole friend and group lists at each login,
 * then friendships made and lost, the account itself joining or leaving a group, and every inbound
 * message (the sender is reached, and replies go back through the account written to).
 */
export class ReachKeeper {
  constructor(
    private readonly reach: ReachRepo,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Replaces the account's lists with what the provider says now. Never throws (a failure is logged; the next login tries again). */
  async atLogin(account: string, edge: { reachLists?: () => Promise<ReachLists> }): Promise<void> {
    if (!edge.reachLists) return;
    try {
      const lists = await edge.reachLists();
      const at = this.clock.now().getTime();
      const c = this.reach.replaceAll(account, 'contact', lists.contacts, at);
      const r = this.reach.replaceAll(account, 'room', lists.rooms, at);
      this.logger.info({ account, contacts: lists.contacts.length, rooms: lists.rooms.length, added: c.added + r.added, removed: c.removed + r.removed }, 'reach read at login');
    } catch (err) {
      this.logger.warn({ account, error: errorMessage(err) }, 'reach lists could not be read at login; kept the last ones');
    }
  }

  inbound(m: InboundMessage): void {
    // WeChat's notice that the contact removed the account comes from them, but says they are not reached.
    if (m.self || (!m.roomId && removedNoticeToFriendRequest(m))) return;
    try {
      if (m.roomId) this.reach.noteInbound(m.account, 'room', m.roomId, m.providerAt || this.clock.now().getTime());
      else this.reach.noteInbound(m.account, 'contact', m.talkerId, m.providerAt || this.clock.now().getTime());
    } catch (err) {
      this.logger.warn({ account: m.account, error: errorMessage(err) }, 'reach not noted for an inbound message');
    }
  }

  friendship(f: FriendRequest): void {
    try {
      if (f.type === 'confirm') this.reach.add(f.account, 'contact', [f.contactId], this.clock.now().getTime());
      else if (f.type === 'removed') this.reach.remove(f.account, 'contact', f.contactId);
    } catch (err) {
      this.logger.warn({ account: f.account, error: errorMessage(err) }, 'reach not updated for a friendship event');
    }
  }

  /** The account itself joined or left a group (`selfId`: its contact id while logged in). */
  roomEvent(ev: RoomMemberEvent, selfId: string | null): void {
    if (!selfId || !ev.contacts.some((c) => c.id === selfId)) return;
    try {
      if (ev.kind === 'join') this.reach.add(ev.account, 'room', [ev.roomId], this.clock.now().getTime());
      else this.reach.remove(ev.account, 'room', ev.roomId);
    } catch (err) {
      this.logger.warn({ account: ev.account, error: errorMessage(err) }, 'reach not updated for a group event');
    }
  }
}
