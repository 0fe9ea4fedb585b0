import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { Clock } from '../../../core/clock.js';
import { errorMessage } from '../../../core/errors.js';
import { ImportFileError, runImport, type ImportProgress, type ImportResult } from '../../../members/index.js';
import { IMPORT_KINDS, type ImportKindName } from '../../../members/index.js';
import type { MembershipPlaybook } from '../../../members/index.js';
import type { Db } from '../../../platform/db/client.js';
import type { AuditRepo } from '../../audit.repo.js';
import { operatorOf } from '../auth.js';
import { readBody } from './common.js';

const MAX_BYTES = 200 * 1024 * 1024;
/** Finished imports kept for their page to read. */
const KEEP = 20;

const body = z.strictObject({
  kind: z.enum(IMPORT_KINDS, { error: `one of ${IMPORT_KINDS.join(', ')}` }),
  name: z.string().min(1, 'the file name').max(200, 'at most 200 characters'),
  dataBase64: z.string().min(1, 'the file as base64'),
  dryRun: z.boolean().default(true),
  allowPartial: z.boolean().default(false),
});

interface ImportJob {
  id: string;
  kind: ImportKindName;
  name: string;
  dryRun: boolean;
  by: string;
  startedAt: number;
  progress: ImportProgress | null;
  result: ImportResult | null;
  error: string | null;
}

export interface ImportRoutesDeps {
  db: Db;
  audit: AuditRepo;
  clock: Clock;
  timezone: string;
  /** Where uploaded files wait while they are imported (removed after). */
  uploadDir: string;
  /** The membership playbook (members and orders need it). */
  membership: () => MembershipPlaybook;
}

/**
 * CSV imports from the console, with the CLI's engine: `POST /api/imports` (a file as base64, the kind,
 * dry run or apply; 202 with the import's id, it runs in the background) and `GET /api/imports/:id`
 * (progress while it runs, then the counts and every bad row with its row, column, value and why).
 * Every import is audited with the operator's name and its outcome.
 */
export function importRoutes(app: Hono, d: ImportRoutesDeps): void {
  const jobs = new Map<string, ImportJob>();
  app.post('/api/imports', async (c) => {
    const b = await readBody(c, body);
    if (!b.ok) return c.json(b.bad, 400);
    const bytes = Buffer.from(b.data.dataBase64, 'base64');
    if (bytes.length === 0 || bytes.length > MAX_BYTES)
      return c.json({ error: `dataBase64: expected a file of 1 byte to 200 MB, found ${bytes.length} bytes`, field: 'dataBase64' }, 400);
    const job: ImportJob = {
      id: randomUUID(),
      kind: b.data.kind,
      name: path.basename(b.data.name),
      dryRun: b.data.dryRun,
      by: operatorOf(c),
      startedAt: d.clock.now().getTime(),
      progress: null,
      result: null,
      error: null,
    };
    mkdirSync(d.uploadDir, { recursive: true });
    const file = path.join(d.uploadDir, `${job.id}.csv`);
    writeFileSync(file, bytes);
    jobs.set(job.id, job);
    for (const old of [...jobs.keys()].slice(0, Math.max(0, jobs.size - KEEP))) jobs.delete(old);
    const record = (result: string) =>
      d.audit.record({ at: d.clock.now().getTime(), actor: job.by, channel: 'api', action: `import.${job.kind}${job.dryRun ? '.dry-run' : ''}`, target: job.name, result });
    void (async () => {
      try {
        const needsPlaybook = job.kind === 'members' || job.kind === 'orders';
        job.result = await runImport(d.db, {
          kind: job.kind,
          file,
          encoding: 'auto',
          dryRun: job.dryRun,
          allowPartial: b.data.allowPartial,
          timeZone: d.timezone,
          now: d.clock.now(),
          playbook: needsPlaybook ? d.membership() : undefined,
          onProgress: (p) => {
            job.progress = p;
          },
        });
        const r = job.result;
        record(
          `${r.applied ? 'ok: applied' : r.dryRun ? 'ok: dry run' : 'refused: nothing applied'}; ${r.rows} rows, ${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged, ${r.bad} bad`,
        );
      } catch (err) {
        job.error = err instanceof ImportFileError ? err.message : `the import failed: ${errorMessage(err)}`;
        record(`refused: ${job.error}`);
      } finally {
        rmSync(file, { force: true });
      }
    })();
    return c.json({ id: job.id }, 202);
  });
  app.get('/api/imports/:id', (c) => {
    const job = jobs.get(c.req.param('id'));
    if (!job) return c.json({ error: `no import "${c.req.param('id')}" (only the last ${KEEP} are kept)` }, 404);
    return c.json({ ...job, done: job.result !== null || job.error !== null });
  });
}
