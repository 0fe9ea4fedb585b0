import os from 'node:os';
import type { CliIo } from './cli-io.js';

/** Who is acting from the command line, for transitions and the audit trail: `cli:<user>`. */
export function cliActor(io: Pick<CliIo, 'env'>): string {
  return `cli:${io.env['USER'] ?? io.env['LOGNAME'] ?? safeUser()}`;
}

function safeUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}
