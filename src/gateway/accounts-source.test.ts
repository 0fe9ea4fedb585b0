import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadGatewayAccounts, parseGatewayAccounts, resolveToken } from './accounts-source.js';

describe('gateway accounts source', () => {
  it('reads a YAML `accounts:` list or a JSON list; enabled by default', () => {
    const yaml =
      'accounts:\n  - id: HZ01\n    endpoint: 10.0.0.5:9001\n    token: { env: TOKEN_HZ01 }\n  - id: HQ\n    endpoint: 10.0.0.6:9001\n    token: { file: /run/secrets/hq }\n    enabled: false\n    name: 总部\n';
    expect(parseGatewayAccounts('sop/accounts.yaml', yaml)).toEqual([
      { id: 'HZ01', endpoint: '10.0.0.5:9001', token: { env: 'TOKEN_HZ01' }, enabled: true },
      { id: 'HQ', endpoint: '10.0.0.6:9001', token: { file: '/run/secrets/hq' }, enabled: false },
    ]);
    expect(parseGatewayAccounts('a.json', '[{"id":"A","endpoint":"h:1","token":{"env":"T"}}]')).toHaveLength(1);
  });

  it('names the file, the entry and the field of a mistake', () => {
    expect(() => parseGatewayAccounts('f.yaml', 'accounts:\n  - id: A\n    endpoint: nowhere\n    token: { env: T }\n')).toThrow('f.yaml: accounts[0].endpoint: host:port');
    expect(() => parseGatewayAccounts('f.yaml', '[{"id":"A","endpoint":"h:1","token":{"env":"T"}},{"id":"A","endpoint":"h:2","token":{"env":"T"}}]')).toThrow(
      'f.yaml: accounts[1].id: "A" is listed twice',
    );
    expect(() => parseGatewayAccounts('f.yaml', 'hello: 1')).toThrow(/expected a list of accounts/);
  });

  it('without a file: the single account of ACCOUNT_ID and the puppet-service endpoint', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'siyu-gw-src-'));
    try {
      expect(loadGatewayAccounts({ ACCOUNT_ID: 'main', WECHATY_PUPPET_SERVICE_ENDPOINT: 'p:9001' }, dir)).toEqual([
        { id: 'main', endpoint: 'p:9001', token: { env: 'WECHATY_PUPPET_SERVICE_TOKEN' }, enabled: true },
      ]);
      expect(() => loadGatewayAccounts({ ACCOUNT_ID: 'main' }, dir)).toThrow(/no accounts to connect/);
      writeFileSync(path.join(dir, 'tok'), 'insecure_x\n');
      expect(resolveToken({ id: 'A', endpoint: 'h:1', token: { file: 'tok' }, enabled: true }, {}, dir)).toBe('insecure_x');
      expect(() => resolveToken({ id: 'A', endpoint: 'h:1', token: { env: 'NOPE' }, enabled: true }, {}, dir)).toThrow('account A: token variable NOPE is not set on this gateway');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
