import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSlaPlaybook, parseSlaPlaybook, SlaPlaybookHolder } from './sla.playbook.js';

const FILE = 'sop/sla.yaml';
const shipped = () => readFileSync(FILE, 'utf8');
const parse = (edit: (s: string) => string) => () => parseSlaPlaybook(edit(shipped()), FILE);

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('SLA playbook (sop/sla.yaml)', () => {
  it('still loads an older file with noReplyNeeded.botCommands (deprecated, ignored: the command registry decides)', () => {
    const old = parse((s) => s.replace('  emojiOnly: true\n', '  emojiOnly: true\n  botCommands: [入会, 积分, 兑换]\n'))();
    expect(old.noReplyNeeded.botCommands).toEqual(['入会', '积分', '兑换']);
    expect(parse((s) => s)().noReplyNeeded.botCommands).toBeUndefined();
  });

  it('loads the shipped file: tiers 5 → owner guide, 15 → store manager, 60 → admins; 48-hour backlog', () => {
    const p = loadSlaPlaybook(FILE);
    expect(p.tiers.map((t) => [t.after / 60_000, t.to])).toEqual([
      [5, 'owner-guide'],
      [15, 'store-manager'],
      [60, 'admins'],
    ]);
    expect(p.target).toBe(5 * 60_000);
    expect(p.backlog).toMatchObject({ afterHours: 48, dailyAt: '09:30', to: ['store-manager', 'admins'] });
    expect(p.defaultHours).toEqual({ open: 540, close: 1260, days: 'every-day', holidays: 'closed' });
    expect(p.hoursFor('HZ01')).toBe(p.defaultHours);
    expect(p.noReplyNeeded.types).toContain('emoticon');
  });

  it('resolves per-store hours over the default', () => {
    const p = parseSlaPlaybook(shipped().replace('stores: {}', 'stores:\n    SH02:\n      hours: "10:00-22:00"'), FILE);
    expect(p.hoursFor('SH02')).toEqual({ open: 600, close: 1320, days: 'every-day', holidays: 'closed' });
    expect(p.hoursFor(null)).toBe(p.defaultHours);
  });

  it('takes durations in seconds, minutes and hours', () => {
    const p = parseSlaPlaybook(shipped().replace('after: 5m', 'after: 2s').replace('after: 15m', 'after: 1.5').replace('after: 60m', 'after: 1h'), FILE);
    expect(p.tiers.map((t) => t.after)).toEqual([2000, 90_000, 3_600_000]);
  });

  it('names the file, the path, what was found and what is allowed', () => {
    expect(parse((s) => s.replace('after: 15m', 'after: soon'))).toThrow(
      `${FILE}: tiers[1].after: expected a duration like 5m, 90s or 1h (a bare number is minutes), found "soon"`,
    );
    expect(parse((s) => s.replace('to: store-manager\n', 'to: boss\n'))).toThrow(`${FILE}: tiers[1].to: expected one of owner-guide, store-manager, admins, hq, found "boss"`);
    expect(parse((s) => s.replace('hours: "09:00-21:00"', 'hours: "21:00-09:00"'))).toThrow(
      `${FILE}: serviceHours.default.hours: expected a window like 09:00-21:00 (opening before closing, 24:00 at most), found "21:00-09:00"`,
    );
    expect(parse((s) => s.replace('holidays: closed', 'holidays: sometimes'))).toThrow(
      `${FILE}: serviceHours.default.holidays: expected open, closed or a window like 10:00-18:00, found "sometimes"`,
    );
    expect(parse((s) => s.replace('types: [emoticon,', 'types: [sticker,'))).toThrow(/noReplyNeeded\.types\[0\]: expected one of text, image, emoticon/);
    expect(parse((s) => s.replace('alerts:\n', 'alerts:\n  colour: red\n'))).toThrow(`${FILE}: alerts: unknown key "colour"; allowed: bundleSeconds, maxLines`);
    expect(parse((s) => s.replace('after: 60m', 'after: 10m'))).toThrow(`${FILE}: tiers[2].after: expected later than tiers[1].after`);
    expect(parse((s) => s.replace('已等{waited}：{preview}"\n  alertMore', '已等{wait}"\n  alertMore'))).toThrow(
      `${FILE}: texts.alertLine: unknown variable {wait}; allowed: {id}, {member}, {group}, {waited}, {preview}`,
    );
    expect(parse(() => 'tiers: [')).toThrow(/sop\/sla\.yaml: line \d+, column \d+: not valid YAML/);
  });

  it('keeps the last good version after a bad edit, and picks up a good one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'siyu-sla-'));
    dirs.push(dir);
    const file = path.join(dir, 'sla.yaml');
    writeFileSync(file, shipped());
    const holder = new SlaPlaybookHolder(file);
    expect(holder.current.target).toBe(300_000);
    writeFileSync(file, shipped().replace('target: 5m', 'target: never'));
    expect(holder.reloadIfChanged()).toMatchObject({ ok: false, error: expect.stringContaining('target: expected a duration') });
    expect(holder.current.target).toBe(300_000);
    writeFileSync(file, shipped().replace('target: 5m', 'target: 10m'));
    expect(holder.reloadIfChanged()).toEqual({ ok: true, changed: true });
    expect(holder.current.target).toBe(600_000);
  });
});
