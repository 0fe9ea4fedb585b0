import type { Hono } from 'hono';
import type { Clock } from '../../../core/clock.js';
import { errorMessage } from '../../../core/errors.js';
import type { AuditRepo } from '../../audit.repo.js';
import type { WakeupOps } from '../../wakeup-ops.js';
import { auditApi } from './common.js';

/**
 * `/api/wakeup/preview` (what a selection run now would do; nothing stays) and `POST /api/wakeup/run`
 * (run it now; audited with the operator's name).
 */
export function wakeupRoutes(app: Hono, d: { ops: WakeupOps; audit: AuditRepo; clock: Clock }): void {
  app.get('/api/wakeup/preview', (c) => {
    try {
      return c.json(d.ops.preview());
    } catch (err) {
      return c.json({ error: `wake-up preview failed: ${errorMessage(err)}` }, 409);
    }
  });
  app.post('/api/wakeup/run', async (c) => {
    try {
      const r = await d.ops.run();
      auditApi(
        d.audit,
        d.clock,
        c,
        'wakeup.run',
        null,
        `ok: ${r.totals.sent} message(s), ${r.totals.suggested} suggestion(s), ${r.totals.holdout} holdout; ${r.started.treatment + r.started.holdout} newly dormant`,
      );
      return c.json(r);
    } catch (err) {
      auditApi(d.audit, d.clock, c, 'wakeup.run', null, `refused: ${errorMessage(err)}`);
      return c.json({ error: `wake-up run failed: ${errorMessage(err)}` }, 409);
    }
  });
}
