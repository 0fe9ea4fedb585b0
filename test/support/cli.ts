import path from 'node:path';
import { runCli } from '../../src/console/cli.js';
import type { CliIo } from '../../src/console/cli-io.js';

/** What one command line printed and returned. */
export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs one command line as an operator would (`npm run cli -- …`) against a store in `dir`
 * (`dir/siyu.db`, Asia/Shanghai), capturing what it prints.
 * @example const r = await runCliIn(dir, ['sop', 'check'], { env: { USER: 'lin' } }); r.code // 0
 */
export async function runCliIn(dir: string, argv: readonly string[], opts: { env?: Record<string, string>; now?: Date } = {}): Promise<CliResult> {
  let out = '';
  let err = '';
  const now = opts.now ?? new Date('2026-11-25T04:00:00Z');
  const io: CliIo = {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t), isTTY: false },
    env: { DB_FILE: path.join(dir, 'siyu.db'), TIMEZONE: 'Asia/Shanghai', ...opts.env },
    cwd: dir,
    now: () => now,
  };
  const code = await runCli(argv, io);
  return { code, out, err };
}
