import type { Hono } from 'hono';
import { z } from 'zod';
import type { Clock } from '../../../core/clock.js';
import type { AuditRepo } from '../../audit.repo.js';
import { readSettings, saveSettings, SETTINGS_KINDS, storeHoursOf, type SettingsKind } from '../../settings.js';
import { auditApi, readBody } from './common.js';

/** The environment's quiet hours and cap: in force where `sop/sending.yaml` leaves them empty. */
export interface EnvSettings {
  quietHours: string;
  marketingCapPerDay: number;
}

export interface SettingsRoutesDeps {
  sopDir: string;
  clock: Clock;
  audit: AuditRepo;
  env?: EnvSettings;
  /**
   * Called after a file was saved, so the running bot applies it at once where it can (the sending
   * playbook is re-read for the next message); the others are picked up within a minute.
   */
  onSaved?: (kind: SettingsKind) => void;
  /** The store codes on record: per-store service hours for another code are saved with a note. */
  knownStores?: () => string[];
}

const body = z.record(z.string(), z.string({ error: 'expected the field as text' }));

/**
 * `GET /api/settings`: the form fields of the SLA, 3+3+3, wake-up and sending playbooks with their
 * current values (an empty quiet-hours or cap field shows the environment's value), and the
 * environment's values. `POST /api/settings/:kind` with `{ "field.path": "text" }`:
 * saved (200, `changed`) or refused (400 naming the field and what is allowed; the file untouched).
 * Both outcomes are audited with the operator's name.
 */
export function settingsRoutes(app: Hono, d: SettingsRoutesDeps): void {
  // An empty quiet-hours or cap field means the environment's value: the form shows it in its place.
  const defaults = (k: SettingsKind): Record<string, string> =>
    k === 'sending' && d.env ? { quietHours: d.env.quietHours, marketingCapPerDay: String(d.env.marketingCapPerDay) } : {};
  app.get('/api/settings', (c) =>
    c.json({
      files: SETTINGS_KINDS.map((k) => readSettings(d.sopDir, k, defaults(k))),
      env: d.env ?? null,
    }),
  );
  app.post('/api/settings/:kind', async (c) => {
    const kind = c.req.param('kind');
    if (!(SETTINGS_KINDS as readonly string[]).includes(kind))
      return c.json({ error: `kind: "${kind}" is not a settings form; allowed: ${SETTINGS_KINDS.join(', ')}`, field: 'kind' }, 404);
    const r = await readBody(c, body);
    if (!r.ok) {
      auditApi(d.audit, d.clock, c, 'settings.save', kind, `refused: ${r.bad.error}`);
      return c.json(r.bad, 400);
    }
    const saved = saveSettings(d.sopDir, kind as SettingsKind, r.data, defaults(kind as SettingsKind));
    if (!saved.ok) {
      const p = saved.problems[0]!;
      auditApi(d.audit, d.clock, c, 'settings.save', kind, `refused: ${p.path}: ${p.message}`);
      return c.json({ error: `${p.path}: ${p.message}`, field: p.path, problems: saved.problems }, 400);
    }
    if (saved.changed.length) d.onSaved?.(kind as SettingsKind);
    if (kind === 'sla' && saved.changed.includes('serviceHours.stores') && d.knownStores)
      saved.notes.push(...unknownStoreNotes(r.data['serviceHours.stores'] ?? '', d.knownStores()));
    auditApi(d.audit, d.clock, c, 'settings.save', kind, saved.changed.length ? `saved ${saved.changed.map((k) => `${k}=${JSON.stringify(r.data[k])}`).join(', ')}` : 'unchanged');
    return c.json({ ok: true, changed: saved.changed, notes: saved.notes, file: readSettings(d.sopDir, kind as SettingsKind, defaults(kind as SettingsKind)) });
  });
}

/** A note for each per-store line whose code is not a store on record (its hours apply to nobody until the store is imported). */
function unknownStoreNotes(text: string, known: string[]): string[] {
  const unknown = Object.keys(storeHoursOf(text)).filter((code) => !known.includes(code));
  return unknown.length ? [`serviceHours.stores: ${unknown.join('、')} 不是已导入的门店代码（已导入：${known.join('、') || '无'}）；导入该门店前这些时间不会用到`] : [];
}
