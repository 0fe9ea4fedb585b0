import path from 'node:path';
import { systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import type { InboundMessage } from '../../src/core/messages.js';
import { InboundRepo } from '../../src/inbound/inbound.repo.js';
import { Ingest } from '../../src/inbound/ingest.js';
import { Router } from '../../src/inbound/router.js';
import { closeDb, openDb } from '../../src/platform/db/client.js';
import { IdentityRepo } from '../../src/members/identity/identity.repo.js';
import { measure } from './measure.js';
import type { Measurement } from './table.js';

export const INGEST_BURST = 1000;
const RAW = 'ingest: raw better-sqlite3 INSERT';
const MAX_AGE_MS = 600_000;

const countRows = (db: ReturnType<typeof openDb>, table: string): number => (db.$client.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;

/**
 * The raw baseline: the same rows into the same `inbound_messages` table (fresh migrated file,
 * same pragmas), one prepared INSERT per row, one transaction per burst. No guards, no directory.
 */
export function benchRawInsert(messages: InboundMessage[], dir: string): Promise<Measurement> {
  return measure(
    RAW,
    messages.length,
    async (sw) => {
      const db = openDb(path.join(dir, 'raw-inbound.db'));
      try {
        const sqlite = db.$client;
        const insert = sqlite.prepare(`insert into inbound_messages
        (id, account, conversation_id, talker_id, room_id, type, text, mention_self, provider_at, received_at)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing`);
        const insertBatch = sqlite.transaction((batch: InboundMessage[], receivedAt: number) => {
          for (const m of batch) {
            insert.run(m.id, m.account, m.roomId ?? m.talkerId, m.talkerId, m.roomId, m.type, m.text, m.mentionSelf ? 1 : 0, m.providerAt, receivedAt);
          }
        });
        sw.start();
        for (let i = 0; i < messages.length; i += INGEST_BURST) {
          insertBatch(messages.slice(i, i + INGEST_BURST), Date.now());
          // Yield like a delivery boundary would, so both measurements pay the same event-loop turns.
          await new Promise<void>((r) => setImmediate(r));
        }
        sw.stop();
        const logged = countRows(db, 'inbound_messages');
        return {
          note: `raw: ${logged.toLocaleString('en-US')} rows logged`,
          ...(logged !== messages.length ? { problem: `${messages.length - logged} rows not logged` } : {}),
        };
      } finally {
        closeDb(db);
      }
    },
    RAW,
  );
}

/**
 * The real path: `Ingest.accept` for every message (guards, log, contact/room directory and
 * activity, router with one no-op handler), in bursts awaited one after the other, until dispatch
 * is idle.
 */
export function benchIngest(messages: InboundMessage[], dir: string): Promise<Measurement> {
  return measure(
    'ingest: Ingest.accept (full path)',
    messages.length,
    async (sw) => {
      const db = openDb(path.join(dir, 'ingest.db'));
      try {
        const logger = silentLogger();
        const router = new Router(logger);
        let dispatched = 0;
        // A few bindings in progress, as in a store where members are being bound in chat.
        const identity = new IdentityRepo(db);
        const t0 = Date.now();
        for (let i = 0; i < 100; i++) {
          identity.save({
            contactId: `binding-${i}`,
            contactName: '',
            command: '{"kind":"join","code":null}',
            state: 'asked-phone',
            memberId: null,
            attempts: 0,
            createdAt: t0,
            updatedAt: t0,
          });
        }
        const ages = { pendingMs: 30 * 60_000, lockMs: 24 * 3_600_000 };
        router.use('binding-lookup', ({ message: m }) => {
          if (!m.roomId) identity.pending(m.talkerId, t0, ages);
          dispatched++;
        });
        const ingest = new Ingest(new InboundRepo(db), router, systemClock, logger, { maxAgeMs: MAX_AGE_MS });
        sw.start();
        for (let i = 0; i < messages.length; i += INGEST_BURST) {
          const burst = messages.slice(i, i + INGEST_BURST);
          await Promise.all(burst.map((m) => ingest.accept(m)));
        }
        await ingest.idle();
        sw.stop();
        const s = ingest.getStats();
        const rejected = Object.entries(s.rejected)
          .filter(([, n]) => n > 0)
          .map(([k, n]) => `${k}=${n}`)
          .join(' ');
        const note =
          `ingest: accepted ${s.accepted.toLocaleString('en-US')}, dispatched ${dispatched.toLocaleString('en-US')}, ` +
          `logged ${countRows(db, 'inbound_messages').toLocaleString('en-US')}, contacts ${countRows(db, 'contacts')}, rooms ${countRows(db, 'rooms')}` +
          (rejected ? `, REJECTED ${rejected}` : '');
        const missing = messages.length - Math.min(s.accepted, dispatched);
        return { note, ...(missing > 0 ? { problem: `${missing} of ${messages.length} messages not accepted and dispatched (${rejected || 'no rejections counted'})` } : {}) };
      } finally {
        closeDb(db);
      }
    },
    RAW,
  );
}
