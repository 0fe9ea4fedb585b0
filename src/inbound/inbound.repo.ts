import type { Statement } from 'better-sqlite3';
import type { Db } from '../platform/db/client.js';
import type { InboundMessage } from '../core/messages.js';

/**
 * Writes of the inbound path: the message log (which also remembers ids for dedupe across restarts),
 * the contact/room directory and last-activity times. Plain better-sqlite3 statements prepared once
 * (this is the hottest write path; drizzle's placeholder mapping cost ~10% here). Tables and columns
 * are the drizzle schema's (`platform/db/schema.ts`).
 */
export class InboundRepo {
  private readonly insertLog: Statement;
  private readonly upsertContact: Statement;
  private readonly upsertRoom: Statement;

  constructor(private readonly db: Db) {
    const c = db.$client;
    this.insertLog = c.prepare(`insert into inbound_messages (id, account, conversation_id, talker_id, room_id, type, text, mention_self, provider_at, received_at)
      values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing`);
    this.upsertContact = c.prepare(`insert into contacts (id, name, first_seen_at, last_seen_at, last_inbound_at) values (@id, @name, @at, @at, @at)
      on conflict (id) do update set
        name = case when excluded.name <> '' then excluded.name else contacts.name end,
        last_seen_at = max(contacts.last_seen_at, excluded.last_seen_at),
        last_inbound_at = max(coalesce(contacts.last_inbound_at, 0), excluded.last_inbound_at)`);
    this.upsertRoom = c.prepare(`insert into rooms (id, topic, first_seen_at, last_seen_at, last_message_at) values (@id, @topic, @at, @at, @at)
      on conflict (id) do update set
        topic = case when excluded.topic <> '' then excluded.topic else rooms.topic end,
        last_seen_at = max(rooms.last_seen_at, excluded.last_seen_at),
        last_message_at = max(coalesce(rooms.last_message_at, 0), excluded.last_message_at)`);
  }

  /**
   * Logs one message and updates the directory. Returns false when the id was already logged
   * (a redelivery), in which case nothing else is written.
   */
  record(m: InboundMessage, receivedAt: number): boolean {
    const res = this.insertLog.run(
      m.id,
      m.account,
      m.roomId ?? (m.self ? m.listenerId : null) ?? m.talkerId,
      m.talkerId,
      m.roomId,
      m.type,
      m.text,
      m.mentionSelf ? 1 : 0,
      m.providerAt,
      receivedAt,
    );
    if (res.changes === 0) return false;
    const at = Math.min(m.providerAt, receivedAt);
    this.upsertContact.run({ id: m.talkerId, name: m.talkerName, at });
    if (m.roomId) this.upsertRoom.run({ id: m.roomId, topic: m.roomTopic ?? '', at });
    return true;
  }

  /** Runs `fn` in one transaction (a batch of records). */
  transaction<T>(fn: () => T): T {
    return this.db.$client.transaction(fn)();
  }
}
