import type { Hono } from 'hono';
import { z } from 'zod';
import type { Clock } from '../../../core/clock.js';
import type { AuditRepo } from '../../audit.repo.js';
import { readSettings, saveSettings, SETTINGS_KINDS, type SettingsKind } from '../../settings.js';
import { auditApi, readBody } from './common.js';

/** Settings read from the environment at start (shown, not edited: they need a restart). */
export interface EnvSettings {
  quietHours: string;
  marketingCapPerDay: number;
}

export interface SettingsRoutesDeps {
  sopDir: string;
  clock: Clock;
  audit: AuditRepo;
  env?: EnvSettings;
}

const body = z.record(z.string(), z.string({ error: 'expected the field as text' }));

/**
 * `GET /api/settings`: the form fields of the SLA, 3+3+3 and wake-up playbooks with their current
 * values, and the environment settings. `POST /api/settings/:kind` with `{ "field.path": "text" }`:
 * saved (200, `changed`) or refused (400 naming the field and what is allowed; the file untouched).
 * Both outcomes are audited with the operator's name.
 */
export function settingsRoutes(app: Hono, d: SettingsRoutesDeps): void {
  app.get('/api/settings', (c) => c.json({
    files: SETTINGS_KINDS.map((k) => readSettings(d.sopDir, k)),
    env: d.env ?? null,
  }));
  app.post('/api/settings/:kind', async (c) => {
    const kind = c.req.param('kind');
    if (!(SETTINGS_KINDS as readonly string[]).includes(kind)) return c.json({ error: `kind: "${kind}" is not a settings form; allowed: ${SETTINGS_KINDS.join(', ')}`, field: 'kind' }, 404);
    const r = await readBody(c, body);
    if (!r.ok) {
      auditApi(d.audit, d.clock, c, 'settings.save', kind, `refused: ${r.bad.error}`);
      return c.json(r.bad, 400);
    }
    const saved = saveSettings(d.sopDir, kind as SettingsKind, r.data);
    if (!saved.ok) {
      const p = saved.problems[0]!;
      auditApi(d.audit, d.clock, c, 'settings.save', kind, `refused: ${p.path}: ${p.message}`);
      return c.json({ error: `${p.path}: ${p.message}`, field: p.path, problems: saved.problems }, 400);
    }
    auditApi(d.audit, d.clock, c, 'settings.save', kind, saved.changed.length ? `saved ${saved.changed.map((k) => `${k}=${JSON.stringify(r.data[k])}`).join(', ')}` : 'unchanged');
    return c.json({ ok: true, changed: saved.changed, notes: saved.notes, file: readSettings(d.sopDir, kind as SettingsKind) });
  });
}
