import { beforeAll, describe, expect, it } from 'vitest';
import { capabilities } from '../../src/capabilities.js';
import { CampaignsRepo } from '../../src/campaigns/campaigns.repo.js';
import { AuditRepo } from '../../src/console/audit.repo.js';
import { silentLogger } from '../../src/core/logger.js';
import { testConfig } from '../support/app.js';
import { useTestApp } from '../support/test-app.js';

const SECRET = 'console-e2e-secret-0123456789';

const fx = useTestApp('siyu-console-api-', (dir, redisUrl) => ({
  config: testConfig(`${dir}/data`, { REDIS_URL: redisUrl, QUEUE_PREFIX: 'console-api', CONSOLE_TOKEN: `lin:${SECRET}` }),
  logger: silentLogger(),
  capabilities,
}));
let base: string;
beforeAll(() => {
  base = fx.app.healthUrl!.replace(/\/healthz$/, '');
});
const auth = { authorization: `Bearer ${SECRET}` };

const get = (p: string, headers: Record<string, string> = auth) => fetch(`${base}${p}`, { headers, redirect: 'manual' });
const post = (p: string, body?: unknown, headers: Record<string, string> = auth) =>
  fetch(`${base}${p}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: 'manual',
  });

describe('console API against the running bot', () => {
  it('refuses every route but /healthz and /login without the token; a browser is sent to the login form', async () => {
    for (const p of ['/api/campaigns', '/api/playbooks', '/api/sla/waiting', '/api/reports/wakeup', '/api/reports/groups', '/api/outbox/skips', '/metrics', '/queues']) {
      expect((await get(p, {})).status, p).toBe(401);
    }
    expect((await post('/api/campaigns/member-day/pause', {}, {})).status).toBe(401);
    expect(new CampaignsRepo(fx.app.db).get('member-day')?.status).toBe('scheduled');
    const page = await get('/campaigns', { accept: 'text/html' });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/login?next=%2Fcampaigns');
    expect((await get('/login', {})).status).toBe(200);
  });

  it('names tiers by the playbook in the overview (普卡, not regular)', async () => {
    const body = (await (await get('/api/overview')).json()) as { members: { byTier: { tier: string; name: string; n: number }[] } };
    expect(body.members.byTier).toContainEqual(expect.objectContaining({ tier: 'regular', name: '普卡' }));
  });

  it('logs a browser in with the form and lets the cookie through to the pages and bull-board', async () => {
    const wrong = await fetch(`${base}/login`, { method: 'POST', body: new URLSearchParams({ token: 'nope', next: '/sla' }), redirect: 'manual' });
    expect(wrong.status).toBe(401);
    const ok = await fetch(`${base}/login`, { method: 'POST', body: new URLSearchParams({ token: SECRET, next: '/sla' }), redirect: 'manual' });
    expect(ok.status).toBe(302);
    expect(ok.headers.get('location')).toBe('/sla');
    const cookie = ok.headers.get('set-cookie')!.split(';')[0]!;
    for (const p of ['/', '/guides', '/sla', '/campaigns', '/wakeup', '/groups', '/outbox']) {
      const r = await get(p, { cookie });
      expect(r.status, p).toBe(200);
      expect(await r.text(), p).toContain('私域运营控制台');
    }
    const board = await get('/queues', { cookie });
    expect(board.status).toBe(200);
    const queues = (await (await get('/queues/api/queues', { cookie })).json()) as { queues: { name: string }[] };
    expect(queues.queues.map((q) => q.name)).toContain('outbox-main');
  });

  it('lists campaigns with their funnel and shows one; an unknown id is 404', async () => {
    const list = (await (await get('/api/campaigns')).json()) as { campaigns: { id: string; status: string; funnel: Record<string, number> }[] };
    expect(list.campaigns.map((c) => c.id)).toEqual(expect.arrayContaining(['flash-sale', 'member-day']));
    expect(list.campaigns[0]!.funnel).toMatchObject({ targeted: expect.any(Number), sent: expect.any(Number), replied: expect.any(Number) });
    const one = (await (await get('/api/campaigns/member-day')).json()) as { id: string; definition: { id: string }; occurrences: unknown[] };
    expect(one).toMatchObject({ id: 'member-day', definition: { id: 'member-day' } });
    expect((await get('/api/campaigns/nope')).status).toBe(404);
  });

  it('pauses and resumes a campaign, audited with the operator the token names; bad bodies and unknown ids change nothing', async () => {
    const repo = new CampaignsRepo(fx.app.db);
    const transitions = repo.transitions('member-day').length;
    const badType = await post('/api/campaigns/member-day/pause', { reason: 5 });
    expect(badType.status).toBe(400);
    expect(await badType.json()).toMatchObject({ field: 'reason' });
    const unknownField = await post('/api/campaigns/member-day/pause', { reason: 'x', until: 'tomorrow' });
    expect(unknownField.status).toBe(400);
    expect(await unknownField.json()).toMatchObject({ field: 'until', error: 'until: unknown field; allowed: reason' });
    const notJson = await fetch(`${base}/api/campaigns/member-day/pause`, { method: 'POST', headers: auth, body: '{oops' });
    expect(notJson.status).toBe(400);
    expect((await post('/api/campaigns/nope/pause')).status).toBe(404);
    expect(repo.get('member-day')?.status).toBe('scheduled');
    expect(repo.transitions('member-day')).toHaveLength(transitions);

    const paused = await post('/api/campaigns/member-day/pause', { reason: '库存不足' });
    expect(paused.status).toBe(200);
    expect(repo.get('member-day')?.status).toBe('paused');
    expect(repo.transitions('member-day').at(-1)).toMatchObject({ to: 'paused', by: 'console:lin', reason: '库存不足' });
    expect((await post('/api/campaigns/member-day/pause')).status).toBe(409);
    expect((await post('/api/campaigns/member-day/resume')).status).toBe(200);
    expect(repo.get('member-day')?.status).toBe('scheduled');

    const actions = new AuditRepo(fx.app.db).recent(7).map((a) => [a.actor, a.channel, a.action, a.target, a.result.replace(/:.*/s, '')]);
    expect(actions).toEqual([
      ['lin', 'api', 'campaign.resume', 'member-day', 'ok'],
      ['lin', 'api', 'campaign.pause', 'member-day', 'refused'],
      ['lin', 'api', 'campaign.pause', 'member-day', 'ok'],
      ['lin', 'api', 'campaign.pause', 'nope', 'refused'],
      ['lin', 'api', 'campaign.pause', 'member-day', 'refused'],
      ['lin', 'api', 'campaign.pause', 'member-day', 'refused'],
      ['lin', 'api', 'campaign.pause', 'member-day', 'refused'],
    ]);
  });

  it('creates a campaign from a JSON body validated like a campaign file, all or nothing', async () => {
    const repo = new CampaignsRepo(fx.app.db);
    const good = {
      id: 'weekend-tea',
      name: '周末下午茶',
      status: 'draft',
      audience: { groups: { list: ['hz01-a@chatroom'] } },
      content: [{ kind: 'text', text: '{name}的家人们，周末下午茶会员 8 折' }],
      schedule: { at: '2030-01-05 15:00' },
      spreadMinutes: 10,
    };
    const bad = await post('/api/campaigns', { ...good, audience: { groups: { city: ['杭州'] } } });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { field: string; error: string };
    expect(body.field).toMatch(/^audience\.groups/);
    expect(body.error).toMatch(/city/);
    expect(repo.get('weekend-tea')).toBeUndefined();
    const created = await post('/api/campaigns', good);
    expect(created.status).toBe(201);
    expect(repo.get('weekend-tea')?.status).toBe('draft');
    const again = await post('/api/campaigns', good);
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ field: 'id' });
    expect((await fetch(`${base}/api/campaigns/nope`, { method: 'PUT', headers: auth, body: JSON.stringify(good) })).status).toBe(404);
    expect(new AuditRepo(fx.app.db).recent(3).map((a) => [a.action, a.target, a.result.replace(/:.*/s, '')])).toEqual([
      ['campaign.edit', 'nope', 'refused'],
      ['campaign.create', 'weekend-tea', 'refused'],
      ['campaign.create', 'weekend-tea', 'ok'],
    ]);
  });

  it('checks every playbook and reloads them, audited', async () => {
    const checks = (await (await get('/api/playbooks')).json()) as { ok: boolean; files: { kind: string; ok: boolean }[] };
    expect(checks.ok).toBe(true);
    expect(checks.files.map((f) => f.kind)).toEqual(expect.arrayContaining(['membership', 'guide-daily', 'sla', 'friends', 'wakeup', 'campaign']));
    const r = await post('/api/playbooks/reload');
    expect(r.status).toBe(200);
    expect(((await r.json()) as { applied: { kind: string }[] }).applied.map((a) => a.kind)).toContain('campaigns');
    expect(new AuditRepo(fx.app.db).recent(1)[0]).toMatchObject({ actor: 'lin', action: 'playbooks.reload', result: 'ok' });
  });

  it('serves the wake-up, campaigns and group-health reports, the SLA waiting list and outbox reasons', async () => {
    const w = (await (await get('/api/reports/wakeup')).json()) as { method: string; windowDays: number };
    expect(w).toMatchObject({ method: 'newcombe-hybrid-score-95', windowDays: expect.any(Number) });
    const c = (await (await get('/api/reports/campaigns')).json()) as { campaigns: unknown[] };
    expect(c.campaigns.length).toBeGreaterThanOrEqual(2);
    const g = (await (await get('/api/reports/groups')).json()) as { groups: { roomId: string }[] };
    expect(g.groups.map((x) => x.roomId)).toEqual(expect.arrayContaining(['hz01-a@chatroom', 'hz01-b@chatroom', 'hz01-vip@chatroom']));
    expect(await (await get('/api/sla/waiting')).json()).toMatchObject({ open: expect.any(Array), backlog: expect.any(Array) });
    expect(await (await get('/api/outbox/skips')).json()).toMatchObject({ reasons: expect.any(Array) });
    expect((await get('/api/outbox/999999')).status).toBe(404);
    expect((await post('/api/outbox/999999/retry')).status).toBe(404);
    expect((await get('/api/outbox?status=lost')).status).toBe(400);
  });

  it('exposes login state, outbox, queues, SLA clocks and send budget in /metrics', async () => {
    const text = await (await get('/metrics')).text();
    for (const name of [
      'siyu_logged_in 1',
      'siyu_inbound_messages_total',
      'siyu_outbound_messages_total',
      'siyu_outbox_messages{status="queued"}',
      'siyu_queue_jobs{queue="outbox-main"',
      'siyu_sla_open_questions',
      'siyu_sla_timers',
      'siyu_send_budget_used',
      'siyu_send_budget_per_minute',
    ]) {
      expect(text, name).toContain(name);
    }
  });
});
