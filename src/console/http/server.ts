import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { Outbox } from '../../outbox/outbox.js';
import type { OutboxRepo } from '../../outbox/outbox.repo.js';
import { OUTBOX_STATUSES, type OutboxStatus } from '../../platform/db/schema.js';
import { maskPhones } from '../../core/mask.js';
import { localDate } from '../../core/time.js';
import type { AuditRepo } from '../audit.repo.js';
import type { ConsoleRepo } from '../console.repo.js';
import { requireToken } from './auth.js';
import { renderDashboard } from './dashboard.js';
import { renderMetrics, type MetricsInput } from './metrics.js';

export type HealthReport = { ok: boolean } & Record<string, unknown>;

export interface ConsoleDeps {
  token: string | undefined;
  clock: Clock;
  logger: Logger;
  repo: ConsoleRepo;
  audit: AuditRepo;
  outbox: Outbox;
  outboxRepo: OutboxRepo;
  health(): Promise<HealthReport>;
  metrics(): Promise<MetricsInput>;
  /** Capability reports by name (`guides`, `sla` …) over a range of local days, as JSON. */
  reports: Record<string, (range: { from: string; to: string }) => unknown>;
}

const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

const echartsPath = createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js');
let echartsSource: string | null = null;

/**
 * The operator console: `/healthz` (open), `/metrics`, the JSON API under `/api` and the dashboard at
 * `/`, all behind the console token when one is configured. Every action is audited.
 */
export function createConsoleApp(d: ConsoleDeps): Hono {
  const app = new Hono();
  app.use('*', requireToken(d.token));
  app.onError((err, c) => {
    d.logger.error({ err, path: c.req.path }, 'console request failed');
    return c.json({ error: 'internal error; see the bot log' }, 500);
  });

  app.get('/healthz', async (c) => {
    const r = await d.health();
    return c.json(r, r.ok ? 200 : 503);
  });
  app.get('/metrics', async (c) => c.text(renderMetrics(await d.metrics()), 200, { 'content-type': 'text/plain; version=0.0.4' }));
  app.get('/assets/echarts.min.js', (c) => {
    echartsSource ??= readFileSync(echartsPath, 'utf8');
    return c.body(echartsSource, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'max-age=86400' });
  });
  app.get('/', (c) => c.html(renderDashboard()));

  app.get('/api/overview', async (c) => {
    const now = d.clock.now().getTime();
    return c.json({
      timezone: d.repo.timezone,
      health: await d.health(),
      inboundByHour: d.repo.inboundByHour(now),
      outboxByPurpose: d.repo.outboxByPurpose(),
      members: d.repo.members(now),
      scheduleRuns: d.repo.scheduleRuns(),
    });
  });
  app.get('/api/reports/:name', (c) => {
    const name = c.req.param('name');
    const report = d.reports[name];
    if (!report) return c.json({ error: `report "${name}" is not known; allowed: ${Object.keys(d.reports).join(', ')}` }, 404);
    const today = localDate(d.clock.now(), d.repo.timezone);
    const to = c.req.query('to') ?? today;
    const from = c.req.query('from') ?? localDate(new Date(d.clock.now().getTime() - 29 * 86_400_000), d.repo.timezone);
    for (const [field, v] of [['from', from], ['to', to]] as const) {
      if (!DAY.test(v)) return c.json({ error: `${field} "${v}" is not valid: expected a date YYYY-MM-DD` }, 400);
    }
    if (from > to) return c.json({ error: `from ${from} is after to ${to}` }, 400);
    return c.json(report({ from, to }));
  });
  app.get('/api/members', (c) => c.json({ members: d.repo.findMembers(c.req.query('q') ?? '') }));
  app.get('/api/staff', (c) => c.json({ staff: d.repo.staff() }));
  app.get('/api/groups', (c) => c.json({ groups: d.repo.groups() }));
  app.get('/api/audit', (c) => c.json({ actions: d.audit.recent() }));
  app.get('/api/outbox', (c) => {
    const status = c.req.query('status');
    if (status && !(OUTBOX_STATUSES as readonly string[]).includes(status)) {
      return c.json({ error: `status "${status}" is not valid; allowed: ${OUTBOX_STATUSES.join(', ')}` }, 400);
    }
    const limit = Math.min(500, Math.max(1, Number(c.req.query('limit') ?? 100) || 100));
    const rows = d.outboxRepo.latest(limit, status as OutboxStatus | undefined).map((r) => ({
      id: r.id, key: r.key, target: r.targetId, purpose: r.purpose, status: r.status, reason: r.reason,
      attempts: r.attempts, createdAt: r.createdAt, sentAt: r.sentAt, content: maskPhones(r.content),
    }));
    return c.json({ rows });
  });
  app.post('/api/outbox/:id/retry', async (c) => {
    const id = Number(c.req.param('id'));
    const actor = c.req.header('x-operator') ?? 'console';
    if (!Number.isInteger(id) || id <= 0) return c.json({ error: `id "${c.req.param('id')}" is not valid: expected a positive integer` }, 400);
    const ok = await d.outbox.retry(id);
    const result = ok ? 'ok' : 'refused: only a failed message can be retried';
    d.audit.record({ at: d.clock.now().getTime(), actor, channel: 'api', action: 'outbox.retry', target: String(id), result });
    return ok ? c.json({ ok: true }) : c.json({ error: result }, 409);
  });
  return app;
}

/** Starts the console on host:port; resolves with its URL and a close function. */
export async function startConsoleServer(app: Hono, host: string, port: number): Promise<{ url: string; close(): Promise<void> }> {
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port }, () => resolve(s));
    s.once('error', reject);
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${host}:${addr.port}`,
    close: () => new Promise<void>((resolve) => {
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}
