/** `sla backlog | report | close`: the response-time SLA from the command line (src/sla/). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatLocal, localDate } from '../core/time.js';
import { humanDuration } from '../sla/index.js';
import { businessMsBetween } from '../sla/index.js';
import { renderSlaReport, slaReport } from '../sla/index.js';
import { loadSlaPlaybook } from '../sla/index.js';
import { SlaRepo, type QuestionRow } from '../sla/index.js';
import { EXIT, UsageError, describeArgError, openStore, type CliCommand, type CliIo } from './cli-io.js';

/** The shipped SLA playbook (`sop/sla.yaml` at the project root). */
export const SLA_PLAYBOOK = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'sop', 'sla.yaml');

const USAGE = `Usage: npm run cli -- sla <backlog | report | close> [options]

  sla backlog [--all] [--store CODE] [--json]
      The backlog: questions open longer than the playbook's backlog.afterHours (business hours),
      oldest first. --all lists every open question.
  sla report [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--store CODE] [--json]
      First-response rate and time (p50/p90, business and raw minutes), answered within target,
      timeouts, escalations, backlog and satisfaction, in total and by group, store, guide and day,
      for the questions opened on those local days (both included; default the last 7 days).
  sla close ID... [--by NAME]
      Closes open questions handled elsewhere (as a staff member's 已处理 does).

The playbook is sop/sla.yaml (SLA_PLAYBOOK=path to use another).
Exit codes: 0 done, 1 nothing to close, 2 wrong command line or configuration.`;

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/u;

const REPORT_USAGE = `Usage: npm run cli -- report sla [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--store CODE] [--json]

Response-time SLA of the questions opened on those local days (both included; default the last 7
days): first-response rate, p50/p90 first-response time in business and raw minutes, answered within
target, timeouts, escalations, backlog count and rate, satisfaction; in total and by group, store,
guide and day. --json gives the same data (what the console charts). Read-only.`;

/** `report sla …`, for the \`report\` command's registry (same as \`sla report …\`). */
export const reportSlaCommand: CliCommand = {
  name: 'sla',
  synopsis: 'report sla [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--store CODE] [--json]',
  summary: 'response-time SLA: first response p50/p90, within target, timeouts, backlog, satisfaction',
  usage: REPORT_USAGE,
  run(args, io) {
    const i = args.indexOf('sla');
    return runSlaReport(i >= 0 ? [...args.slice(0, i), ...args.slice(i + 1)] : args, io);
  },
};

/** The `sla` command. */
export const slaCommand: CliCommand = {
  name: 'sla',
  synopsis: 'sla <backlog | report | close> [options]',
  summary: 'response-time SLA: backlog list, report (first response p50/p90, backlog, satisfaction), close',
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'backlog':
        return backlog(rest, io);
      case 'report':
        return runSlaReport(rest, io);
      case 'close':
        return close(rest, io);
      default:
        throw new UsageError(`${sub === undefined ? 'which one?' : `unknown sla command "${sub}"`}: sla commands are backlog, report, close`);
    }
  },
};

function parse<T extends Record<string, { type: 'string' | 'boolean' }>>(args: string[], options: T) {
  try {
    return parseArgs({ args, strict: true, allowPositionals: true, options });
  } catch (err) {
    throw new UsageError(describeArgError(err));
  }
}

/**
 * `report sla …` / `sla report …`: prints the SLA figures. Exported so the `report` command can hand
 * `report sla` to it.
 */
export async function runSlaReport(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { from: { type: 'string' }, to: { type: 'string' }, store: { type: 'string' }, json: { type: 'boolean' } });
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  for (const k of ['from', 'to'] as const) {
    const v = values[k];
    if (v !== undefined && !DATE.test(v)) throw new UsageError(`--${k} "${v}" is not a date: expected YYYY-MM-DD, e.g. 2026-11-01`);
  }
  const store = openStore(io);
  try {
    const tz = store.config.TIMEZONE;
    const now = io.now();
    const to = values.to ?? localDate(now, tz);
    const from = values.from ?? localDate(new Date(Date.parse(`${to}T12:00:00Z`) - 6 * 86_400_000), 'UTC');
    if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
    const report = slaReport(store.db, { from, to, timezone: tz, now: now.getTime(), store: values.store ?? null });
    io.stdout.write(`${values.json ? JSON.stringify(report, null, 2) : renderSlaReport(report)}\n`);
    return EXIT.ok;
  } finally {
    store.close();
  }
}

async function backlog(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { all: { type: 'boolean' }, store: { type: 'string' }, json: { type: 'boolean' } });
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const pb = loadSlaPlaybook(io.env['SLA_PLAYBOOK'] || SLA_PLAYBOOK);
  const store = openStore(io);
  try {
    const tz = store.config.TIMEZONE;
    const now = io.now().getTime();
    const repo = new SlaRepo(store.db);
    const scope = values.store ? { all: false as const, stores: [values.store] } : { all: true as const };
    const rows = repo.openQuestions(scope, { now, backlogOnly: !values.all });
    const list = rows.map((q) => ({ ...q, waitedBusinessMs: businessMsBetween(q.openedAt, now, pb.hoursFor(q.storeCode), tz), waitedMs: now - q.openedAt }));
    if (values.json) {
      io.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      return EXIT.ok;
    }
    const what = values.all ? 'open questions' : `backlog (open over ${pb.backlog.afterHours} business hours)`;
    io.stdout.write(`${what}: ${list.length}${values.store ? ` in store ${values.store}` : ''}\n`);
    for (const q of list) io.stdout.write(`${line(q, tz)}  waited ${humanDuration(q.waitedBusinessMs)} (raw ${humanDuration(q.waitedMs)})\n`);
    return EXIT.ok;
  } finally {
    store.close();
  }
}

function line(q: Pick<QuestionRow, 'id' | 'openedAt' | 'roomId' | 'conversationName' | 'memberName' | 'memberId' | 'storeCode' | 'guideCode' | 'preview'>, tz: string): string {
  const opened = formatLocal(q.openedAt, tz);
  const where = q.roomId ? q.conversationName || q.roomId : '私聊';
  return `#${q.id}  ${opened}  ${q.memberName || q.memberId} (${where}, store ${q.storeCode ?? '-'}, guide ${q.guideCode ?? '-'})  ${q.preview}`;
}

async function close(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { by: { type: 'string' } });
  if (!positionals.length) throw new UsageError('which questions? give their numbers, e.g. sla close 12 15');
  const ids = positionals.map((p) => {
    const m = /^#?(\d{1,9})$/u.exec(p);
    if (!m) throw new UsageError(`"${p}" is not a question number: expected a number like 12 or #12`);
    return Number(m[1]);
  });
  const pb = loadSlaPlaybook(io.env['SLA_PLAYBOOK'] || SLA_PLAYBOOK);
  const store = openStore(io);
  try {
    const tz = store.config.TIMEZONE;
    const closed = new SlaRepo(store.db).close(ids, {
      status: 'handled',
      at: io.now().getTime(),
      by: values.by ? `cli:${values.by}` : 'cli',
      messageId: null,
      businessMs: (q) => businessMsBetween(q.openedAt, q.closedAt!, pb.hoursFor(q.storeCode), tz),
    });
    for (const q of closed) io.stdout.write(`closed ${line(q, tz)}\n`);
    const missed = ids.filter((id) => !closed.some((q) => q.id === id));
    if (missed.length) io.stdout.write(`not open (closed already, or no such question): ${missed.map((id) => `#${id}`).join(' ')}\n`);
    return closed.length ? EXIT.ok : EXIT.invalid;
  } finally {
    store.close();
  }
}
