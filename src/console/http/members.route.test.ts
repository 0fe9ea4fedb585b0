import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { runDoctor } from '../../members/doctor.js';
import { creditOrder } from '../../members/ledger.js';
import { insertMember, insertStore, shippedPlaybook } from '../../members/testing.js';
import { closeDb, openDb, type Db } from '../../platform/db/client.js';
import { IdentityRepo } from '../../members/identity/identity.repo.js';
import { AuditRepo } from '../audit.repo.js';
import { memberRoutes } from './routes/members.js';

const pb = shippedPlaybook();
let dir: string;
let db: Db;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'siyu-members-api-'));
  db = openDb(path.join(dir, 'siyu.db'));
});
afterEach(() => {
  closeDb(db);
  rmSync(dir, { recursive: true, force: true });
});

const clock = new ManualClock('2026-11-25T04:00:00Z');
function api() {
  const app = new Hono();
  memberRoutes(app, { db, playbook: () => pb, clock, audit: new AuditRepo(db) });
  const post = (body: unknown) =>
    app.request('/api/members/merge', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-operator': 'chen' },
      body: JSON.stringify(body),
    });
  return { app, post };
}

describe('members merge and duplicates over the console API', () => {
  it('lists the duplicate, merges it (audited with the operator), and the store is clean after', async () => {
    insertStore(db);
    const now = clock.now().getTime();
    const keep = insertMember(db, { name: '张丽娜', phone: '13800000001' }, now);
    const drop = insertMember(db, { name: '张丽娜', contactId: 'wx-zhang' }, now);
    creditOrder(db, pb, { orderId: 'A1', memberId: keep, amountFen: 50_000, orderedAt: now, storeCode: 'HZ01' }, now);
    creditOrder(db, pb, { orderId: 'B1', memberId: drop, amountFen: 20_000, orderedAt: now, storeCode: 'HZ01' }, now);
    const { app, post } = api();

    expect(await (await app.request('/api/members/duplicates')).json()).toEqual({
      duplicates: [{ ids: [keep, drop], why: 'same name: one joined in chat, one imported' }],
    });
    const r = await post({ keep, drop });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ keep, drop, moved: { ledger: 1, orders: 1, contacts: 1 }, after: { points: 70, contactId: 'wx-zhang', phone: '13800000001' } });
    expect(await (await app.request('/api/members/duplicates')).json()).toEqual({ duplicates: [] });
    expect(runDoctor(db)).toEqual({ ok: true, problems: [] });
    expect(new AuditRepo(db).recent(1)).toMatchObject([{ actor: 'chen', channel: 'api', action: 'members.merge', target: `${keep}<-${drop}`, result: 'ok' }]);
  });

  it('answers 400 naming the field, 404 for an unknown member, 409 for KEEP = DROP; each refusal audited, nothing changed', async () => {
    const a = insertMember(db, {}, 0);
    const { post } = api();
    const bad = await post({ keep: a, drop: 'x' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'drop' });
    const extra = await post({ keep: a, drop: 2, force: true });
    expect(await extra.json()).toMatchObject({ field: 'force', error: 'force: unknown field; allowed: keep, drop' });
    expect((await post({ keep: a, drop: 999 })).status).toBe(404);
    expect((await post({ keep: a, drop: a })).status).toBe(409);
    expect(db.$client.prepare('select count(*) from members').pluck().get()).toBe(1);
    expect(new AuditRepo(db).recent(10).map((x) => x.result)).toEqual([
      `KEEP and DROP are the same member (${a})`,
      'no member 999',
      expect.stringMatching(/^force: unknown field/),
      expect.stringMatching(/^drop: /),
    ]);
  });
});

describe('binding a contact from the console', () => {
  it('links a contact to an imported member (the contact then finds that record), refuses a taken contact, audits both', async () => {
    const now = clock.now().getTime();
    const imported = insertMember(db, { name: '陈思琪', phone: '13800000003' }, now);
    const other = insertMember(db, { name: '王芳', contactId: 'wx-wang' }, now);
    const { app } = api();
    const bind = (body: unknown) =>
      app.request('/api/members/bind', { method: 'POST', headers: { 'content-type': 'application/json', 'x-operator': 'chen' }, body: JSON.stringify(body) });
    const ok = await bind({ member: imported, contactId: 'wx-chen' });
    expect(ok.status).toBe(200);
    expect(db.$client.prepare('select contact_id from members where id = ?').pluck().get(imported)).toBe('wx-chen');
    expect(new IdentityRepo(db).memberByContact('wx-chen')?.id).toBe(imported);
    const taken = await bind({ member: imported, contactId: 'wx-wang' });
    expect(taken.status).toBe(409);
    expect((await taken.json()).error).toBe(`contact wx-wang belongs to member ${other}: merge the two records instead`);
    expect((await bind({ member: 999, contactId: 'wx-x' })).status).toBe(404);
    const blank = await bind({ member: imported, contactId: ' ' });
    expect(blank.status).toBe(400);
    expect(await blank.json()).toMatchObject({ field: 'contactId' });
    expect(new AuditRepo(db).recent(10).map((a) => [a.actor, a.action, a.target, a.result])).toEqual([
      ['chen', 'members.bind', null, expect.stringMatching(/^contactId: /)],
      ['chen', 'members.bind', '999<-wx-x', 'no member 999'],
      ['chen', 'members.bind', `${imported}<-wx-wang`, `contact wx-wang belongs to member ${other}: merge the two records instead`],
      ['chen', 'members.bind', `${imported}<-wx-chen`, 'ok'],
    ]);
  });
});
