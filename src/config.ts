import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { ConfigError } from './core/errors.js';
import { isValidTimeZone, parseWindow, type DailyWindow } from './core/time.js';

/**
 * The only reader of process.env. Every key, its default and what it means is listed here and in
 * the README's configuration table (kept in step by test/config.test.ts).
 */
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => ['true', '1', 'yes'].includes(v));
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const window = z
  .string()
  .refine((s) => parseWindow(s) !== null, 'a daily window like 21:30-08:30')
  .transform((s) => parseWindow(s) as DailyWindow);
const hostPort = z.string().regex(/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/, 'host:port, e.g. 127.0.0.1:8788');

export const configSchema = z.object({
  TIMEZONE: z.string().default('Asia/Shanghai').refine(isValidTimeZone, 'an IANA timezone such as Asia/Shanghai'),
  DATA_DIR: z.string().min(1).default('data'),
  DB_FILE: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: z.enum(['auto', 'true', 'false']).default('auto'),

  REDIS_URL: z
    .string()
    .regex(/^(redis|rediss|unix):\/\//, 'a redis://host:port URL')
    .optional(),
  REDIS_SERVER_BIN: z.string().min(1).default('redis-server'),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes')
    .default('siyu'),

  WECHATY_PUPPET_SERVICE_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9]+_.+$/, 'a token like puppet_workpro_<hex> or insecure_<name>')
    .optional(),
  WECHATY_PUPPET_SERVICE_ENDPOINT: hostPort.optional(),
  WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT: bool.default(false),
  WECHATY_PUPPET_SERVICE_AUTHORITY: z.string().optional(),
  PUPPET_TIMEOUT_SECONDS: int(10, 3600).default(180),
  SUPERVISOR_MAX_BACKOFF_SECONDS: int(1, 3600).default(60),
  SUPERVISOR_PROBE_SECONDS: int(0, 600).default(3),

  WORLD_PORT: int(0, 65535).default(0),
  WORLD_TRAFFIC: bool.default(true),
  WORLD_TRAFFIC_INTERVAL_MS: int(200, 3_600_000).default(8000),

  ACCOUNT_ID: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and -')
    .default('main'),
  HTTP_HOST: z.string().default('127.0.0.1'),
  HTTP_PORT: int(0, 65535).default(8787),
  CONSOLE_TOKEN: z.string().min(16, 'at least 16 characters').optional(),

  INBOUND_MAX_AGE_SECONDS: int(0, 86_400 * 7).default(600),
  AUTO_REPLY_REPEAT_MINUTES: int(0, 1440).default(10),

  SEND_RATE_PER_MINUTE: int(0, 100_000).default(20),
  SEND_CAP_PER_HOUR: int(0, 1_000_000).default(1000),
  SEND_CAP_PER_DAY: int(0, 10_000_000).default(0),
  SEND_GAP_MIN_MS: int(0, 600_000).default(1000),
  SEND_GAP_MAX_MS: int(0, 600_000).default(3000),
  SEND_MAX_ATTEMPTS: int(1, 50).default(5),
  SEND_RETRY_BASE_MS: int(10, 3_600_000).default(5000),
  QUIET_HOURS: window.default(parseWindow('21:30-08:30') as DailyWindow),
  MARKETING_CAP_PER_DAY: int(0, 1000).default(1),
  SENDING_AFTER_CRASH: z.enum(['unknown', 'resend']).default('unknown'),
  ACCOUNT_DOWN_GRACE_SECONDS: int(0, 86_400).default(60),

  GATEWAYS: z.enum(['embedded', 'remote']).default('embedded'),
  GATEWAY_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : -')
    .optional(),
  GATEWAY_ACCOUNTS_FILE: z.string().min(1).optional(),
  GATEWAY_MAX_ACCOUNTS: int(1, 10_000).default(100),
  GATEWAY_LEASE_SECONDS: int(3, 600).default(20),
  GATEWAY_SCAN_SECONDS: int(1, 600).default(5),
  GATEWAY_REQUEST_TIMEOUT_SECONDS: int(5, 600).default(45),
});

type Parsed = z.infer<typeof configSchema>;

export interface Config extends Readonly<Omit<Parsed, 'DB_FILE'>> {
  readonly DB_FILE: string;
  /** Set when the bot connects to a puppet-service server (production); unset means the embedded world. */
  readonly production: boolean;
}

/** Reads `.env` (if present) under `cwd`; values already in `env` win. */
export function readEnvFile(cwd: string): Record<string, string> {
  const file = path.join(cwd, '.env');
  if (!existsSync(file)) return {};
  return parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
}

/**
 * A config value as an error message may show it: tokens, secrets and passwords never (only their
 * length), a URL without its password; anything else as given.
 * @example shownValue('CONSOLE_TOKEN', 'short') // '(hidden, 5 characters)'
 */
export function shownValue(key: string, value: string): string {
  if (/TOKEN|SECRET|PASSWORD|PASSWD/iu.test(key)) return `(hidden, ${value.length} characters)`;
  return JSON.stringify(value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/iu, '$1***@'));
}

/**
 * Validates the environment into a readonly Config.
 * @throws ConfigError with one line: the key, what was found, what is allowed.
 * @example loadConfig({ TIMEZONE: 'Asia/Shanghai' })
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') input[key] = v;
  }
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = String(issue.path[0] ?? '?');
    throw new ConfigError(`config ${key}=${shownValue(key, input[key] ?? '')} is not valid: expected ${describeIssue(issue)}`);
  }
  const c = result.data;
  if (c.WECHATY_PUPPET_SERVICE_TOKEN && !c.WECHATY_PUPPET_SERVICE_ENDPOINT) {
    throw new ConfigError(
      'config WECHATY_PUPPET_SERVICE_TOKEN is set but WECHATY_PUPPET_SERVICE_ENDPOINT is not: set the endpoint (host:port) your puppet-service provider gave you; service discovery is not supported',
    );
  }
  if (c.WECHATY_PUPPET_SERVICE_ENDPOINT && !c.WECHATY_PUPPET_SERVICE_TOKEN) {
    throw new ConfigError('config WECHATY_PUPPET_SERVICE_ENDPOINT is set but WECHATY_PUPPET_SERVICE_TOKEN is not: set both, or neither for the simulated world');
  }
  if (!c.CONSOLE_TOKEN && !isLoopback(c.HTTP_HOST)) {
    throw new ConfigError(
      `config HTTP_HOST=${JSON.stringify(c.HTTP_HOST)} is not a loopback address and CONSOLE_TOKEN is not set: set a CONSOLE_TOKEN of at least 16 characters, or keep HTTP_HOST=127.0.0.1`,
    );
  }
  if (c.GATEWAYS === 'remote' && !c.REDIS_URL) {
    throw new ConfigError("config GATEWAYS=remote needs REDIS_URL: the gateways connect the accounts through a Redis they all reach (the bot's own Redis stops with it)");
  }
  if (c.SEND_GAP_MIN_MS > c.SEND_GAP_MAX_MS) {
    throw new ConfigError(`config SEND_GAP_MIN_MS=${c.SEND_GAP_MIN_MS} is not valid: expected at most SEND_GAP_MAX_MS (${c.SEND_GAP_MAX_MS})`);
  }
  const config: Config = {
    ...c,
    DB_FILE: c.DB_FILE ?? path.join(c.DATA_DIR, 'siyu.db'),
    production: Boolean(c.WECHATY_PUPPET_SERVICE_TOKEN),
  };
  return Object.freeze(config);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_value' && 'values' in issue) return `one of ${issue.values.map(String).join(', ')}`;
  if (issue.code === 'too_small' && 'minimum' in issue) {
    return issue.origin === 'string' ? `at least ${String(issue.minimum)} characters` : `a number ≥ ${String(issue.minimum)}`;
  }
  if (issue.code === 'too_big' && 'maximum' in issue) return `a number ≤ ${String(issue.maximum)}`;
  if (issue.code === 'invalid_type') return `a ${issue.expected}`;
  return issue.message;
}

/** Every key the schema knows, for the README table check and `.env.example`. */
export const configKeys = Object.keys(configSchema.shape);
