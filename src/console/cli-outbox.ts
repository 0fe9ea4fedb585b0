/** `outbox list | show | retry`: outbound messages from the command line (src/outbox/). */
import { parseArgs } from 'node:util';
import { maskPhones } from '../core/mask.js';
import { displayStatus } from '../outbox/index.js';
import { OutboxRepo } from '../outbox/index.js';
import { outboxOperations } from '../outbox/index.js';
import { silentLogger } from '../core/logger.js';
import { OUTBOX_STATUSES, type OutboxStatus } from '../platform/db/schema.js';
import { AuditRepo } from './audit.repo.js';
import { cliActor } from './cli-actor.js';
import { EXIT, UsageError, describeArgError, openStore, type CliCommand, type CliIo } from './cli-io.js';
import { whyText } from './outbox-why.js';
import { formatLocal } from '../core/time.js';
import { describeContent, listOutbox, OUTBOX_PAGE_MAX } from './outbox-list.js';
import { isPurpose, PURPOSES } from '../outbox/index.js';

const USAGE = `Usage: npm run cli -- outbox <list | show | retry> [options]

  outbox list [--status STATUS] [--purpose PURPOSE] [--limit N] [--before ID] [--json]
      the newest messages (default 50, any number: read in pages of 500), each with its target by
      name, its message as text and why it is there (skipped: opted out, member cap, campaign paused …).
      --before ID starts below message ID (the last number of the previous list).
      STATUS: ${OUTBOX_STATUSES.join(', ')}
  outbox show ID [--json]
      one message: key, target, purpose, priority, attempts, times, reason and content (phones masked)
  outbox retry ID
      sends a failed message again (only failed ones); the running bot queues it within 5 s.
      Recorded in the audit trail.

Exit codes: 0 done, 1 refused or not found (the reason is printed), 2 wrong command line or configuration.`;

type Row = NonNullable<ReturnType<OutboxRepo['get']>>;

function view(r: Row, now: number, tz: string) {
  return {
    id: r.id,
    key: r.key,
    account: r.account,
    rerouted: r.rerouted,
    target: `${r.targetKind}:${r.targetId}`,
    purpose: r.purpose,
    priority: r.priority,
    status: r.status,
    state: displayStatus(r, now, tz),
    reason: r.reason,
    why: whyText(r.status, r.reason),
    attempts: r.attempts,
    createdAt: r.createdAt,
    notBefore: r.notBefore,
    deferredUntil: r.deferredUntil,
    deferredWhy: r.deferredWhy,
    expiresAt: r.expiresAt,
    sentAt: r.sentAt,
    content: maskPhones(r.content),
  };
}

const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;
const colWidth = (ch: string) => (WIDE.test(ch) ? 2 : 1);

/** Cuts a text to `width` columns (a CJK character counts two), with … when cut, and pads it. */
function cut(text: string, width: number): string {
  const chars = [...text.replace(/\s+/gu, ' ')];
  const total = chars.reduce((n, ch) => n + colWidth(ch), 0);
  let out = '';
  let w = 0;
  for (const ch of chars) {
    if (total > width && w + colWidth(ch) > width - 1) {
      out += '…';
      w += 1;
      break;
    }
    out += ch;
    w += colWidth(ch);
  }
  return out + ' '.repeat(Math.max(0, width - w));
}

function when(ms: number | null, tz: string): string {
  return ms ? formatLocal(ms, tz) : '-';
}

/** The `outbox` command. */
export const outboxCommand: CliCommand = {
  name: 'outbox',
  synopsis: 'outbox <list | show | retry> [ID] [--status S] [--limit N] [--json]',
  summary: 'outbound messages: list with why skipped, show one, retry a failed one',
  usage: USAGE,
  run: (args, io) => runOutboxCli(args, io),
};

export async function runOutboxCli(args: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: true,
      options: { status: { type: 'string' }, purpose: { type: 'string' }, limit: { type: 'string' }, before: { type: 'string' }, json: { type: 'boolean' } },
    });
  } catch (err) {
    throw new UsageError(describeArgError(err));
  }
  const [sub, idText, ...extra] = parsed.positionals;
  if (!['list', 'show', 'retry'].includes(sub ?? '')) {
    throw new UsageError(`${sub === undefined ? 'which one?' : `unknown outbox command "${sub}"`}: outbox commands are list, show, retry`);
  }
  if (extra.length || (sub === 'list' && idText !== undefined)) throw new UsageError(`unexpected argument "${extra[0] ?? idText}"`);
  const { status, purpose, limit: limitText, before: beforeText, json } = parsed.values;
  if (purpose !== undefined && !isPurpose(purpose)) throw new UsageError(`--purpose "${purpose}" is not valid; allowed: ${Object.keys(PURPOSES).join(', ')}`);
  const before = beforeText === undefined ? undefined : Number(beforeText.replace(/^#/u, ''));
  if (before !== undefined && (!Number.isInteger(before) || before < 1)) throw new UsageError(`--before "${beforeText}" is not valid: expected a message number`);
  if (status !== undefined && !(OUTBOX_STATUSES as readonly string[]).includes(status))
    throw new UsageError(`--status "${status}" is not valid; allowed: ${OUTBOX_STATUSES.join(', ')}`);
  const limit = limitText === undefined ? 50 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000_000) throw new UsageError(`--limit "${limitText}" is not valid: expected a whole number 1–10000000`);
  let id = 0;
  if (sub !== 'list') {
    if (idText === undefined) throw new UsageError(`outbox ${sub}: which message? give its number (outbox list shows them)`);
    id = Number(idText.replace(/^#/u, ''));
    if (!Number.isInteger(id) || id <= 0) throw new UsageError(`"${idText}" is not a message number: expected a positive whole number`);
  }
  const store = openStore(io);
  try {
    const repo = new OutboxRepo(store.db);
    const tz = store.config.TIMEZONE;
    if (sub === 'list') {
      // Pages of 500 by id, written as they come: any --limit without holding the whole list.
      let left = limit;
      let cursor = before;
      let shown = 0;
      let w = 0;
      if (json) io.stdout.write('[');
      while (left > 0) {
        const page = listOutbox(store.db, { status: status as OutboxStatus | undefined, purpose, before: cursor, limit: Math.min(OUTBOX_PAGE_MAX, left) }, io.now().getTime(), tz);
        // the status column is as wide as the first page needs ('deferred until 08:30 (quiet hours)')
        if (w === 0) w = Math.max(8, ...page.rows.map((r) => r.state.length));
        for (const r of page.rows) {
          if (json) io.stdout.write(`${shown ? ',' : ''}\n${JSON.stringify({ ...r, target: `${r.targetKind}:${r.targetId}` })}`);
          else {
            if (shown === 0)
              io.stdout.write(`${'#'.padStart(6)}  ${'created'.padEnd(16)}  ${'status'.padEnd(w)}  ${'purpose'.padEnd(12)}  ${'to'.padEnd(16)}  ${'message'.padEnd(30)}  why\n`);
            io.stdout.write(
              `${String(r.id).padStart(6)}  ${when(r.createdAt, tz).padEnd(16)}  ${r.state.padEnd(w)}  ${r.purpose.padEnd(12)}  ${cut(r.targetName, 16)}  ${cut(r.text, 30)}  ${r.why}\n`,
            );
          }
          shown++;
        }
        left -= page.rows.length;
        if (page.next === null) break;
        cursor = page.next;
      }
      if (json) io.stdout.write(`${shown ? '\n' : ''}]\n`);
      else if (shown === 0) io.stdout.write('no messages\n');
      return EXIT.ok;
    }
    const row = repo.get(id);
    if (sub === 'show') {
      if (!row) {
        io.stderr.write(`no outbox message #${id}\n`);
        return EXIT.invalid;
      }
      const v = view(row, io.now().getTime(), tz);
      if (json) io.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
      else {
        io.stdout.write(
          [
            `#${v.id}  ${v.state}  (${v.why})`,
            `key       ${v.key}`,
            `account   ${v.account || '- (none reaches the target)'}${v.rerouted ? ` (re-routed ${v.rerouted}× after an account went down)` : ''}`,
            `target    ${v.target}`,
            `purpose   ${v.purpose} (priority ${v.priority})`,
            `attempts  ${v.attempts}`,
            `created   ${when(v.createdAt, tz)}`,
            `not before ${when(v.notBefore, tz)}`,
            `expires   ${when(v.expiresAt, tz)}`,
            `sent      ${when(v.sentAt, tz)}`,
            `reason    ${v.reason ?? '-'}`,
            `message   ${describeContent(row.content)}`,
            `content   ${v.content}`,
          ].join('\n'),
        );
        io.stdout.write('\n');
      }
      return EXIT.ok;
    }
    // retry
    const audit = new AuditRepo(store.db);
    const now = io.now().getTime();
    const actor = cliActor(io);
    if (!row) {
      audit.record({ at: now, actor, channel: 'cli', action: 'outbox.retry', target: String(id), result: 'refused: no such message' });
      io.stderr.write(`no outbox message #${id}\n`);
      return EXIT.invalid;
    }
    const ok = await outboxOperations(store.db, null, { now: () => io.now() }, silentLogger()).retry(id);
    const result = ok ? 'ok' : `refused: only a failed message can be retried (#${id} is ${row.status})`;
    audit.record({ at: now, actor, channel: 'cli', action: 'outbox.retry', target: String(id), result });
    if (ok) io.stdout.write(`#${id} queued again; the running bot sends it within seconds\n`);
    else io.stderr.write(`${result}\n`);
    return ok ? EXIT.ok : EXIT.invalid;
  } finally {
    store.close();
  }
}
