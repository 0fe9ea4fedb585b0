import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { loadGuidePlaybook } from '../../guide-sop/playbook.js';
import { loadSlaPlaybook } from '../../sla/sla.playbook.js';
import { loadWakeupPlaybook } from '../../wakeup/playbook.js';
import { loadSendingPlaybook } from '../../outbox/sending.playbook.js';
import { closeDb, openDb, type Db } from '../../platform/db/client.js';
import { AuditRepo } from '../audit.repo.js';
import { settingsRoutes } from './routes/settings.js';

let dir: string;
let sop: string;
let db: Db;
let app: Hono;
let audit: AuditRepo;
const saved: string[] = [];

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'siyu-settings-'));
  sop = path.join(dir, 'sop');
  cpSync(path.resolve('sop'), sop, { recursive: true });
  db = openDb(path.join(dir, 'siyu.db'));
  audit = new AuditRepo(db);
  app = new Hono();
  settingsRoutes(app, {
    sopDir: sop,
    clock: new ManualClock('2026-11-25T04:00:00Z'),
    audit,
    env: { quietHours: '21:30-08:30', marketingCapPerDay: 1 },
    onSaved: (kind) => saved.push(kind),
    knownStores: () => ['HZ01', 'SH02'],
  });
});
afterAll(() => {
  closeDb(db);
  rmSync(dir, { recursive: true, force: true });
});

const post = (kind: string, body: unknown, operator = 'lin') =>
  app.request(`/api/settings/${kind}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-operator': operator }, body: JSON.stringify(body) });

/** The file with the given lines replaced: what a save may change, and nothing else. */
const withLines = (text: string, swaps: [string, string][]) =>
  swaps.reduce((t, [from, to]) => {
    expect(t).toContain(from);
    return t.replace(from, to);
  }, text);

describe('playbook settings over the API', () => {
  it('shows the current values and the environment settings', async () => {
    const j = (await (await app.request('/api/settings')).json()) as { files: { kind: string; fields: { key: string; value: string }[] }[]; env: unknown };
    expect(j.files.map((f) => f.kind)).toEqual(['sla', 'guide-daily', 'wakeup', 'sending']);
    const guide = j.files.find((f) => f.kind === 'guide-daily')!;
    expect(guide.fields).toContainEqual(expect.objectContaining({ key: 'quotas.chats', value: '3' }));
    expect(guide.fields).toContainEqual(expect.objectContaining({ key: 'times.card', value: '09:30' }));
    expect(j.files.find((f) => f.kind === 'sla')!.fields).toContainEqual(expect.objectContaining({ key: 'tiers', value: '5m owner-guide\n15m store-manager\n60m admins' }));
    expect(j.files.find((f) => f.kind === 'wakeup')!.fields).toContainEqual(expect.objectContaining({ key: 'windows', value: '10:00-12:00, 19:00-21:00' }));
    expect(j.env).toEqual({ quietHours: '21:30-08:30', marketingCapPerDay: 1 });
    // the shipped sending.yaml leaves both empty: the form shows the environment's values in their place
    expect(j.files.find((f) => f.kind === 'sending')!.fields).toEqual([
      expect.objectContaining({ key: 'quietHours', value: '21:30-08:30', from: 'default' }),
      expect.objectContaining({ key: 'marketingCapPerDay', value: '1', from: 'default' }),
    ]);
    expect(j.files.find((f) => f.kind === 'sla')!.fields).toContainEqual(expect.objectContaining({ key: 'serviceHours.stores', value: '' }));
  });

  it('saves quiet hours and the cap into sending.yaml (comments kept; the same value as the environment is no change); saving tells the running bot', async () => {
    const file = path.join(sop, 'sending.yaml');
    const before = readFileSync(file, 'utf8');
    expect(await (await post('sending', { quietHours: '21:30-08:30', marketingCapPerDay: '1' })).json()).toMatchObject({ changed: [] });
    expect(saved).toEqual([]);
    const res = await post('sending', { quietHours: '22:00-07:30', marketingCapPerDay: '2' }, 'mei');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      changed: ['quietHours', 'marketingCapPerDay'],
      file: {
        effective: 'now',
        fields: [
          { value: '22:00-07:30', from: 'file' },
          { value: '2', from: 'file' },
        ],
      },
    });
    expect(readFileSync(file, 'utf8')).toBe(
      withLines(before, [
        ['quietHours: ~\n', 'quietHours: 22:00-07:30\n'],
        ['marketingCapPerDay: ~\n', 'marketingCapPerDay: 2\n'],
      ]),
    );
    expect(loadSendingPlaybook(file)).toMatchObject({ quietHours: { startMinute: 22 * 60, endMinute: 7 * 60 + 30 }, marketingCapPerDay: 2 });
    expect(saved).toEqual(['sending']);
    expect(audit.recent(1)[0]).toMatchObject({ actor: 'mei', action: 'settings.save', target: 'sending', result: 'saved quietHours="22:00-07:30", marketingCapPerDay="2"' });
    // emptied: back to the environment's value
    expect((await post('sending', { marketingCapPerDay: '' })).status).toBe(200);
    expect(loadSendingPlaybook(file).marketingCapPerDay).toBeNull();
  });

  it("a sopDir without sending.yaml shows the environment's values and a save writes the file from the shipped one", async () => {
    const file = path.join(sop, 'sending.yaml');
    rmSync(file);
    const j = (await (await app.request('/api/settings')).json()) as { files: { kind: string; fields: { key: string; value: string; from?: string }[] }[] };
    expect(j.files.find((f) => f.kind === 'sending')!.fields.map((f) => [f.value, f.from])).toEqual([
      ['21:30-08:30', 'default'],
      ['1', 'default'],
    ]);
    expect((await post('sending', { quietHours: '22:30-08:00' })).status).toBe(200);
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(path.resolve('sop/sending.yaml'), 'utf8').replace('quietHours: ~\n', 'quietHours: 22:30-08:00\n'));
  });

  it('saves per-store service hours in the SLA form, one store a line; an emptied list goes back to {}', async () => {
    const sla = path.join(sop, 'sla.yaml');
    const before = readFileSync(sla, 'utf8');
    const res = await post('sla', { 'serviceHours.stores': 'SH02 10:00-22:00\nHZ01 09:00-18:00 workdays holidays=10:00-16:00' });
    expect(res.status).toBe(200);
    expect(readFileSync(sla, 'utf8')).toBe(
      withLines(before, [['  stores: {}\n', '  stores:\n    SH02: { hours: "10:00-22:00" }\n    HZ01: { hours: "09:00-18:00", days: workdays, holidays: "10:00-16:00" }\n']]),
    );
    const pb = loadSlaPlaybook(sla);
    expect(pb.hoursFor('SH02')).toMatchObject({ open: 600, close: 1320, days: pb.defaultHours.days, holidays: pb.defaultHours.holidays });
    expect(pb.hoursFor('HZ01')).toMatchObject({ open: 540, close: 1080, days: 'workdays', holidays: { open: 600, close: 960 } });
    expect(((await res.json()) as { file: { fields: { key: string; value: string }[] } }).file.fields.find((f) => f.key === 'serviceHours.stores')!.value).toBe(
      'SH02 10:00-22:00\nHZ01 09:00-18:00 workdays holidays=10:00-16:00',
    );
    // a code that is not a store on record is saved, with a note saying so
    expect(((await (await post('sla', { 'serviceHours.stores': 'SH02 10:00-22:00\nSH99 10:00-20:00' })).json()) as { notes: string[] }).notes).toEqual([
      'serviceHours.stores: SH99 不是已导入的门店代码（已导入：HZ01、SH02）；导入该门店前这些时间不会用到',
    ]);
    expect((await post('sla', { 'serviceHours.stores': '' })).status).toBe(200);
    expect(readFileSync(sla, 'utf8')).toBe(before);
  });

  it('saves 3+3+3 quotas and times: only those values change, comments and the rest of the file stay; audited', async () => {
    const file = path.join(sop, 'guide-daily.yaml');
    const before = readFileSync(file, 'utf8');
    const res = await post('guide-daily', { 'quotas.chats': '5', 'times.card': '09:00', 'times.nudge': '15:00' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { changed: string[] }).changed).toEqual(['quotas.chats', 'times.card']);
    expect(readFileSync(file, 'utf8')).toBe(
      withLines(before, [
        ['  chats: 3\n', '  chats: 5\n'],
        ['  card: "09:30"      # the task card', '  card: "09:00"      # the task card'],
      ]),
    );
    const pb = loadGuidePlaybook(file);
    expect(pb.quotas.chats).toBe(5);
    expect(pb.times.card).toBe('09:00');
    expect(audit.recent(1)[0]).toMatchObject({
      actor: 'lin',
      channel: 'api',
      action: 'settings.save',
      target: 'guide-daily',
      result: 'saved quotas.chats="5", times.card="09:00"',
    });
  });

  it('saves SLA service hours, target and tiers, and wake-up budget and windows, keeping comments', async () => {
    const sla = path.join(sop, 'sla.yaml');
    const slaBefore = readFileSync(sla, 'utf8');
    expect((await post('sla', { 'serviceHours.default.days': '1,2,3,4,5', target: '10m', tiers: '10m owner-guide\n30m store-manager' })).status).toBe(200);
    expect(readFileSync(sla, 'utf8')).toBe(
      withLines(slaBefore, [
        ['    days: every-day\n', '    days: [1, 2, 3, 4, 5]\n'],
        ['target: 5m\n', 'target: 10m\n'],
        [
          '  - after: 5m\n    to: owner-guide\n  - after: 15m\n    to: store-manager\n  - after: 60m\n    to: admins\n',
          '  - after: 10m\n    to: owner-guide\n  - after: 30m\n    to: store-manager\n',
        ],
      ]),
    );
    const s = loadSlaPlaybook(sla);
    expect(s.tiers.map((t) => t.to)).toEqual(['owner-guide', 'store-manager']);

    const wake = path.join(sop, 'wakeup.yaml');
    const wakeBefore = readFileSync(wake, 'utf8');
    const saved = await post('wakeup', { 'budget.perAccountPerDay': '150', windows: '09:30-11:00, 18:00-20:00' }, 'mei');
    expect(saved.status).toBe(200);
    expect(((await saved.json()) as { notes: string[] }).notes).toEqual([]);
    expect(readFileSync(wake, 'utf8')).toBe(
      withLines(wakeBefore, [
        ['  perAccountPerDay: 200\n', '  perAccountPerDay: 150\n'],
        ['windows: ["10:00-12:00", "19:00-21:00"]', 'windows: ["09:30-11:00", "18:00-20:00"]'],
      ]),
    );
    expect(loadWakeupPlaybook(wake).windows.map((w) => w.startMinute)).toEqual([570, 1080]);
    expect(audit.recent(1)[0]).toMatchObject({ actor: 'mei', action: 'settings.save', target: 'wakeup' });
    // a third window is saved, with a note that its selection time starts at the next restart
    const added = (await (await post('wakeup', { windows: '09:30-11:00, 14:00-15:00, 18:00-20:00' })).json()) as { notes: string[] };
    expect(added.notes).toEqual([expect.stringMatching(/^windows: .*重启/)]);
  });

  it.each([
    ['guide-daily', { 'quotas.moments': '25' }, 'quotas.moments', /whole number from 0 \(switched off\) to 20, found 25/],
    ['guide-daily', { 'quotas.groups': 'three' }, 'quotas.groups', /expected .*found "three"/],
    ['guide-daily', { 'times.nudge': '08:00' }, 'times.nudge', /after times\.card/],
    ['sla', { tiers: '5m owner-guide\n15m boss' }, 'tiers[1].to', /owner-guide.*store-manager.*admins.*hq|allowed/],
    ['sla', { 'serviceHours.default.hours': '9-21' }, 'serviceHours.default.hours', /expected a window like 09:00-21:00.*found "9-21"/],
    ['wakeup', { windows: '10:00-12:00, 11:00-13:00' }, 'windows', /do not overlap/],
    ['wakeup', { 'budget.nightly': '3' }, 'budget.nightly', /not a setting of this form; allowed: budget\.perAccountPerDay/],
    [
      'sending',
      { quietHours: '22-7' },
      'quietHours',
      /^quietHours: expected a window like 21:30-08:30 \(HH:MM-HH:MM; 00:00-00:00 for none\), or empty for QUIET_HOURS, found "22-7"$/,
    ],
    ['sending', { marketingCapPerDay: '1.5' }, 'marketingCapPerDay', /expected a whole number 0–1000, or empty for MARKETING_CAP_PER_DAY, found "1.5"/],
    ['sla', { 'serviceHours.stores': 'SH02 10点-22点' }, 'serviceHours.stores.SH02.hours', /expected a window like 09:00-21:00 .*found "10点-22点"/],
    [
      'sla',
      { 'serviceHours.stores': 'SH02 10:00-22:00 weekends' },
      'serviceHours.stores',
      /store SH02: "weekends" is not hours, days or holidays; write e\.g\. SH02 10:00-22:00 workdays closed/,
    ],
    ['sla', { 'serviceHours.stores': 'SH02 days=weekends' }, 'serviceHours.stores.SH02.days', /every-day, workdays or a list of weekdays/],
    ['sla', { 'serviceHours.stores': 'SH02 10:00-22:00\nSH02 workdays' }, 'serviceHours.stores', /store SH02 is on two lines/],
  ])('refuses a bad %s value (%j): 400 naming %s, the file byte-identical, audited', async (kind, values, field, message) => {
    const file = path.join(sop, `${kind}.yaml`);
    const before = readFileSync(file);
    const res = await post(kind, values, 'zhou');
    expect(res.status).toBe(400);
    const j = (await res.json()) as { error: string; field: string };
    expect(j.field).toBe(field);
    expect(j.error).toMatch(message);
    expect(j.error.startsWith(`${field}: `)).toBe(true);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(audit.recent(1)[0]).toMatchObject({
      actor: 'zhou',
      action: 'settings.save',
      target: kind,
      result: expect.stringMatching(new RegExp(`^refused: ${field.replace(/[.[\]]/g, '\\$&')}: `)),
    });
  });

  it('refuses a body that is not form text (400 naming the field, audited) and an unknown form (404)', async () => {
    const file = path.join(sop, 'guide-daily.yaml');
    const before = readFileSync(file);
    const res = await post('guide-daily', { 'quotas.chats': 4 });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field: 'quotas.chats' });
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(audit.recent(1)[0]).toMatchObject({ action: 'settings.save', target: 'guide-daily', result: expect.stringMatching(/^refused: quotas\.chats: /) });
    const unknown = await post('membership', {});
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toBe('kind: "membership" is not a settings form; allowed: sla, guide-daily, wakeup, sending');
  });
});
