import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { loadGatewayAccounts, resolveToken } from './accounts-source.js';

/** The gateway reads the core's registry (sop/accounts.yaml) with the core's loader. */
describe('gateway accounts source', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'siyu-gw-src-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const config = (env: Record<string, string> = {}) => loadConfig({ ACCOUNT_ID: 'main', ...env });

  const REGISTRY = [
    'accounts:',
    '  - id: HZ01',
    '    name: 杭州西湖店 店助',
    '    role: store',
    '    stores: [HZ01]',
    '    endpoint: 10.0.0.5:9001',
    '    token: { env: TOKEN_HZ01 }',
    '    budget: { ratePerMinute: 20 }',
    '  - id: HQ',
    '    name: 总部',
    '    role: hq',
    '    endpoint: 10.0.0.6:9001',
    '    token: { file: /run/secrets/hq }',
    '    enabled: false',
    '  - id: OLD',
    '    name: 旧号',
    '    role: store',
    '    enabled: false',
    '',
  ].join('\n');

  it('reads sop/accounts.yaml in the registry format; a disabled entry without endpoint is left out', () => {
    mkdirSync(path.join(dir, 'sop'));
    writeFileSync(path.join(dir, 'sop/accounts.yaml'), REGISTRY);
    expect(loadGatewayAccounts(config(), dir)).toEqual([
      { id: 'HZ01', endpoint: '10.0.0.5:9001', token: { env: 'TOKEN_HZ01' }, enabled: true },
      { id: 'HQ', endpoint: '10.0.0.6:9001', token: { file: '/run/secrets/hq' }, enabled: false },
    ]);
  });

  it('GATEWAY_ACCOUNTS_FILE overrides the path; it must exist', () => {
    writeFileSync(path.join(dir, 'gw.yaml'), REGISTRY);
    expect(loadGatewayAccounts(config({ GATEWAY_ACCOUNTS_FILE: 'gw.yaml' }), dir).map((a) => a.id)).toEqual(['HZ01', 'HQ']);
    expect(() => loadGatewayAccounts(config({ GATEWAY_ACCOUNTS_FILE: 'nope.yaml' }), dir)).toThrow('gateway: GATEWAY_ACCOUNTS_FILE nope.yaml: no such file');
  });

  it("names the file, the line and the field of a mistake (the registry's own checks)", () => {
    const f = path.join(dir, 'a.yaml');
    const load = (text: string) => {
      writeFileSync(f, text);
      return () => loadGatewayAccounts(config({ GATEWAY_ACCOUNTS_FILE: f }), dir);
    };
    // An enabled account a gateway cannot connect.
    expect(load('accounts:\n  - id: A\n    name: A\n    role: store\n    token: { env: T }\n')).toThrow(`${f}: line 2: accounts[0].endpoint: expected host:port`);
    expect(load('accounts:\n  - id: A\n    name: A\n    role: boss\n    endpoint: h:1\n    token: { env: T }\n')).toThrow(
      /line 4: accounts\[0\]\.role: expected one of store, hq, guide/,
    );
    expect(
      load('accounts:\n  - { id: A, name: A, role: store, endpoint: "h:1", token: { env: T } }\n  - { id: A, name: B, role: store, endpoint: "h:2", token: { env: T } }\n'),
    ).toThrow(/accounts\[1\]\.id: expected an id not used before/);
    // A token pasted into the file is never echoed.
    expect(load('accounts:\n  - id: A\n    name: A\n    role: store\n    endpoint: h:1\n    token: insecure_secret_value\n')).toThrow(/found a value that is not shown/);
    try {
      load('accounts:\n  - id: A\n    name: A\n    role: store\n    endpoint: h:1\n    token: insecure_secret_value\n')();
    } catch (err) {
      expect((err as Error).message).not.toContain('insecure_secret_value');
    }
  });

  it('without a file: the single account of ACCOUNT_ID and the puppet-service endpoint', () => {
    expect(loadGatewayAccounts(config({ WECHATY_PUPPET_SERVICE_ENDPOINT: 'p:9001', WECHATY_PUPPET_SERVICE_TOKEN: 'insecure_t' }), dir)).toEqual([
      { id: 'main', endpoint: 'p:9001', token: { env: 'WECHATY_PUPPET_SERVICE_TOKEN' }, enabled: true },
    ]);
    expect(() => loadGatewayAccounts(config(), dir)).toThrow(/no accounts to connect/);
    writeFileSync(path.join(dir, 'tok'), 'insecure_x\n');
    expect(resolveToken({ id: 'A', endpoint: 'h:1', token: { file: 'tok' }, enabled: true }, {}, dir)).toBe('insecure_x');
    expect(() => resolveToken({ id: 'A', endpoint: 'h:1', token: { env: 'NOPE' }, enabled: true }, {}, dir)).toThrow('account A: token variable NOPE is not set on this gateway');
  });
});
