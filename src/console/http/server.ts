import type { AccountsReport } from '../accounts-view.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { maskDeep } from '../../core/mask.js';
import type { Outbox } from '../../outbox/index.js';
import type { OutboxRepo } from '../../outbox/index.js';
import { localDate } from '../../core/time.js';
import type { Db } from '../../platform/db/client.js';
import type { Queues } from '../../platform/queue/queues.js';
import type { CampaignsRepo } from '../../campaigns/index.js';
import type { CampaignService } from '../../campaigns/index.js';
import type { AuditRepo } from '../audit.repo.js';
import type { ConsoleRepo } from '../console.repo.js';
import { loginHandler, requireToken } from './auth.js';
import { DASHBOARD_PAGES } from './dashboard.js';
import { campaignBuilderPage } from './pages/campaign-builder.js';
import { renderLogin } from './pages/layout.js';
import { campaignRoutes, type CampaignBuilderDeps, type CreateCampaign } from './routes/campaigns.js';
import { outboxRoutes } from './routes/outbox.js';
import { playbookRoutes, type PlaybookRoutesDeps } from './routes/playbooks.js';
import { settingsRoutes, type EnvSettings, type SettingsRoutesDeps } from './routes/settings.js';
import { mountQueueBoard } from './routes/queues-board.js';
import { slaRoutes } from './routes/sla.js';
import { memberRoutes } from './routes/members.js';
import { PlaybookHolder, type MembershipPlaybook } from '../../members/index.js';
import { wakeupRoutes } from './routes/wakeup.js';
import { memberSearchRoutes } from './routes/member-search.js';
import { importRoutes } from './routes/imports.js';
import { importsPage } from './pages/imports.js';
import type { WakeupOps } from '../wakeup-ops.js';
import { renderMetrics, type MetricsInput } from './metrics.js';
import { SlaPlaybookHolder, type SlaPlaybook } from '../../sla/index.js';

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
  /** The store and the playbooks folder, for the SLA waiting list and playbook checks (absent in unit tests). */
  db?: Db;
  sopDir?: string;
  /** Campaign list, show, pause, resume, cancel (and create when offered). */
  campaigns?: { repo: CampaignsRepo; service: CampaignService; create?: CreateCampaign | null; builder?: CampaignBuilderDeps | null };
  /** Applies valid playbooks to the running bot (`POST /api/playbooks/reload`). */
  reloadPlaybooks?: PlaybookRoutesDeps['reload'];
  /** The bot's queues, shown by bull-board at `/queues`. */
  queues?: Queues;
  /** Where CSV files uploaded in the console wait while they are imported (absent: no imports page). */
  importDir?: string;
  /** Wake-up preview and run-now. */
  wakeup?: WakeupOps;
  /** The environment's quiet hours and marketing cap (in force where `sop/sending.yaml` leaves them empty). */
  envSettings?: EnvSettings;
  /** Applies a settings form's saved file to the running bot at once, where it can. */
  onSettingsSaved?: SettingsRoutesDeps['onSaved'];
  /** The bot account's own contact ids (not counted as replies). */
  selfIds?: () => string[];
  /** Every account's state, sends against caps, queue and reach (`/accounts`, `/api/accounts`). */
  accounts?: () => Promise<AccountsReport>;
  /**
   * The playbooks as the running capabilities read them (what the members and SLA capabilities
   * publish). One missing is read from `sopDir` by one holder of the console's own (unit tests, an app
   * without that capability).
   */
  playbooks?: { membership?: () => MembershipPlaybook; sla?: () => SlaPlaybook };
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
  const nowMs = () => d.clock.now().getTime();
  const membershipHolder = d.sopDir && !d.playbooks?.membership ? new PlaybookHolder(path.join(d.sopDir, 'membership.yaml'), d.logger) : null;
  const membership = d.playbooks?.membership ?? (membershipHolder ? () => membershipHolder.fresh(nowMs()) : null);
  const slaHolder = d.sopDir && !d.playbooks?.sla ? new SlaPlaybookHolder(path.join(d.sopDir, 'sla.yaml'), d.logger) : null;
  const slaPlaybook = d.playbooks?.sla ?? (slaHolder ? () => slaHolder.fresh(nowMs()) : null);
  app.use('*', requireToken(d.token));
  app.onError((err, c) => {
    d.logger.error({ err, path: c.req.path }, 'console request failed');
    return c.json({ error: 'internal error; see the bot log' }, 500);
  });

  app.get('/healthz', async (c) => {
    const r = await d.health();
    return c.json(r, r.ok ? 200 : 503);
  });
  if (d.accounts) {
    const accounts = d.accounts;
    app.get('/api/accounts', async (c) => c.json(await accounts()));
  }
  app.get('/metrics', async (c) => c.text(renderMetrics(await d.metrics()), 200, { 'content-type': 'text/plain; version=0.0.4' }));
  app.get('/assets/echarts.min.js', (c) => {
    echartsSource ??= readFileSync(echartsPath, 'utf8');
    return c.body(echartsSource, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'max-age=86400' });
  });
  const login = loginHandler(d.token, renderLogin);
  app.get('/login', login.get);
  app.post('/login', login.post);
  for (const [path, page] of Object.entries(DASHBOARD_PAGES)) app.get(path, (c) => c.html(page({ timezone: d.repo.timezone })));
  if (d.importDir && d.sopDir) {
    app.get('/imports', (c) => c.html(importsPage({ timezone: d.repo.timezone })));
    importRoutes(app, { db: d.repo.db, audit: d.audit, clock: d.clock, timezone: d.repo.timezone, uploadDir: d.importDir, membership: membership! });
  }
  if (d.campaigns) app.get('/campaigns/new', (c) => c.html(campaignBuilderPage({ timezone: d.repo.timezone })));
  if (d.queues) mountQueueBoard(app, d.queues);

  app.get('/api/overview', async (c) => {
    const now = d.clock.now().getTime();
    return c.json({
      timezone: d.repo.timezone,
      today: localDate(d.clock.now(), d.repo.timezone),
      health: await d.health(),
      inboundByHour: d.repo.inboundByHour(now),
      outboxByPurpose: d.repo.outboxByPurpose(),
      members: withTierNames(d.repo.members(now), membership),
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
    for (const [field, v] of [
      ['from', from],
      ['to', to],
    ] as const) {
      if (!DAY.test(v)) return c.json({ error: `${field} "${v}" is not valid: expected a date YYYY-MM-DD` }, 400);
    }
    if (from > to) return c.json({ error: `from ${from} is after to ${to}` }, 400);
    return c.json(report({ from, to }));
  });
  memberSearchRoutes(app, { db: d.repo.db, membership });
  app.get('/api/staff', (c) => c.json({ staff: d.repo.staff() }));
  app.get('/api/groups', (c) => c.json({ groups: d.repo.groups() }));
  // Targets and results may name a member by phone (admin chat `会员 138…`): shown masked, like logs.
  app.get('/api/audit', (c) => c.json({ actions: maskDeep(d.audit.recent()) }));
  outboxRoutes(app, { outbox: d.outbox, outboxRepo: d.outboxRepo, repo: d.repo, audit: d.audit, clock: d.clock });
  if (d.campaigns) {
    campaignRoutes(app, { ...d.campaigns, clock: d.clock, timezone: d.repo.timezone, audit: d.audit, selfIds: d.selfIds ?? (() => []) });
  }
  if (d.wakeup) wakeupRoutes(app, { ops: d.wakeup, audit: d.audit, clock: d.clock });
  if (d.sopDir) {
    playbookRoutes(app, { sopDir: d.sopDir, clock: d.clock, audit: d.audit, reload: d.reloadPlaybooks ?? (() => []) });
    settingsRoutes(app, {
      sopDir: d.sopDir,
      clock: d.clock,
      audit: d.audit,
      ...(d.envSettings ? { env: d.envSettings } : {}),
      ...(d.onSettingsSaved ? { onSaved: d.onSettingsSaved } : {}),
      ...(d.db ? { knownStores: () => d.db!.$client.prepare('select code from stores order by code').pluck().all() as string[] } : {}),
    });
    if (d.db) slaRoutes(app, { db: d.db, playbook: slaPlaybook!, timezone: d.repo.timezone, clock: d.clock });
    if (d.db) memberRoutes(app, { db: d.db, playbook: membership!, clock: d.clock, audit: d.audit, logger: d.logger });
  }
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
    close: () =>
      new Promise<void>((resolve) => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** Members by tier with each tier's display name from the playbook (普卡 …), for the overview's chart. */
function withTierNames<T extends { byTier: { tier: string; n: number }[] }>(
  m: T,
  membership: (() => MembershipPlaybook) | null,
): T & { byTier: { tier: string; name: string; n: number }[] } {
  let names = new Map<string, string>();
  try {
    if (membership) names = new Map(membership().tiers.map((t) => [t.code, t.name]));
  } catch {
    // A playbook that cannot be read: the codes are shown.
  }
  return { ...m, byTier: m.byTier.map((t) => ({ ...t, name: names.get(t.tier) ?? t.tier })) };
}
