import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { silentLogger } from '../core/logger.js';
import { fill, loadMembershipPlaybook, parseMembershipPlaybook, PlaybookHolder } from './playbook.js';

const SHIPPED = 'sop/membership.yaml';
// The shipped YAML as a loose document, edited by path in each test below.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = Record<string, any>;
const shipped = () => parse(readFileSync(SHIPPED, 'utf8')) as Doc;
const bad = (mutate: (p: Doc) => void) => {
  const p = shipped();
  mutate(p);
  return () => parseMembershipPlaybook(stringify(p), SHIPPED);
};

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('membership playbook', () => {
  it('loads the shipped sop/membership.yaml with the documented defaults', () => {
    const p = loadMembershipPlaybook(SHIPPED);
    expect(p.tiers.map((t) => [t.code, t.name, t.minGrowth])).toEqual([
      ['regular', '普卡', 0],
      ['silver', '银卡', 3000],
      ['gold', '金卡', 6000],
    ]);
    expect(p.points.yuanPerPoint).toBe(10);
    expect(p.care.memberDay.weekday).toBe(5);
    expect(p.rewards.find((r) => r.code === 'C001')).toMatchObject({ cost: 50, perMemberLimit: 5 });
  });

  it('names the file, the path and what is allowed for a bad value', () => {
    expect(
      bad((p) => {
        p.rewards[2].cost = 'abc';
      }),
    ).toThrow('sop/membership.yaml: rewards[2].cost: expected a whole number ≥ 0, found "abc"');
    expect(
      bad((p) => {
        p.points.yuanPerPoint = 0;
      }),
    ).toThrow('sop/membership.yaml: points.yuanPerPoint: expected a positive integer, found 0');
    expect(
      bad((p) => {
        p.care.memberDay.weekday = 7;
      }),
    ).toThrow('care.memberDay.weekday: expected a weekday 0 (Sunday) to 6, found 7');
    expect(
      bad((p) => {
        delete p.texts.points;
      }),
    ).toThrow('texts.points: expected a text, found nothing');
    expect(
      bad((p) => {
        p.tierDowngrade = 'monthly';
      }),
    ).toThrow('tierDowngrade: expected one of never, yearly, found "monthly"');
    expect(
      bad((p) => {
        p.texts.care.tierDowngrade = '{name} {tier} {points}';
      }),
    ).toThrow('texts.care.tierDowngrade: unknown variable {points}; allowed: {name}, {tier}, {tierBefore}, {growth}, {needed}');
  });

  it('refuses unknown keys, listing the allowed ones', () => {
    expect(
      bad((p) => {
        p.rewards[0].prce = 5;
      }),
    ).toThrow('rewards[0]: unknown key "prce"; allowed: code, name, cost, stock, perMemberLimit, validityDays, giftOnly');
  });

  it('checks what one field cannot: tier order, duplicate codes, gift references, text variables', () => {
    expect(
      bad((p) => {
        p.tiers[2].minGrowth = 2000;
      }),
    ).toThrow('tiers[2].minGrowth: expected more than tiers[1].minGrowth (3000), found 2000');
    expect(
      bad((p) => {
        p.rewards[1].code = 'C001';
      }),
    ).toThrow('rewards[1].code: "C001" is used twice');
    expect(
      bad((p) => {
        p.care.birthday.giftReward = 'NOPE';
      }),
    ).toThrow('care.birthday.giftReward: "NOPE" is not in rewards; allowed: C001, C002, G001, NEW10, BDAY20');
    expect(
      bad((p) => {
        p.texts.invite = '邀请码 {cod}';
      }),
    ).toThrow('texts.invite: unknown variable {cod}; allowed: {code}, {points}');
    expect(
      bad((p) => {
        p.rewards[0].cost = 0;
      }),
    ).toThrow('rewards[0].cost: expected a positive integer for a redeemable reward, found 0 (set giftOnly: true for a gift)');
  });

  it('reports broken YAML with its line', () => {
    expect(() => parseMembershipPlaybook('tiers:\n  - code: [regular\n', 'sop/x.yaml')).toThrow(/^sop\/x\.yaml: line \d+, column \d+: not valid YAML/);
  });

  it('keeps the last good version when a reload finds a bad file, and takes the fixed one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'siyu-pb-'));
    dirs.push(dir);
    const file = path.join(dir, 'membership.yaml');
    writeFileSync(file, readFileSync(SHIPPED));
    const errors: string[] = [];
    const logger = silentLogger();
    logger.error = ((m: string) => {
      errors.push(m);
    }) as typeof logger.error;
    const holder = new PlaybookHolder(file, logger);
    expect(holder.current.points.yuanPerPoint).toBe(10);
    const p = shipped();
    p.rewards[0].cost = -1;
    writeFileSync(file, stringify(p));
    const r = holder.reload();
    expect(r).toEqual({ ok: false, error: `${file}: rewards[0].cost: expected a whole number ≥ 0, found -1` });
    expect(errors).toEqual([`${file}: rewards[0].cost: expected a whole number ≥ 0, found -1 (still using the last good version)`]);
    expect(holder.current.rewards[0]!.cost).toBe(50);
    p.rewards[0].cost = 60;
    writeFileSync(file, stringify(p) + '\n# fixed\n');
    const seen: number[] = [];
    holder.onChange((next) => seen.push(next.rewards[0]!.cost));
    expect(holder.reloadIfChanged()).toEqual({ ok: true, changed: true });
    expect(holder.current.rewards[0]!.cost).toBe(60);
    expect(seen).toEqual([60]);
    expect(holder.reloadIfChanged()).toEqual({ ok: true, changed: false });
  });

  it('fills variables', () => {
    expect(fill('您好，{name}，积分 {points}', { name: '王女士', points: 120 })).toBe('您好，王女士，积分 120');
  });
});
