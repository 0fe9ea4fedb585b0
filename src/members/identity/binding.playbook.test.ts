import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bindingText, parseMembershipPlaybook } from '../playbook.js';

const shipped = readFileSync('sop/membership.yaml', 'utf8');
const parse = (yaml: string) => parseMembershipPlaybook(yaml, 'sop/membership.yaml');

describe('binding settings in sop/membership.yaml', () => {
  it('defaults to the safe choice when the section is left out: a fact on record, birthday then surname', () => {
    const p = parse(shipped.replace(/\nbinding:\n( {2}.*\n)+/, '\n'));
    expect(p.binding).toMatchObject({ verify: 'fact', facts: ['birthday', 'surname'], maxAttempts: 3, pendingMinutes: 30, lockHours: 24 });
    expect(bindingText(p, 'askPhone')).toMatch(/请回复您的手机号/);
  });

  it('names the path and what is allowed for a bad choice', () => {
    expect(() => parse(shipped.replace('  verify: fact\n', '  verify: maybe\n'))).toThrow('sop/membership.yaml: binding.verify: expected one of fact, guide, found "maybe"');
    expect(() => parse(shipped.replace('  facts: [birthday, surname]\n', '  facts: [birthday, idcard]\n'))).toThrow(
      'binding.facts[1]: expected one of birthday, surname, found "idcard"',
    );
  });

  it('refuses a binding text with a variable it does not have, and takes an overridden one', () => {
    const bad = shipped.replace('  lockHours: 24\n', '  lockHours: 24\n  texts:\n    bound: 已绑定 {name}\n');
    expect(() => parse(bad)).toThrow('sop/membership.yaml: binding.texts.bound: unknown variable {name}; allowed: {last4}');
    const ok = parse(shipped.replace('  lockHours: 24\n', '  lockHours: 24\n  texts:\n    bound: 绑定好了（{last4}）\n'));
    expect(bindingText(ok, 'bound')).toBe('绑定好了（{last4}）');
  });
});
