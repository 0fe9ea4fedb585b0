import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { silentLogger } from '../../core/logger.js';
import { outboxHarness, tempDir, type OutboxHarness } from '../../../test/support/harness.js';
import { useTestRedis } from '../../../test/support/redis-fixture.js';
import { AuditRepo } from '../audit.repo.js';
import { ConsoleRepo } from '../console.repo.js';
import { createConsoleApp } from './server.js';

const TOKEN = 'console-token-for-tests';
const redis = useTestRedis();
let tmp: ReturnType<typeof tempDir>;
let h: OutboxHarness;
let app: ReturnType<typeof createConsoleApp>;
const clock = new ManualClock('2026-11-25T04:00:00Z');

beforeAll(async () => {
  tmp = tempDir();
  h = await outboxHarness({ redisUrl: redis.url, dbFile: path.join(tmp.dir, 'console.db'), clock });
  app = createConsoleApp({
    token: TOKEN,
    clock,
    logger: silentLogger(),
    repo: new ConsoleRepo(h.db, 'Asia/Shanghai'),
    audit: new AuditRepo(h.db),
    outbox: h.outbox,
    outboxRepo: h.repo,
    health: async () => ({ ok: true, bot: { loggedIn: true }, outbox: h.repo.countByStatus() }),
    reports: { echo: (r) => ({ range: r }) },
    metrics: async () => ({
      loggedIn: true,
      inbound: { accepted: 0, rejected: {} },
      outbox: h.repo.countByStatus(),
      queues: null,
      handlerFailures: 0,
      sentLastMinute: 0,
      budgetPerMinute: 20,
    }),
  });
});
afterAll(async () => {
  await h.close();
  tmp.remove();
});

const auth = { authorization: `Bearer ${TOKEN}` };

describe('console API', () => {
  it('answers /healthz without a token and everything else only with it', async () => {
    expect((await app.request('/healthz')).status).toBe(200);
    for (const p of ['/', '/api/overview', '/metrics', '/api/outbox']) {
      expect((await app.request(p)).status, p).toBe(401);
      expect((await app.request(p, { headers: { authorization: 'Bearer wrong-token-wrong' } })).status, p).toBe(401);
    }
    expect((await app.request('/api/overview', { headers: auth })).status).toBe(200);
  });

  it('lets a browser in once with ?token= and a cookie afterwards', async () => {
    const first = await app.request(`/?token=${TOKEN}`);
    expect(first.status).toBe(200);
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    expect((await app.request('/api/overview', { headers: { cookie } })).status).toBe(200);
    expect(await first.text()).toContain('私域运营控制台');
  });

  it('names the field and what is allowed on a bad query', async () => {
    const res = await app.request('/api/outbox?status=lost', { headers: auth });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/status "lost" is not valid; allowed: queued, sending, sent/);
  });

  it('retries a failed message, refuses the rest, and audits both', async () => {
    h.transport.failures.set('c-gone', ['permanent']);
    const r = await h.outbox.enqueue({ key: 'x1', target: { kind: 'contact', id: 'c-gone' }, content: { kind: 'text', text: 'hi' }, purpose: 'reply' });
    h.sender.start(true);
    await h.settled(r.id, ['failed']);
    // No wait for the finished job to leave Redis: a retry is fed as a new generation, with its own job id.
    const list = await (await app.request('/api/outbox?status=failed', { headers: auth })).json();
    expect(list.rows.map((x: { id: number }) => x.id)).toContain(r.id);
    const ok = await app.request(`/api/outbox/${r.id}/retry`, { method: 'POST', headers: { ...auth, 'x-operator': 'admin-hz01' } });
    expect(ok.status).toBe(200);
    await h.settled(r.id, ['sent']);
    const again = await app.request(`/api/outbox/${r.id}/retry`, { method: 'POST', headers: auth });
    expect(again.status).toBe(409);
    const audit = await (await app.request('/api/audit', { headers: auth })).json();
    expect(audit.actions.map((a: { actor: string; result: string }) => [a.actor, a.result])).toEqual([
      ['console', 'refused: only a failed message can be retried'],
      ['admin-hz01', 'ok'],
    ]);
  });

  it('shows phone numbers in the audit trail masked', async () => {
    new AuditRepo(h.db).record({ at: 1, actor: 'admin-hz01', channel: 'chat', action: 'member', target: '13812345678', result: 'ok: 13912345678 王女士' });
    const masked = await (await app.request('/api/audit', { headers: auth })).json();
    expect(masked.actions[0]).toMatchObject({ target: '138****5678', result: 'ok: 139****5678 王女士' });
    expect(JSON.stringify(masked)).not.toMatch(/(?<!\d)1[3-9]\d{9}(?!\d)/u);
  });

  it('serves capability reports over a range of days, and names what is wrong with a bad one', async () => {
    const ok = await app.request('/api/reports/echo?from=2026-11-01&to=2026-11-25', { headers: auth });
    expect(await ok.json()).toEqual({ range: { from: '2026-11-01', to: '2026-11-25' } });
    const dflt = await (await app.request('/api/reports/echo', { headers: auth })).json();
    expect(dflt).toEqual({ range: { from: '2026-10-27', to: '2026-11-25' } });
    const bad = await app.request('/api/reports/echo?from=11/01', { headers: auth });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toBe('from "11/01" is not valid: expected a date YYYY-MM-DD');
    const unknown = await app.request('/api/reports/nope', { headers: auth });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toBe('report "nope" is not known; allowed: echo');
  });

  it('serves Prometheus metrics', async () => {
    const text = await (await app.request('/metrics', { headers: auth })).text();
    expect(text).toContain('siyu_outbox_messages{status="sent"} 1');
  });
});
