import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPlaybooks } from '../console/playbooks.js';
import { AccountsRegistryHolder, lineOf, loadAccountsRegistry, parseAccountsRegistry, type RegistryDefaults } from './registry.js';

const DEMO = path.resolve(import.meta.dirname, '../../data/demo/accounts.yaml');
const defaults: RegistryDefaults = { production: false, budget: { ratePerMinute: 20, capPerHour: 1000, capPerDay: 0, gapMinMs: 1000, gapMaxMs: 3000 } };
const env = { id: 'main', hasToken: false };
const demoText = readFileSync(DEMO, 'utf8');

const refusal = (from: string, to: string, d: RegistryDefaults = defaults) => {
  const text = demoText.replace(from, to);
  if (text === demoText) throw new Error(`test edit "${from}" not found`);
  try {
    parseAccountsRegistry(text, 'FILE', d);
  } catch (err) {
    return (err as Error).message;
  }
  return 'accepted';
};

describe('accounts registry (sop/accounts.yaml)', () => {
  it('loads the demo registry: three accounts, defaults and per-account budgets merged', () => {
    const r = loadAccountsRegistry(DEMO, defaults, env);
    expect(r.fromEnv).toBe(false);
    expect(r.accounts.map((a) => a.id)).toEqual(['hz01-assistant', 'hz02-assistant', 'hq']);
    expect(r.accounts[0]).toMatchObject({ role: 'store', stores: ['HZ01'], enabled: true, budget: { ratePerMinute: 20, capPerHour: 1000, gapMinMs: 1000 } });
    expect(r.accounts[2]!.budget.ratePerMinute).toBe(30);
    expect(r.accounts[2]!.stores).toEqual([]);
    expect(r.accounts[0]!.onDown).toMatchObject({ reply: 'reroute', campaign: 'wait', 'wake-up': 'wait', care: 'reroute' });
  });

  it("without the file: one account from the environment with the SEND_* budget (today's behaviour)", () => {
    const r = loadAccountsRegistry('/nonexistent/accounts.yaml', defaults, { id: 'shop1', endpoint: '10.0.0.1:8788', hasToken: true });
    expect(r.fromEnv).toBe(true);
    expect(r.accounts).toEqual([
      expect.objectContaining({
        id: 'shop1',
        enabled: true,
        endpoint: '10.0.0.1:8788',
        token: { env: 'WECHATY_PUPPET_SERVICE_TOKEN' },
        budget: defaults.budget,
      }),
    ]);
  });

  it('refuses bad edits with the file, the line, the field, what was found and what is allowed', () => {
    expect(refusal('role: hq', 'role: boss')).toBe('FILE: line 24: accounts[2].role: expected one of store, hq, guide, found "boss"');
    expect(refusal('id: hz02-assistant', 'id: hz01-assistant')).toBe('FILE: line 18: accounts[1].id: expected an id not used before, found "hz01-assistant" again');
    expect(refusal('budget: { ratePerMinute: 30 }', 'budget: { ratePerMinute: fast }')).toBe(
      'FILE: line 25: accounts[2].budget.ratePerMinute: expected a whole number 0–100000 (0: no budget), found "fast"',
    );
    expect(refusal('budget: { ratePerMinute: 30 }', 'budget: { gapMinMs: 5000 }')).toBe('FILE: line 25: accounts[2].budget.gapMinMs: expected at most gapMaxMs (3000), found 5000');
    expect(refusal('budget: { ratePerMinute: 30 }', 'budget: { perWeek: 3 }')).toBe(
      'FILE: line 25: accounts[2].budget: unknown key "perWeek"; allowed: ratePerMinute, capPerHour, capPerDay, gapMinMs, gapMaxMs',
    );
    expect(refusal('campaign: wait', 'campaign: drop')).toBe('FILE: line 11: defaults.onDown.campaign: expected one of reroute, wait, found "drop"');
    expect(refusal('role: hq', 'role: guide')).toBe('FILE: line 24: accounts[2].guide: expected the staff code of the guide whose own account it is (role guide), found nothing');
    expect(refusal('stores: [HZ02]', 'stores: [HZ02]\n    token: puppet_abc')).toBe(
      'FILE: line 22: accounts[1].token: expected { env: VARIABLE_NAME } or { file: /path/to/secret } (the token itself is never written here), found a value that is not shown',
    );
    expect(refusal('stores: [HZ02]', 'stores: [HZ02]\n    endpoint: nowhere')).toBe(
      'FILE: line 22: accounts[1].endpoint: expected host:port of the puppet-service server, found "nowhere"',
    );
    expect(refusal('name: 总部 客服', 'name: 总部 客服\n    color: red')).toBe(
      'FILE: line 24: accounts[2]: unknown key "color"; allowed: id, name, role, stores, guide, endpoint, token, budget, enabled, onDown',
    );
    expect(refusal('  - id: hq', '  - id: h q')).toBe('FILE: line 22: accounts[2].id: expected an id (letters, digits, _ and -, at most 40), found "h q"');
    expect(refusal('accounts:', 'accounts: [')).toMatch(/^FILE: line \d+, column \d+: not valid YAML/);
  });

  it('in production, an enabled account needs its endpoint and where its token is read from', () => {
    const prod = { ...defaults, production: true };
    expect(refusal('stores: [HZ01]', 'stores: [HZ01]\n    token: { env: HZ01_TOKEN }', prod)).toBe(
      "FILE: line 14: accounts[0].endpoint: expected host:port of the account's puppet-service server, found nothing",
    );
    const ok = demoText
      .replace(/stores: \[(HZ0\d)\]/g, 'stores: [$1]\n    endpoint: 10.0.0.1:8788\n    token: { file: /run/secrets/x }')
      .replace('role: hq', 'role: hq\n    enabled: false');
    expect(parseAccountsRegistry(ok, 'FILE', prod).accounts.map((a) => a.enabled)).toEqual([true, true, false]);
  });

  it('lineOf falls back to the nearest parent that exists', () => {
    expect(lineOf('a:\n  b: 1\n', ['a', 'b'])).toBe('line 2: ');
    expect(lineOf('a:\n  b: 1\n', ['a', 'zzz'])).toBe('line 2: ');
    expect(lineOf('a: 1\n', [])).toBe('');
  });

  describe('the holder', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'accounts-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('keeps the last good version after a bad edit and picks up a good one', () => {
      const file = path.join(dir, 'accounts.yaml');
      writeFileSync(file, demoText);
      const h = new AccountsRegistryHolder(file, defaults, env);
      expect(h.current.accounts).toHaveLength(3);
      writeFileSync(file, demoText.replace('role: hq', 'role: boss'));
      const bad = h.reloadIfChanged();
      expect(bad).toEqual({ ok: false, error: expect.stringMatching(/accounts\.yaml: line 24: accounts\[2\]\.role/) });
      expect(h.current.accounts.map((a) => a.role)).toEqual(['store', 'store', 'hq']);
      writeFileSync(file, demoText.replace('role: hq', 'role: hq\n    enabled: false'));
      expect(h.reloadIfChanged()).toEqual({ ok: true, changed: true });
      expect(h.current.accounts[2]!.enabled).toBe(false);
    });

    it('is among the playbooks `sop check` and the console check when the file exists', () => {
      const sop = mkdtempSync(path.join(dir, 'sop-'));
      expect(checkPlaybooks(sop).find((c) => c.kind === 'accounts')).toBeUndefined();
      writeFileSync(path.join(sop, 'accounts.yaml'), demoText.replace('role: hq', 'role: boss'));
      expect(checkPlaybooks(sop).find((c) => c.kind === 'accounts')).toMatchObject({
        ok: false,
        problems: [{ line: 24, path: 'accounts[2].role', message: expect.stringMatching(/^expected one of store, hq, guide/) }],
      });
    });
  });
});
