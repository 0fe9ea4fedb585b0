import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { Clock } from '../../../core/clock.js';
import type { CampaignsRepo } from '../../../campaigns/index.js';
import type { CampaignService } from '../../../campaigns/index.js';
import { campaignReport } from '../../../campaigns/index.js';
import type { BuilderOptions } from '../../../campaigns/index.js';
import type { CampaignProblem } from '../../../campaigns/index.js';
import type { CampaignPreview } from '../../../campaigns/index.js';
import type { AuditRepo } from '../../audit.repo.js';
import { campaignView } from '../../campaign-view.js';
import { operatorOf } from '../auth.js';
import { auditApi, readBody } from './common.js';

/**
 * Creating (no `id`) or editing (`id`) a campaign from a plain object, validated exactly like a
 * campaign file, all or nothing (the campaigns capability's `saveCampaign`).
 */
export type CreateCampaign = (
  raw: unknown,
  by: string,
  id?: string,
) => { ok: true; id: string; created: boolean; changed: boolean; warnings?: CampaignProblem[] } | { ok: false; problems: CampaignProblem[] };

export interface CampaignRoutesDeps {
  repo: CampaignsRepo;
  service: CampaignService;
  clock: Clock;
  timezone: string;
  audit: AuditRepo;
  selfIds: () => string[];
  create?: CreateCampaign | null;
  /** The campaign builder's picker choices, preview and image uploads (absent: the builder page only edits JSON). */
  builder?: CampaignBuilderDeps | null;
}

export interface CampaignBuilderDeps {
  options(): BuilderOptions;
  preview(raw: unknown): CampaignPreview;
  /** Folder uploaded campaign images are stored in. */
  mediaDir: string;
}

const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
const IMAGE_TYPES: Record<string, string> = { png: 'png', jpg: 'jpg', jpeg: 'jpg', gif: 'gif', webp: 'webp' };
const mediaBody = z.strictObject({
  name: z.string().min(1, 'a file name').max(120, 'at most 120 characters'),
  dataBase64: z.string().min(1, 'the image as base64'),
});

const actionBody = z.strictObject({ reason: z.string().max(200, 'at most 200 characters').optional() });

/**
 * `/api/campaigns`: list (with each funnel), show (definition, transitions, report of each
 * occurrence), pause / resume / cancel (audited; unknown id 404, refused by the lifecycle 409), and
 * create when the campaigns capability offers it.
 */
export function campaignRoutes(app: Hono, d: CampaignRoutesDeps): void {
  app.get('/api/campaigns', (c) => {
    const now = d.clock.now();
    const rows = d.repo.list();
    const transitions = rows
      .flatMap((r) => d.repo.transitions(r.id).map((t) => ({ ...t, campaignId: r.id })))
      .sort((a, b) => b.at - a.at)
      .slice(0, 30);
    return c.json({
      timezone: d.timezone,
      campaigns: rows.map((r) => ({ ...campaignView(d.repo, r, { now, timezone: d.timezone, selfIds: d.selfIds() }), source: r.source })),
      transitions,
    });
  });
  app.get('/api/campaigns/:id', (c) => {
    const row = d.repo.get(c.req.param('id'));
    if (!row) return c.json({ error: `no campaign "${c.req.param('id')}"` }, 404);
    return c.json({
      ...campaignView(d.repo, row, { now: d.clock.now(), timezone: d.timezone, selfIds: d.selfIds() }),
      definition: d.repo.definition(row),
      transitions: d.repo.transitions(row.id),
      occurrences: campaignReport(d.repo, row.id, { selfIds: d.selfIds() }),
    });
  });
  if (d.builder) {
    const b = d.builder;
    app.get('/api/campaigns/builder/options', (c) => c.json({ timezone: d.timezone, ...b.options() }));
    app.post('/api/campaigns/builder/preview', async (c) => {
      let raw: unknown;
      try {
        raw = JSON.parse(await c.req.text());
      } catch {
        return c.json({ error: '(body): expected a JSON object (a campaign as in a campaign file)', field: '(body)' }, 400);
      }
      return c.json(b.preview(raw));
    });
    app.post('/api/campaigns/builder/media', async (c) => {
      const body = await readBody(c, mediaBody);
      if (!body.ok) return c.json(body.bad, 400);
      const ext = IMAGE_TYPES[path.extname(body.data.name).slice(1).toLowerCase()];
      if (!ext) return c.json({ error: `name: "${body.data.name}" is not an image; allowed: ${Object.keys(IMAGE_TYPES).join(', ')}`, field: 'name' }, 400);
      const bytes = Buffer.from(body.data.dataBase64, 'base64');
      if (bytes.length === 0 || bytes.length > MAX_IMAGE_BYTES)
        return c.json({ error: `dataBase64: expected an image of 1 byte to 5 MB, found ${bytes.length} bytes`, field: 'dataBase64' }, 400);
      mkdirSync(b.mediaDir, { recursive: true });
      const file = path.join(b.mediaDir, `${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.${ext}`);
      writeFileSync(file, bytes);
      auditApi(d.audit, d.clock, c, 'campaign.media', path.basename(file), `ok: ${body.data.name}, ${bytes.length} bytes`);
      return c.json({ ok: true, path: file, name: body.data.name, bytes: bytes.length }, 201);
    });
  }
  for (const action of ['schedule', 'run'] as const) {
    app.post(`/api/campaigns/:id/${action}`, (c) => {
      const id = c.req.param('id');
      if (!d.repo.get(id)) {
        auditApi(d.audit, d.clock, c, `campaign.${action}`, id, 'refused: no such campaign');
        return c.json({ error: `no campaign "${id}"` }, 404);
      }
      const by = `console:${operatorOf(c)}`;
      const r = action === 'schedule' ? d.service.schedule(id, by) : d.service.requestRun(id, by);
      auditApi(d.audit, d.clock, c, `campaign.${action}`, id, r.ok ? 'ok' : `refused: ${r.message}`);
      return r.ok ? c.json({ ok: true, message: r.message, status: d.repo.get(id)?.status }) : c.json({ error: r.message }, 409);
    });
  }
  for (const action of ['pause', 'resume', 'cancel'] as const) {
    app.post(`/api/campaigns/:id/${action}`, async (c) => {
      const id = c.req.param('id');
      const body = await readBody(c, actionBody);
      if (!body.ok) {
        auditApi(d.audit, d.clock, c, `campaign.${action}`, id, `refused: ${body.bad.error}`);
        return c.json(body.bad, 400);
      }
      if (!d.repo.get(id)) {
        auditApi(d.audit, d.clock, c, `campaign.${action}`, id, 'refused: no such campaign');
        return c.json({ error: `no campaign "${id}"` }, 404);
      }
      const by = `console:${operatorOf(c)}`;
      const r = action === 'pause' ? d.service.pause(id, by, body.data.reason ?? null) : action === 'resume' ? await d.service.resume(id, by) : d.service.cancel(id, by);
      auditApi(d.audit, d.clock, c, `campaign.${action}`, id, r.ok ? 'ok' : `refused: ${r.message}`);
      return r.ok ? c.json({ ok: true, message: r.message, status: d.repo.get(id)?.status }) : c.json({ error: r.message }, 409);
    });
  }
  const save = async (c: Context, id: string | undefined) => {
    const action = id ? 'campaign.edit' : 'campaign.create';
    if (!d.create) return c.json({ error: 'creating campaigns from the console is not available in this version; add a file under sop/campaigns/' }, 501);
    if (id && !d.repo.get(id)) {
      auditApi(d.audit, d.clock, c, action, id, 'refused: no such campaign');
      return c.json({ error: `no campaign "${id}"` }, 404);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(await c.req.text());
    } catch {
      auditApi(d.audit, d.clock, c, action, id ?? null, 'refused: body is not JSON');
      return c.json({ error: '(body): expected a JSON object (a campaign as in a campaign file)', field: '(body)' }, 400);
    }
    const r = d.create(raw, `console:${operatorOf(c)}`, id);
    const target = id ?? (typeof (raw as { id?: unknown } | null)?.id === 'string' ? (raw as { id: string }).id : null);
    if (!r.ok) {
      const first = r.problems[0]!;
      const text = `${first.path}: ${first.message}${first.allowed?.length ? `; allowed: ${first.allowed.join(', ')}` : ''}`;
      auditApi(d.audit, d.clock, c, action, target, `refused: ${text}`);
      return c.json({ error: text, field: first.path, problems: r.problems }, 400);
    }
    auditApi(d.audit, d.clock, c, action, r.id, r.changed ? 'ok' : 'ok: unchanged');
    return c.json({ ok: true, id: r.id, created: r.created, changed: r.changed, status: d.repo.get(r.id)?.status, warnings: r.warnings ?? [] }, r.created ? 201 : 200);
  };
  app.post('/api/campaigns', (c) => save(c, undefined));
  app.put('/api/campaigns/:id', (c) => save(c, c.req.param('id')));
}
