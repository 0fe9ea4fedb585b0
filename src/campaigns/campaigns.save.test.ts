import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { openTestDb, type Db } from '../platform/db/client.js';
import { CampaignsRepo } from './campaigns.repo.js';
import { DEFAULT_CAMPAIGNS_DIR, saveCampaign } from './campaigns.service.js';

const NOW = Date.parse('2026-11-25T04:00:00Z');
const body = (over: Record<string, unknown> = {}) => ({
  id: 'flash',
  name: '闪购',
  audience: { groups: { stores: ['HZ01'] } },
  content: [{ kind: 'text', text: '{name} 闪购开始' }],
  schedule: { cron: '0 20 1 * *' },
  ...over,
});

describe('saveCampaign: what the console and the CLI call with a plain object', () => {
  let db: Db;
  let repo: CampaignsRepo;
  beforeEach(() => {
    db = openTestDb();
    repo = new CampaignsRepo(db);
  });

  it('returns every problem with its path (and what is allowed) and stores nothing', () => {
    const r = saveCampaign(db, body({ audience: { groups: { stores: ['HZ01'], city: 'x' } }, spreadMinutes: -1, status: 'live' }), 'console:alice', { now: NOW });
    expect(r).toEqual({
      ok: false,
      problems: expect.arrayContaining([
        { path: 'audience.groups', message: 'unknown key "city"', allowed: ['stores', 'tags', 'list', 'exclude', 'excludeTags'] },
        { path: 'spreadMinutes', message: 'expected minutes ≥ 0, found -1' },
        { path: 'status', message: 'expected one of draft, scheduled, found "live"', allowed: ['draft', 'scheduled'] },
      ]),
    });
    expect(repo.list()).toEqual([]);
    expect(saveCampaign(db, null, 'console:alice')).toMatchObject({ ok: false, problems: [{ path: '(top level)' }] });
    // Cross-field rules come with paths too: a bad cron and an unknown variable.
    expect(saveCampaign(db, body({ schedule: { cron: '0 25 * * *' }, content: [{ kind: 'text', text: '{coupon}' }] }), 'console:alice')).toEqual({
      ok: false,
      problems: [
        { path: 'schedule.cron', message: expect.stringContaining('is not a valid cron') },
        { path: 'content[0].text', message: 'unknown variable {coupon}', allowed: ['{name}', '{points}', '{tier}', '{store}'] },
      ],
    });
    expect(repo.list()).toEqual([]);
  });

  it('creates with the actor recorded; an image path resolves against sop/campaigns', () => {
    const content = [
      { kind: 'image', path: 'media/flash-sale.png' },
      { kind: 'text', text: '今晚 8 点' },
    ];
    expect(saveCampaign(db, body({ content }), 'console:alice', { now: NOW })).toEqual({ ok: true, id: 'flash', created: true, changed: true, warnings: [] });
    const row = repo.get('flash')!;
    expect(row).toMatchObject({ source: 'console', status: 'scheduled', file: null });
    expect(repo.definition(row).content[0]).toEqual({ kind: 'image', path: path.join(DEFAULT_CAMPAIGNS_DIR, 'media/flash-sale.png') });
    expect(repo.transitions('flash')).toMatchObject([{ from: 'draft', to: 'scheduled', by: 'console:alice', reason: 'created', at: NOW }]);
    expect(saveCampaign(db, body(), 'console:bob')).toMatchObject({ ok: false, problems: [{ path: 'id', message: expect.stringContaining('already a campaign') }] });
  });

  it('edits by id (the body may omit it, not change it); a running campaign is refused with the states that allow editing', () => {
    saveCampaign(db, body({ status: 'draft' }), 'console:alice', { now: NOW });
    expect(saveCampaign(db, body({ id: 'other' }), 'console:bob', { id: 'flash' })).toMatchObject({
      ok: false,
      problems: [{ path: 'id', message: expect.stringContaining('cannot change') }],
    });
    const { id: _id, ...noId } = body({ name: '闪购 2' });
    expect(saveCampaign(db, noId, 'console:bob', { id: 'flash', now: NOW + 1 })).toEqual({ ok: true, id: 'flash', created: false, changed: true, warnings: [] });
    // The body's status does not move the lifecycle: still a draft.
    expect(repo.get('flash')).toMatchObject({ name: '闪购 2', status: 'draft' });

    repo.transition('flash', 'draft', 'scheduled', 'console:bob', null, NOW + 2);
    repo.transition('flash', 'scheduled', 'running', 'scheduler', 'occurrence started', NOW + 3);
    expect(saveCampaign(db, body({ name: '闪购 3' }), 'console:bob', { id: 'flash' })).toEqual({
      ok: false,
      problems: [
        {
          path: 'status',
          message: expect.stringContaining('editing a running campaign is refused; pause it first'),
          allowed: ['draft', 'scheduled', 'paused'],
        },
      ],
    });
    expect(repo.get('flash')).toMatchObject({ name: '闪购 2' });
    expect(repo.transitions('flash').map((t) => `${t.from}>${t.to} ${t.by} ${t.reason ?? ''}`.trim())).toEqual([
      'draft>draft console:alice created',
      'draft>draft console:bob edited',
      'draft>scheduled console:bob',
      'scheduled>running scheduler occurrence started',
    ]);
    expect(saveCampaign(db, body(), 'console:bob', { id: 'nope' })).toMatchObject({ ok: false, problems: [{ path: 'id' }] });
  });
});
