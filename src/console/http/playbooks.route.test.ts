import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { closeDb, openDb, type Db } from '../../platform/db/client.js';
import { AuditRepo } from '../audit.repo.js';
import { playbookRoutes } from './routes/playbooks.js';

let dir: string;
let db: Db;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'siyu-playbooks-'));
  cpSync(path.resolve('sop'), path.join(dir, 'sop'), { recursive: true });
  db = openDb(path.join(dir, 'siyu.db'));
});
afterAll(() => {
  closeDb(db);
  rmSync(dir, { recursive: true, force: true });
});

describe('playbook check and reload over the API', () => {
  it('refuses to reload while a playbook is bad (nothing applied, audited), and reloads once it is fixed', async () => {
    const sop = path.join(dir, 'sop');
    const audit = new AuditRepo(db);
    let reloads = 0;
    const app = new Hono();
    playbookRoutes(app, {
      sopDir: sop,
      clock: new ManualClock('2026-11-25T04:00:00Z'),
      audit,
      reload: () => {
        reloads++;
        return [{ kind: 'campaigns', result: 'synced' }];
      },
    });

    const sla = path.join(sop, 'sla.yaml');
    const good = readFileSync(sla, 'utf8');
    writeFileSync(sla, good.replace(/^(\s*)close: \[已处理\]/m, '$1close: 已处理'));
    const check = (await (await app.request('/api/playbooks')).json()) as {
      ok: boolean;
      files: { kind: string; ok: boolean; problems: { file: string; path: string; message: string }[] }[];
    };
    expect(check.ok).toBe(false);
    const bad = check.files.find((f) => !f.ok)!;
    expect(bad).toMatchObject({ kind: 'sla', problems: [{ file: sla, path: 'commands.close' }] });

    const refused = await app.request('/api/playbooks/reload', { method: 'POST' });
    expect(refused.status).toBe(422);
    expect(reloads).toBe(0);
    expect(audit.recent(1)[0]).toMatchObject({
      actor: 'console',
      channel: 'api',
      action: 'playbooks.reload',
      result: expect.stringMatching(/^refused: 1 playbook\(s\) with problems; first .*sla\.yaml: commands\.close: /),
    });

    writeFileSync(sla, good);
    const ok = await app.request('/api/playbooks/reload', { method: 'POST', headers: { 'x-operator': 'lin' } });
    expect(ok.status).toBe(200);
    expect(reloads).toBe(1);
    expect(audit.recent(1)[0]).toMatchObject({ actor: 'lin', action: 'playbooks.reload', result: 'ok' });
  });
});
