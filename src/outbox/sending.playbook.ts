import { existsSync } from 'node:fs';
import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { parseYamlText, readPlaybookText } from '../core/playbook-file.js';
import { describeIssue } from '../core/playbook-errors.js';
import { PlaybookHolder } from '../core/playbook-holder.js';
import { parseWindow, type DailyWindow } from '../core/time.js';

/**
 * The sending playbook (`sop/sending.yaml`): marketing quiet hours and the per-member daily cap.
 * Each value, when set, overrides the environment's (QUIET_HOURS, MARKETING_CAP_PER_DAY); empty or a
 * missing file leaves the environment's in force.
 */

const QUIET_ALLOWED = 'a window like 21:30-08:30 (HH:MM-HH:MM; 00:00-00:00 for none), or empty for QUIET_HOURS';
const CAP_ALLOWED = 'a whole number 0–1000, or empty for MARKETING_CAP_PER_DAY';

/** Empty in the file: `~`, `""` or the key left out. */
const isEmpty = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

const quietHours = z
  .unknown()
  .optional()
  .transform((v, ctx): DailyWindow | null => {
    if (isEmpty(v)) return null;
    const w = typeof v === 'string' ? parseWindow(v) : null;
    if (w) return w;
    ctx.addIssue({ code: 'custom', message: QUIET_ALLOWED });
    return z.NEVER;
  });

const marketingCapPerDay = z
  .unknown()
  .optional()
  .transform((v, ctx): number | null => {
    if (isEmpty(v)) return null;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 1000) return v;
    ctx.addIssue({ code: 'custom', message: CAP_ALLOWED });
    return z.NEVER;
  });

export const sendingSchema = z.strictObject({ quietHours, marketingCapPerDay });

/** A validated sending playbook: null where the environment's value applies. */
export interface SendingPlaybook {
  readonly file: string;
  readonly quietHours: DailyWindow | null;
  readonly marketingCapPerDay: number | null;
}

/**
 * Reads and validates the sending playbook; a missing file sets nothing (the environment applies).
 * @throws ConfigError `sop/sending.yaml: quietHours: expected a window like 21:30-08:30 (…), found "22-8"`
 * @example loadSendingPlaybook('sop/sending.yaml').quietHours // { startMinute: 1290, endMinute: 510 } or null
 */
export function loadSendingPlaybook(file: string): SendingPlaybook {
  if (!existsSync(file)) return Object.freeze({ file, quietHours: null, marketingCapPerDay: null });
  return parseSendingPlaybook(readPlaybookText(file, 'sending playbook'), file);
}

/** Validates sending playbook YAML given as text; `file` is only used in messages. */
export function parseSendingPlaybook(source: string, file: string): SendingPlaybook {
  const raw = parseYamlText(source, file) ?? {};
  const result = sendingSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(`${file}: ${describeIssue(sendingSchema, result.error.issues[0]!, raw)}`);
  return Object.freeze({ file, ...result.data });
}

/** Holds the sending playbook in use; a bad edit keeps the last good version. */
export class SendingPlaybookHolder extends PlaybookHolder<SendingPlaybook> {
  /** @param source a file path (loaded on first use) or a loaded playbook (tests). */
  constructor(source: string | SendingPlaybook, logger?: Logger) {
    super(source, { load: loadSendingPlaybook, name: 'sending playbook' }, logger);
  }
}

/** The environment's values, in force where the playbook leaves a setting empty. */
export interface SendingDefaults {
  quietHours: DailyWindow;
  marketingCapPerDay: number;
}

/**
 * The quiet hours and cap in force now, read on every decision: the playbook's value over the
 * environment's. A hand edit of the file is picked up within `checkEveryMs` (a stat); a save from the
 * console calls `reload()` and applies to the next message.
 * @example const s = new SendingSettings(holder, { quietHours, marketingCapPerDay: 1 }, clock); s.quietHours()
 */
export class SendingSettings {
  constructor(
    readonly holder: SendingPlaybookHolder,
    readonly defaults: SendingDefaults,
    private readonly clock: Clock,
    private readonly checkEveryMs = 10_000,
  ) {}

  private get playbook(): SendingPlaybook {
    return this.holder.fresh(this.clock.now().getTime(), this.checkEveryMs);
  }

  /** Marketing quiet hours in force. */
  readonly quietHours = (): DailyWindow => this.playbook.quietHours ?? this.defaults.quietHours;

  /** Most marketing messages per member per local day, in force. */
  readonly marketingCapPerDay = (): number => this.playbook.marketingCapPerDay ?? this.defaults.marketingCapPerDay;

  /** Reads the file again now (after a save); a bad file keeps the last good version. */
  reload(): { ok: true } | { ok: false; error: string } {
    return this.holder.reload();
  }

  /** Calls `fn` after every change of the playbook in use. */
  onChange(fn: () => void): () => void {
    return this.holder.onChange(() => fn());
  }
}

/**
 * The quiet hours in force for a one-off reader (the CLI): the file's value over the environment's.
 * @throws ConfigError when the file is bad (it names the file and the field).
 */
export function quietHoursInForce(file: string, env: DailyWindow): DailyWindow {
  return loadSendingPlaybook(file).quietHours ?? env;
}
