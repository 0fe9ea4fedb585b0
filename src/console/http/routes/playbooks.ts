import type { Hono } from 'hono';
import type { Clock } from '../../../core/clock.js';
import type { AuditRepo } from '../../audit.repo.js';
import { checkPlaybooks } from '../../playbooks.js';
import { auditApi } from './common.js';

export interface PlaybookRoutesDeps {
  sopDir: string;
  clock: Clock;
  audit: AuditRepo;
  /**
   * Applies the (valid) playbooks to the running bot; returns one line per playbook. Capabilities
   * re-read changed files on their next use; the campaigns folder is synced into the store at once.
   */
  reload: () => { kind: string; result: string }[];
}

/**
 * `GET /api/playbooks`: every playbook checked, with file, path and what is allowed for each problem.
 * `POST /api/playbooks/reload`: refused (422, audited) while any playbook is bad, so nothing is
 * half-applied; otherwise applies them.
 */
export function playbookRoutes(app: Hono, d: PlaybookRoutesDeps): void {
  app.get('/api/playbooks', (c) => {
    const files = checkPlaybooks(d.sopDir);
    return c.json({ ok: files.every((f) => f.ok), files });
  });
  app.post('/api/playbooks/reload', (c) => {
    const files = checkPlaybooks(d.sopDir);
    const bad = files.filter((f) => !f.ok);
    if (bad.length) {
      const first = bad[0]!.problems[0]!;
      auditApi(d.audit, d.clock, c, 'playbooks.reload', null, `refused: ${bad.length} playbook(s) with problems; first ${first.file}: ${first.path}: ${first.message}`);
      return c.json({ error: `nothing reloaded: ${bad.length} playbook(s) have problems`, files: bad }, 422);
    }
    const applied = d.reload();
    auditApi(d.audit, d.clock, c, 'playbooks.reload', null, 'ok');
    return c.json({ ok: true, files: files.map((f) => ({ kind: f.kind, file: f.file, ok: true })), applied });
  });
}
