/** What CLI commands share: their contract, their I/O, exit codes, and opening the store. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, readEnvFile, type Config } from '../config.js';
import { closeDb, openDb, type Db } from '../platform/db/client.js';
import type { ProgressStream } from './progress.js';

/** Exit codes of every command. */
export const EXIT = {
  /** Done. */
  ok: 0,
  /** The input was refused (bad rows, an unreadable file) or an invariant is broken: report printed. */
  invalid: 1,
  /** The command line or the configuration is wrong: nothing was done. */
  usage: 2,
} as const;

/** A wrong command line; the message says what was given and what is allowed. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** node:util parseArgs errors, shortened: `unknown option --bogus`. */
export function describeArgError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]}`;
  const needsValue = /Option '(?:-\w, )?(--[\w-]+)[^']*' argument missing/.exec(message);
  if (needsValue) return `${needsValue[1]} needs a value`;
  const positional = /Unexpected argument '([^']*)'/.exec(message);
  if (positional) return `unexpected argument "${positional[1]}"`;
  return message.split('\n')[0]!.replace(/\.$/, '');
}

/** The outside world of a command (process streams in production, buffers in tests). */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: ProgressStream;
  /** Environment (config comes from here and from `.env` under `cwd`). */
  env: Record<string, string | undefined>;
  cwd: string;
  now: () => Date;
}

/** One CLI command. */
export interface CliCommand {
  name: string;
  /** The command with its arguments, for `help`: `import <kind> FILE [options]`. */
  synopsis: string;
  /** What it does, one line for `help`. */
  summary: string;
  /** The full text of `<command> --help`. */
  usage: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** The shipped membership playbook (`sop/membership.yaml` at the project root). */
export const MEMBERSHIP_PLAYBOOK = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'sop', 'membership.yaml');

/** Config (`.env` under cwd, then the environment) and the store it names. Close it when done. */
export function openStore(io: CliIo): { config: Config; db: Db; close: () => void } {
  const config = loadConfig({ ...readEnvFile(io.cwd), ...io.env });
  const db = openDb(path.resolve(io.cwd, config.DB_FILE));
  return { config, db, close: () => closeDb(db) };
}
