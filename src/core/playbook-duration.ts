import { z } from 'zod';

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h|d)$/u;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** How a playbook field reads a duration. */
export interface DurationOptions {
  /** What a bare number means (YAML `30` rather than `30s`). */
  bareNumber: 'seconds' | 'minutes';
  /** Shown in errors: `a duration like ${examples}`, e.g. `5m, 90s or 1h`. */
  examples: string;
  /** Whether 0 is allowed (default true). */
  allowZero?: boolean;
}

/**
 * A zod field for durations in playbooks: `500ms`, `30s`, `5m`/`5min`, `1h`, `30d`, or a bare number
 * (seconds or minutes, as the field says), as whole milliseconds. A bad value is refused with what is
 * allowed: `a duration like 5m, 90s or 1h (a bare number is minutes)`.
 * @example const schema = z.object({ within: duration({ bareNumber: 'minutes', examples: '10m, 30s or 1h' }) })
 */
export function duration(opts: DurationOptions) {
  const allowed = `a duration like ${opts.examples} (a bare number is ${opts.bareNumber})`;
  const min = opts.allowZero === false ? 1 : 0;
  return z.union([z.number(), z.string()], { error: `a duration like ${opts.examples}` }).transform((v, ctx) => {
    const m = typeof v === 'string' ? DURATION.exec(v.trim()) : null;
    const ms = typeof v === 'number' ? v * (opts.bareNumber === 'seconds' ? 1000 : 60_000) : m ? Number(m[1]) * UNIT_MS[m[2]!]! : NaN;
    if (Number.isFinite(ms) && Math.round(ms) >= min) return Math.round(ms);
    ctx.addIssue({ code: 'custom', message: allowed });
    return z.NEVER;
  });
}
