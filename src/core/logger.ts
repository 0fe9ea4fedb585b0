import { pino, type Logger } from 'pino';
import { maskDeep, maskPhones } from './mask.js';

export type { Logger };

export interface LoggerOptions {
  level: string;
  pretty: boolean;
  /** Extra strings never to print (tokens). */
  secrets?: string[];
}

/**
 * The process logger. Phone numbers are masked in messages and fields; tokens given in `secrets`
 * are replaced wherever they appear; fields named like secrets are redacted.
 */
export function createLogger(opts: LoggerOptions): Logger {
  const secrets = (opts.secrets ?? []).filter((s) => s.length >= 4);
  const scrub = (s: string) => {
    let out = maskPhones(s);
    for (const secret of secrets) out = out.split(secret).join('[redacted]');
    return out;
  };
  return pino({
    level: opts.level,
    redact: { paths: ['token', '*.token', 'password', '*.password', 'authorization'], censor: '[redacted]' },
    formatters: {
      log: (obj) => {
        const masked = maskDeep(obj) as Record<string, unknown>;
        if (secrets.length) {
          return JSON.parse(scrub(JSON.stringify(masked))) as Record<string, unknown>;
        }
        return masked;
      },
    },
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((a) => (typeof a === 'string' ? scrub(a) : a)) as typeof args;
        method.apply(this, scrubbed);
      },
    },
    transport: opts.pretty
      ? {
          target: 'pino-pretty',
          options: {
            translateTime: 'SYS:HH:MM:ss',
            ignore: 'pid,hostname,part,mod',
            singleLine: true,
            messageFormat: '{if part}[{part}] {end}{msg}',
          },
        }
      : undefined,
  });
}

/** A logger that prints nothing, for tests and benchmarks. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
