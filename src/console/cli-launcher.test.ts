import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/harness.js';

/** `npm run cli` runs scripts/cli.mjs: src/ compiled into build/ (rebuilt when a source changed), no TypeScript loader. */
describe('the compiled CLI launcher', () => {
  it('runs commands from build/, finding the shipped playbooks and the migrations from there', () => {
    const tmp = tempDir('siyu-cli-launcher-');
    try {
      const env = { ...process.env, DB_FILE: `${tmp.dir}/siyu.db`, TIMEZONE: 'Asia/Shanghai' };
      const help = spawnSync(process.execPath, ['scripts/cli.mjs', 'help'], { encoding: 'utf8', env });
      expect(help.status).toBe(0);
      expect(help.stdout).toContain('wakeup run [--dry-run] [--json]');
      expect(existsSync('build/console/cli.js')).toBe(true);
      // sop check reads sop/ through paths relative to its module; a report opens (and migrates) the store
      const sop = spawnSync(process.execPath, ['scripts/cli.mjs', 'sop', 'check'], { encoding: 'utf8', env });
      expect(sop.stderr).toBe('');
      expect(sop.status).toBe(0);
      const report = spawnSync(process.execPath, ['scripts/cli.mjs', 'report', 'guides', '--json'], { encoding: 'utf8', env });
      expect(report.status).toBe(0);
      expect(JSON.parse(report.stdout)).toHaveProperty('from');
      const bad = spawnSync(process.execPath, ['scripts/cli.mjs', 'report', 'nope'], { encoding: 'utf8', env });
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain('reports are guides, friends, wakeup, sla, groups');
    } finally {
      tmp.remove();
    }
  });
});

describe('the command list', () => {
  it("says what each command's own module says (help lists them without loading them)", async () => {
    const { commands } = await import('./cli.js');
    for (const entry of commands) {
      if (entry.name === 'report') continue; // composed from the reports
      const cmd = await entry.load();
      expect([entry.name, entry.synopsis, entry.summary]).toEqual([cmd.name, cmd.synopsis, cmd.summary]);
    }
  });
});
