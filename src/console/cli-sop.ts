/** `sop check`: validates every playbook (src/console/playbooks.ts) and prints each file ok or its problems. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT, UsageError, describeArgError, type CliCommand } from './cli-io.js';
import { SOP_ROOT, checkPlaybooks } from './playbooks.js';

const USAGE = `Usage: npm run cli -- sop check [--dir DIR] [--json]

Validates every playbook with the bot's own validators: membership.yaml, guide-daily.yaml (and the
Moments calendar it names), sla.yaml, friends.yaml, wakeup.yaml, groups.yaml when present, and every
campaigns/*.yaml. Prints each file "ok", or each problem as file, path and what is wrong / allowed.
Nothing is changed; the running bot keeps its last good version of a bad file.

  --dir   the playbooks folder (default: sop/ of the project; SOP_DIR=path also works)
  --json  the same as JSON: [{ kind, file, ok, problems: [{ file, path, message, allowed? }] }]

Exit codes: 0 every playbook is valid, 1 problems found (listed), 2 wrong command line.`;

/** The `sop` command. */
export const sopCommand: CliCommand = {
  name: 'sop',
  synopsis: 'sop check [--dir DIR] [--json]',
  summary: 'validate every playbook (membership, 3+3+3, SLA, friends, wake-up, sending, accounts, groups, campaigns) and list what is wrong',
  usage: USAGE,
  async run(args, io) {
    let parsed;
    try {
      parsed = parseArgs({ args, strict: true, allowPositionals: true, options: { dir: { type: 'string' }, json: { type: 'boolean' } } });
    } catch (err) {
      throw new UsageError(describeArgError(err));
    }
    const [sub, ...extra] = parsed.positionals;
    if (sub !== 'check') throw new UsageError(`${sub === undefined ? 'which one?' : `unknown sop command "${sub}"`}: sop commands are check`);
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const dir = path.resolve(io.cwd, parsed.values.dir ?? io.env['SOP_DIR'] ?? SOP_ROOT);
    const checks = checkPlaybooks(dir);
    const rel = (f: string) => {
      const r = path.relative(io.cwd, f);
      return r && !r.startsWith('..') ? r : f;
    };
    if (parsed.values.json) {
      io.stdout.write(
        `${JSON.stringify(
          checks.map((c) => ({ ...c, file: rel(c.file), problems: c.problems.map((p) => ({ ...p, file: rel(p.file) })) })),
          null,
          2,
        )}\n`,
      );
    } else {
      for (const c of checks) {
        if (c.ok) {
          io.stdout.write(`ok       ${rel(c.file)}\n`);
          continue;
        }
        io.stdout.write(`PROBLEM  ${rel(c.file)}\n`);
        for (const p of c.problems) {
          io.stdout.write(
            `         ${rel(p.file)}: ${p.line ? `line ${p.line}: ` : ''}${p.path === '(file)' ? '' : `${p.path}: `}${p.message}${p.allowed?.length && !p.message.includes(p.allowed.join(', ')) ? `; allowed: ${p.allowed.join(', ')}` : ''}\n`,
          );
        }
      }
      const bad = checks.filter((c) => !c.ok).length;
      io.stdout.write(bad ? `${bad} of ${checks.length} playbooks have problems\n` : `all ${checks.length} playbooks are valid\n`);
    }
    return checks.every((c) => c.ok) ? EXIT.ok : EXIT.invalid;
  },
};
