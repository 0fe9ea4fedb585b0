import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import type { EnqueueRequest } from '../outbox/outbox.js';
import { openTestDb } from '../platform/db/client.js';
import { stores } from '../platform/db/schema.js';
import { SlaInbox } from './sla.inbox.js';
import { inbound } from './testing.js';

describe('SLA inbox: batched store work', () => {
  it('handles a burst in one transaction, in order, and sends after the commit', async () => {
    const db = openTestDb();
    const order: string[] = [];
    const sent: EnqueueRequest[] = [];
    const inbox = new SlaInbox(
      db,
      (m) => {
        order.push(m.text);
        expect(db.$client.inTransaction).toBe(true);
        return [{ key: `k-${m.id}`, target: { kind: 'contact', id: 'x' }, content: { kind: 'text', text: m.text }, purpose: 'reply' }];
      },
      {
        enqueue: async (r) => {
          expect(db.$client.inTransaction).toBe(false);
          sent.push(r);
          return { id: 1, created: true, status: 'queued' };
        },
      },
      silentLogger(),
    );
    for (const t of ['a', 'b', 'c']) inbox.push(inbound({ text: t }), 0);
    await inbox.idle();
    expect(order).toEqual(['a', 'b', 'c']);
    expect(sent.map((s) => s.content)).toEqual([
      { kind: 'text', text: 'a' },
      { kind: 'text', text: 'b' },
      { kind: 'text', text: 'c' },
    ]);
  });

  it('leaves out only the message that fails; the others of its batch are written', async () => {
    const db = openTestDb();
    const inbox = new SlaInbox(
      db,
      (m) => {
        db.insert(stores).values({ code: m.text, name: m.text, createdAt: 0 }).run();
        if (m.text === 'BAD') throw new Error('boom');
        return [];
      },
      { enqueue: async () => ({ id: 1, created: true, status: 'queued' }) },
      silentLogger(),
    );
    for (const t of ['A', 'BAD', 'C']) inbox.push(inbound({ text: t }), 0);
    await inbox.idle();
    expect(
      db
        .select()
        .from(stores)
        .all()
        .map((s) => s.code),
    ).toEqual(['A', 'C']);
    expect(inbox.failureCount).toBe(1);
  });
});
