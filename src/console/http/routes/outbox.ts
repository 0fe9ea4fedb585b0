import type { Hono } from 'hono';
import type { Clock } from '../../../core/clock.js';
import { maskPhones } from '../../../core/mask.js';
import type { Outbox } from '../../../outbox/index.js';
import { displayStatus } from '../../../outbox/index.js';
import type { OutboxRepo } from '../../../outbox/index.js';
import { OUTBOX_STATUSES, type OutboxStatus } from '../../../platform/db/schema.js';
import type { AuditRepo } from '../../audit.repo.js';
import type { ConsoleRepo } from '../../console.repo.js';
import { whyText } from '../../outbox-why.js';
import { listOutbox, OUTBOX_PAGE_MAX } from '../../outbox-list.js';
import { isPurpose, PURPOSES } from '../../../outbox/index.js';
import { auditApi } from './common.js';

type Row = NonNullable<ReturnType<OutboxRepo['get']>>;

/** An outbox row as the console shows it: phones masked, with why it is where it is. */
export function outboxView(r: Row, now = Date.now(), tz = 'Asia/Shanghai') {
  return {
    id: r.id,
    key: r.key,
    target: r.targetId,
    purpose: r.purpose,
    status: r.status,
    state: displayStatus(r, now, tz),
    deferredUntil: r.deferredUntil,
    reason: r.reason,
    why: whyText(r.status, r.reason),
    attempts: r.attempts,
    createdAt: r.createdAt,
    sentAt: r.sentAt,
    content: maskPhones(r.content),
  };
}

/**
 * `GET /api/outbox[?status=&purpose=&limit=&before=]` (a page, newest first, each row with its text,
 * target name and `why`; `next` is the `before` of the following page), `GET /api/outbox/skips` (skipped and
 * expired rows by reason), `GET /api/outbox/:id`, `POST /api/outbox/:id/retry` (failed only; audited).
 */
export function outboxRoutes(app: Hono, d: { outbox: Outbox; outboxRepo: OutboxRepo; repo: ConsoleRepo; audit: AuditRepo; clock: Clock }): void {
  app.get('/api/outbox', (c) => {
    const status = c.req.query('status');
    if (status && !(OUTBOX_STATUSES as readonly string[]).includes(status)) {
      return c.json({ error: `status "${status}" is not valid; allowed: ${OUTBOX_STATUSES.join(', ')}`, field: 'status' }, 400);
    }
    const limit = Math.min(OUTBOX_PAGE_MAX, Math.max(1, Number(c.req.query('limit') ?? 100) || 100));
    const beforeText = c.req.query('before');
    const before = beforeText === undefined || beforeText === '' ? undefined : Number(beforeText);
    if (before !== undefined && (!Number.isInteger(before) || before < 1))
      return c.json({ error: `before "${beforeText}" is not valid: expected a message number (the "next" of the previous page)`, field: 'before' }, 400);
    const purpose = c.req.query('purpose') || undefined;
    if (purpose !== undefined && !isPurpose(purpose))
      return c.json({ error: `purpose "${purpose}" is not valid; allowed: ${Object.keys(PURPOSES).join(', ')}`, field: 'purpose' }, 400);
    return c.json(listOutbox(d.repo.db, { status: status as OutboxStatus | undefined, purpose, before, limit }, d.clock.now().getTime(), d.repo.timezone));
  });
  app.get('/api/outbox/skips', (c) => {
    const rows = d.repo.outboxSettledReasons();
    // Expiry reasons carry a timestamp: one line per kind of reason.
    const byWhy = new Map<string, number>();
    for (const r of rows) {
      const why = r.reason.startsWith('expired at ') ? '在时限前未能发出，已过期' : whyText(r.status, r.reason || null);
      byWhy.set(why, (byWhy.get(why) ?? 0) + r.n);
    }
    return c.json({ reasons: [...byWhy].map(([why, n]) => ({ why, n })).sort((a, b) => b.n - a.n) });
  });
  app.get('/api/outbox/:id{[0-9]+}', (c) => {
    const row = d.outboxRepo.get(Number(c.req.param('id')));
    return row ? c.json(outboxView(row, d.clock.now().getTime(), d.repo.timezone)) : c.json({ error: `no outbox message #${c.req.param('id')}` }, 404);
  });
  app.post('/api/outbox/:id/retry', async (c) => {
    const id = Number(c.req.param('id'));
    if (!Number.isInteger(id) || id <= 0) return c.json({ error: `id "${c.req.param('id')}" is not valid: expected a positive integer`, field: 'id' }, 400);
    if (!d.outboxRepo.get(id)) {
      auditApi(d.audit, d.clock, c, 'outbox.retry', String(id), 'refused: no such message');
      return c.json({ error: `no outbox message #${id}` }, 404);
    }
    const ok = await d.outbox.retry(id);
    const result = ok ? 'ok' : 'refused: only a failed message can be retried';
    auditApi(d.audit, d.clock, c, 'outbox.retry', String(id), result);
    return ok ? c.json({ ok: true }) : c.json({ error: result }, 409);
  });
}
