import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SOP_DIR } from '../capabilities.js';
import { fillText, loadFriendsPlaybook, parseFriendsPlaybook } from './playbook.js';

const minimal = 'attribution: { defaultStore: HZ01 }\nwelcome: { text: "欢迎来到{store}" }\n';

describe('the friends playbook', () => {
  it('loads the shipped sop/friends.yaml', () => {
    const pb = loadFriendsPlaybook(path.join(SOP_DIR, 'friends.yaml'));
    expect(pb.accept).toMatchObject({ keyword: null, dailyCap: 20, delay: { min: 30_000, max: 180_000 } });
    expect(pb.attribution.defaultStore).toBe('HZ01');
    expect(pb.targetFor('HZ01')).toBe(800);
  });

  it('fills defaults: accept all, cap 20, target 800', () => {
    const pb = parseFriendsPlaybook(minimal, 'f.yaml');
    expect(pb.accept).toEqual({ keyword: null, dailyCap: 20, delay: { min: 30_000, max: 180_000 }, retryCappedAt: '09:30' });
    expect(pb.targetFor('X')).toBe(800);
    expect(fillText(pb.welcome.text, { store: '杭州湖滨店' })).toBe('欢迎来到杭州湖滨店');
  });

  it('names the file, the path, what was found and what is allowed', () => {
    expect(() => parseFriendsPlaybook(`${minimal}accept: { dailyCap: lots }\n`, 'sop/friends.yaml')).toThrow(
      /^sop\/friends\.yaml: accept\.dailyCap: expected number, found "lots"$/,
    );
    expect(() => parseFriendsPlaybook(`${minimal}accept: { delay: { min: soon, max: 1m } }\n`, 'f.yaml')).toThrow(
      'f.yaml: accept.delay.min: expected a duration like 30s, 5m, 1h or 500ms (a bare number is seconds), found "soon"',
    );
    expect(() => parseFriendsPlaybook(`${minimal}accept: { cap: 3 }\n`, 'f.yaml')).toThrow('f.yaml: accept: unknown key "cap"; allowed: keyword, dailyCap, delay, retryCappedAt');
    expect(() => parseFriendsPlaybook('attribution: { defaultStore: HZ01 }\nwelcome: { text: "{shop}" }\n', 'f.yaml')).toThrow(
      'f.yaml: welcome.text: unknown variable {shop}; allowed: {name}, {store}, {guide}',
    );
    expect(() => parseFriendsPlaybook(`${minimal}accept: { delay: { min: 5m, max: 1m } }\n`, 'f.yaml')).toThrow(/min .* is longer than max/);
    expect(() => parseFriendsPlaybook('welcome: { text: hi }\n', 'f.yaml')).toThrow(/^f\.yaml: attribution: expected object, found nothing$/);
  });
});
