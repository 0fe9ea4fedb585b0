import { sql } from 'drizzle-orm';
import type { Db } from '../platform/db/client.js';
import { contacts, inboundMessages, rooms } from '../platform/db/schema.js';
import type { InboundMessage } from '../core/messages.js';

const p = (name: string) => sql.placeholder(name);

/**
 * Writes of the inbound path: the message log (which also remembers ids for dedupe across restarts),
 * the contact/room directory and last-activity times. Statements are prepared once.
 */
export class InboundRepo {
  private readonly insertLog;
  private readonly upsertContact;
  private readonly upsertRoom;

  constructor(private readonly db: Db) {
    this.insertLog = db.insert(inboundMessages).values({
      id: p('id'), account: p('account'), conversationId: p('conversationId'), talkerId: p('talkerId'),
      roomId: p('roomId'), type: p('type'), text: p('text'), mentionSelf: p('mentionSelf'),
      providerAt: p('providerAt'), receivedAt: p('receivedAt'),
    }).onConflictDoNothing().prepare();
    this.upsertContact = db.insert(contacts).values({
      id: p('id'), name: p('name'), firstSeenAt: p('at'), lastSeenAt: p('at'), lastInboundAt: p('at'),
    }).onConflictDoUpdate({
      target: contacts.id,
      set: {
        name: sql`case when excluded.name <> '' then excluded.name else ${contacts.name} end`,
        lastSeenAt: sql`max(${contacts.lastSeenAt}, excluded.last_seen_at)`,
        lastInboundAt: sql`max(coalesce(${contacts.lastInboundAt}, 0), excluded.last_inbound_at)`,
      },
    }).prepare();
    this.upsertRoom = db.insert(rooms).values({
      id: p('id'), topic: p('topic'), firstSeenAt: p('at'), lastSeenAt: p('at'), lastMessageAt: p('at'),
    }).onConflictDoUpdate({
      target: rooms.id,
      set: {
        topic: sql`case when excluded.topic <> '' then excluded.topic else ${rooms.topic} end`,
        lastSeenAt: sql`max(${rooms.lastSeenAt}, excluded.last_seen_at)`,
        lastMessageAt: sql`max(coalesce(${rooms.lastMessageAt}, 0), excluded.last_message_at)`,
      },
    }).prepare();
  }

  /**
   * Logs one message and updates the directory. Returns false when the id was already logged
   * (a redelivery), in which case nothing else is written.
   */
  record(m: InboundMessage, receivedAt: number): boolean {
    const res = this.insertLog.run({
      id: m.id, account: m.account, conversationId: m.roomId ?? (m.self ? m.listenerId : null) ?? m.talkerId, talkerId: m.talkerId,
      roomId: m.roomId, type: m.type, text: m.text, mentionSelf: m.mentionSelf ? 1 : 0,
      providerAt: m.providerAt, receivedAt,
    });
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
