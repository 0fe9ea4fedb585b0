/**
 * The operators' command line: `npm run cli -- <command>`. A small dispatcher; each command lives in
 * its own file (cli-import.ts, cli-doctor.ts) and returns its exit code.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../core/errors.js';
import { doctorCommand } from './cli-doctor.js';
import { campaignCommand } from './cli-campaign.js';
import { reportGuidesCommand } from './cli-report-guides.js';
import { importCommand } from './cli-import.js';
import { reportFriendsCommand } from './cli-report-friends.js';
import { reportWakeupCommand } from './cli-report-wakeup.js';
import { reportGroupsCommand } from './cli-report-groups.js';
import { reportSlaCommand, slaCommand } from './cli-sla.js';
import { reportCommand } from './cli-report.js';
import { sopCommand } from './cli-sop.js';
import { outboxCommand } from './cli-outbox.js';
import { membersCommand } from './cli-members.js';
import { wakeupCommand } from './cli-wakeup.js';
import { EXIT, UsageError, type CliCommand, type CliIo } from './cli-io.js';

/** Every command, in the order `help` lists them. */
export const commands: readonly CliCommand[] = [importCommand, doctorCommand, reportCommand({ guides: reportGuidesCommand, friends: reportFriendsCommand, wakeup: reportWakeupCommand, sla: reportSlaCommand, groups: reportGroupsCommand }), campaignCommand, slaCommand, sopCommand, outboxCommand, membersCommand, wakeupCommand];

/** The text of `help`. */
export function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 'help'.length);
  return [
    'siyu-bot operator commands',
    '',
    'Usage: npm run cli -- <command> [arguments]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}\n  ${''.padEnd(width)}  ${c.synopsis}`),
    `  ${'help'.padEnd(width)}  this text; "help <command>" or "<command> --help" for one command`,
    '',
    'Configuration (DB_FILE, TIMEZONE, ...) comes from .env and the environment, as for the bot.',
    'Exit codes: 0 done, 1 input refused or problems found (report printed), 2 wrong command line or configuration.',
  ].join('\n');
}

const isHelpFlag = (a: string) => a === '--help' || a === '-h';

/**
 * Runs one command line (without `node cli.ts`) and resolves to the exit code.
 * @example await runCli(['import', 'members', 'members.csv', '--dry-run'], io) // 0
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || isHelpFlag(name)) {
    const topic = name === 'help' ? rest[0] : undefined;
    const cmd = topic === undefined ? undefined : commands.find((c) => c.name === topic);
    if (topic !== undefined && !cmd) {
      io.stderr.write(`unknown command "${topic}": commands are ${commands.map((c) => c.name).join(', ')}, help\n`);
      return EXIT.usage;
    }
    io.stdout.write(`${cmd ? cmd.usage : helpText()}\n`);
    return EXIT.ok;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    io.stderr.write(`unknown command "${name}": commands are ${commands.map((c) => c.name).join(', ')}, help. Run "npm run cli -- help".\n`);
    return EXIT.usage;
  }
  if (rest.some(isHelpFlag)) {
    io.stdout.write(`${cmd.usage}\n`);
    return EXIT.ok;
  }
  try {
    return await cmd.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`${cmd.name}: ${err.message}\nRun "npm run cli -- ${cmd.name} --help" for the options.\n`);
      return EXIT.usage;
    }
    if (err instanceof ConfigError) {
      io.stderr.write(`${err.message}\n`);
      return EXIT.usage;
    }
    throw err;
  }
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), now: () => new Date() };
  runCli(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`siyu-bot cli: unexpected error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exitCode = EXIT.invalid;
    },
  );
}
