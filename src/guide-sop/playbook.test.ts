import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/harness.js';
import { GuidePlaybookHolder, loadGuidePlaybook } from './playbook.js';

const shipped = readFileSync('sop/guide-daily.yaml', 'utf8');
const tmp = tempDir('siyu-guide-pb-');
afterAll(() => tmp.remove());
mkdirSync(path.join(tmp.dir, 'moments'));
cpSync('sop/moments', path.join(tmp.dir, 'moments'), { recursive: true });
let n = 0;

/** The shipped playbook with one edit, written beside a copy of its calendar. */
function edited(from: string, to: string): string {
  if (!shipped.includes(from)) throw new Error(`test edit: "${from}" is not in the shipped playbook`);
  const file = path.join(tmp.dir, `guide-${n++}.yaml`);
  writeFileSync(file, shipped.replace(from, to));
  return file;
}
const refusal = (from: string, to: string) => {
  const file = edited(from, to);
  try {
    loadGuidePlaybook(file);
  } catch (err) {
    return (err as Error).message.replace(file, 'FILE');
  }
  throw new Error('accepted');
};

describe('the guide playbook is validated at load', () => {
  it('loads the shipped file and its calendar with the defaults', () => {
    const pb = loadGuidePlaybook('sop/guide-daily.yaml');
    expect(pb.quotas).toEqual({ moments: 3, chats: 3, groups: 3 });
    expect(pb.times).toEqual({ card: '09:30', nudge: '15:00', summary: '20:30', cardsBy: '11:30' });
    expect(pb.chats.rules.map((r) => [r.rule, r.marketing])).toEqual([
      ['birthday', true],
      ['open-question', false],
      ['recent-purchase', false],
      ['silent', true],
      ['high-value', true],
      ['keep-in-touch', true],
    ]);
    expect(pb.calendar.rotation.length).toBeGreaterThan(3);
  });

  it('refuses an unknown key with the file, the path and what is allowed', () => {
    expect(refusal('quotas:\n', 'quotas:\n  stories: 2\n')).toBe('FILE: quotas: unknown key "stories"; allowed: moments, chats, groups');
    expect(refusal('      minDays: 21\n', '      minDays: 21\n      foo: 1\n')).toBe('FILE: chats.rules[3]: unknown key "foo"; allowed: rule, label, marketing, minDays, maxDays');
  });

  it('refuses a quota of -1', () => {
    expect(refusal('chats: 3', 'chats: -1')).toBe('FILE: quotas.chats: expected a whole number from 0 (switched off) to 20, found -1');
  });

  it('refuses a bad time', () => {
    expect(refusal('card: "09:30"', 'card: "9:3"')).toBe('FILE: times.card: expected a local time "HH:MM" from 00:00 to 23:59, e.g. "09:30", found "9:3"');
    expect(refusal('nudge: "15:00"', 'nudge: "25:00"')).toBe('FILE: times.nudge: expected a local time "HH:MM" from 00:00 to 23:59, e.g. "09:30", found "25:00"');
    expect(refusal('nudge: "15:00"', 'nudge: "08:00"')).toBe('FILE: times.nudge: expected a time after times.card (09:30), found "08:00"');
  });

  it('refuses unknown rules, text variables and a misplaced keep-in-touch', () => {
    expect(refusal('- rule: silent', '- rule: sleepy')).toMatch(
      /^FILE: chats\.rules\[3\]\.rule: expected a chat rule: "rule" is one of birthday, open-question, silent, high-value, recent-purchase, keep-in-touch, found "sleepy"$/,
    );
    expect(refusal('label: "生日 {date}"', 'label: "生日 {day}"')).toBe('FILE: chats.rules[0].label: unknown variable {day}; allowed: {date}, {days}');
    expect(refusal('  nudge: "⏰ {name}', '  nudge: "⏰ {who}')).toBe('FILE: texts.nudge: unknown variable {who}; allowed: {name}, {done}, {total}, {missing}');
    expect(refusal('    - rule: birthday\n', '    - rule: keep-in-touch\n      minDays: 7\n      label: "x"\n    - rule: birthday\n')).toBe(
      'FILE: chats.rules[0].rule: keep-in-touch fills what the other rules left, so it must be the last rule',
    );
    expect(refusal('quotas:\n  moments: 3\n  chats: 3\n  groups: 3', 'quotas:\n  moments: 0\n  chats: 0\n  groups: 0')).toBe(
      'FILE: quotas: every category is switched off (0); keep at least one above 0',
    );
  });

  it('refuses a missing or bad calendar, naming the calendar file', () => {
    expect(refusal('calendar: moments/calendar.yaml', 'calendar: nope.yaml')).toMatch(
      /^FILE: moments\.calendar: expected a calendar file relative to this one, found "nope\.yaml"/,
    );
    writeFileSync(path.join(tmp.dir, 'moments', 'bad.yaml'), 'rotation: []\n');
    const file = edited('calendar: moments/calendar.yaml', 'calendar: moments/bad.yaml');
    expect(() => loadGuidePlaybook(file)).toThrow(`${path.join(tmp.dir, 'moments', 'bad.yaml')}: rotation: expected at least one post, found []`);
  });

  it('refuses a calendar image that names no file, with where it is; URLs are not checked', () => {
    const calendar = path.join(tmp.dir, 'moments', 'missing-image.yaml');
    writeFileSync(
      calendar,
      'rotation:\n  - text: "早安"\n    images: ["https://shop.example/a.jpg"]\ndays:\n  "2026-12-01":\n    - text: "新品"\n      images: [images/2026-11-25-1.png, images/nope.png]\n',
    );
    const file = edited('calendar: moments/calendar.yaml', 'calendar: moments/missing-image.yaml');
    expect(() => loadGuidePlaybook(file)).toThrow(
      `${calendar}: days.2026-12-01[0].images[1]: expected an http(s) URL or an image file relative to this calendar, found "images/nope.png" (no such file)`,
    );
  });

  it('a category can be switched off with 0', () => {
    expect(loadGuidePlaybook(edited('groups: 3', 'groups: 0')).quotas.groups).toBe(0);
  });

  it('reloads edits without a restart and keeps the last good version when an edit is bad', () => {
    const file = edited('chats: 3', 'chats: 3');
    const holder = new GuidePlaybookHolder(file);
    expect(holder.current.quotas.chats).toBe(3);
    writeFileSync(file, shipped.replace('chats: 3', 'chats: 5'));
    expect(holder.reloadIfChanged()).toEqual({ ok: true, changed: true });
    expect(holder.current.quotas.chats).toBe(5);
    writeFileSync(file, shipped.replace('chats: 3', 'chats: -1 '));
    expect(holder.reloadIfChanged()).toMatchObject({ ok: false, error: expect.stringContaining('quotas.chats') });
    expect(holder.current.quotas.chats).toBe(5);
    expect(holder.reloadIfChanged()).toEqual({ ok: true, changed: false });
  });
});
