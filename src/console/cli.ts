/**
 * The operators' command line: `npm run cli -- <command>`. A small dispatcher; each command lives in
 * its own file (cli-import.ts, cli-doctor.ts) and returns its exit code.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../core/errors.js';
import { EXIT, UsageError, type CliCommand, type CliIo } from './cli-io.js';

/**
 * One command as `help` lists it; its module (and what that module imports) is loaded only when the
 * command runs or shows its usage, so a command starts without loading every other one.
 */
export interface CommandEntry {
  name: string;
  synopsis: string;
  summary: string;
  /** Loads the command; `args` (the arguments after its name) lets a command load only the part they need. */
  load(args?: readonly string[]): Promise<CliCommand>;
}

/** The reports of `report`, each loaded on its own. */
const REPORTS: Record<string, () => Promise<CliCommand>> = {
  guides: async () => (await import('./cli-report-guides.js')).reportGuidesCommand,
  friends: async () => (await import('./cli-report-friends.js')).reportFriendsCommand,
  wakeup: async () => (await import('./cli-report-wakeup.js')).reportWakeupCommand,
  sla: async () => (await import('./cli-sla.js')).reportSlaCommand,
  groups: async () => (await import('./cli-report-groups.js')).reportGroupsCommand,
};

/** Every command, in the order `help` lists them. */
export const commands: readonly CommandEntry[] = [
  {
    name: 'import',
    synopsis: 'import stores|staff|members|groups|orders FILE [--dry-run] [--allow-partial] [--strict] [--encoding utf8|gbk|auto]',
    summary: 'import a CSV file (UTF-8 or GBK); every bad row reported, all or nothing by default',
    load: async () => (await import('./cli-import.js')).importCommand,
  },
  {
    name: 'doctor',
    synopsis: 'doctor',
    summary: "check the store's invariants (balances = ledger, each order credited once, ...)",
    load: async () => (await import('./cli-doctor.js')).doctorCommand,
  },
  {
    name: 'report',
    synopsis: `report ${Object.keys(REPORTS).join('|')} [options]`,
    summary: `reports: ${Object.keys(REPORTS).join(', ')}`,
    load: async (args) => (await import('./cli-report.js')).lazyReportCommand(REPORTS, args),
  },
  {
    name: 'campaign',
    synopsis: 'campaign <list | show | create | edit | check | run | pause | resume | cancel | schedule> [ID]',
    summary: 'group campaigns: list, show (report), create, edit, check a file, run now, pause, resume, cancel',
    load: async () => (await import('./cli-campaign.js')).campaignCommand,
  },
  {
    name: 'sla',
    synopsis: 'sla <backlog | report | close> [options]',
    summary: 'response-time SLA: backlog list, report (first response p50/p90, backlog, satisfaction), close',
    load: async () => (await import('./cli-sla.js')).slaCommand,
  },
  {
    name: 'sop',
    synopsis: 'sop check [--dir DIR] [--json]',
    summary: 'validate every playbook (membership, 3+3+3, SLA, friends, wake-up, sending, accounts, groups, campaigns) and list what is wrong',
    load: async () => (await import('./cli-sop.js')).sopCommand,
  },
  {
    name: 'outbox',
    synopsis: 'outbox <list | show | retry> [ID] [--status S] [--limit N] [--json]',
    summary: 'outbound messages: list with why skipped, show one, retry a failed one',
    load: async () => (await import('./cli-outbox.js')).outboxCommand,
  },
  {
    name: 'members',
    synopsis: 'members <merge KEEP DROP | duplicates> [--json]',
    summary: 'merge two records of one person; list probable duplicates',
    load: async () => (await import('./cli-members.js')).membersCommand,
  },
  {
    name: 'wakeup',
    synopsis: 'wakeup run [--dry-run] [--json]',
    summary: 'run the dormant-member wake-up now, or preview it with --dry-run',
    load: async () => (await import('./cli-wakeup.js')).wakeupCommand,
  },
];

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
    io.stdout.write(`${cmd ? (await cmd.load()).usage : helpText()}\n`);
    return EXIT.ok;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    io.stderr.write(`unknown command "${name}": commands are ${commands.map((c) => c.name).join(', ')}, help. Run "npm run cli -- help".\n`);
    return EXIT.usage;
  }
  const cmd = await entry.load(rest);
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

/** Runs the command line of this process and sets its exit code (the entry point, and the compiled launcher's). */
export function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), now: () => new Date() };
  return runCli(argv, io).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`siyu-bot cli: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = EXIT.invalid;
    },
  );
}

if (isEntryPoint()) void main();
