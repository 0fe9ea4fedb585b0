import type { AccountRow } from '../accounts-view.js';

/** Prometheus text exposition of a few gauges and counters. */
export interface MetricsInput {
  loggedIn: boolean;
  inbound: { accepted: number; rejected: Record<string, number> };
  outbox: Record<string, number>;
  queues: Record<string, Record<string, number>> | null;
  handlerFailures: number;
  sentLastMinute: number;
  budgetPerMinute: number;
  /** SLA clocks: open questions, those in the backlog, and deadline timers waiting in Redis. */
  sla?: { open: number; backlog: number; timers: number; unroutedOpen?: number; unrouted?: number } | null;
  /** Messages the sender has sent since start (outbound counter), when known. */
  sentSinceStart?: number;
  /** Per account: state, sends and caps per window, outbox rows by status, reach. */
  accounts?: readonly AccountRow[];
}

function line(name: string, value: number, labels: Record<string, string> = {}): string {
  const l = Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`)
    .join(',');
  return `${name}${l ? `{${l}}` : ''} ${value}`;
}

/** Renders the metrics page. Pure. */
export function renderMetrics(m: MetricsInput): string {
  const out: string[] = [
    '# HELP siyu_logged_in 1 when the WeChat account is logged in.',
    '# TYPE siyu_logged_in gauge',
    line('siyu_logged_in', m.loggedIn ? 1 : 0),
    '# HELP siyu_inbound_messages_total Inbound messages by verdict since start.',
    '# TYPE siyu_inbound_messages_total counter',
    line('siyu_inbound_messages_total', m.inbound.accepted, { verdict: 'accepted' }),
    ...Object.entries(m.inbound.rejected).map(([reason, n]) => line('siyu_inbound_messages_total', n, { verdict: reason })),
    '# HELP siyu_outbox_messages Outbox rows by status.',
    '# TYPE siyu_outbox_messages gauge',
    ...['queued', 'sending', 'sent', 'failed', 'skipped', 'expired', 'unknown', 'unreachable'].map((s) => line('siyu_outbox_messages', m.outbox[s] ?? 0, { status: s })),
    '# HELP siyu_queue_jobs BullMQ jobs by queue and state.',
    '# TYPE siyu_queue_jobs gauge',
    ...Object.entries(m.queues ?? {}).flatMap(([q, states]) => Object.entries(states).map(([s, n]) => line('siyu_queue_jobs', n, { queue: q, state: s }))),
    '# HELP siyu_handler_failures_total Inbound handler errors caught by the error boundary.',
    '# TYPE siyu_handler_failures_total counter',
    line('siyu_handler_failures_total', m.handlerFailures),
    '# HELP siyu_send_budget_used Messages sent in the last minute over the per-minute budget (0 = no budget).',
    '# TYPE siyu_send_budget_used gauge',
    line('siyu_send_budget_used', m.budgetPerMinute > 0 ? m.sentLastMinute / m.budgetPerMinute : 0),
    '# HELP siyu_sent_last_minute Messages sent in the last minute.',
    '# TYPE siyu_sent_last_minute gauge',
    line('siyu_sent_last_minute', m.sentLastMinute),
    "# HELP siyu_send_budget_per_minute The account's sending budget per minute (0 = none).",
    '# TYPE siyu_send_budget_per_minute gauge',
    line('siyu_send_budget_per_minute', m.budgetPerMinute),
    '# HELP siyu_outbound_messages_total Messages sent out (outbox rows sent).',
    '# TYPE siyu_outbound_messages_total counter',
    line('siyu_outbound_messages_total', m.sentSinceStart ?? m.outbox['sent'] ?? 0),
  ];
  if (m.sla) {
    out.push(
      '# HELP siyu_sla_open_questions Member questions waiting for a staff reply.',
      '# TYPE siyu_sla_open_questions gauge',
      line('siyu_sla_open_questions', m.sla.open),
      '# HELP siyu_sla_backlog_questions Open questions past the backlog threshold.',
      '# TYPE siyu_sla_backlog_questions gauge',
      line('siyu_sla_backlog_questions', m.sla.backlog),
      '# HELP siyu_sla_timers SLA deadline timers waiting in Redis (delayed jobs).',
      '# TYPE siyu_sla_timers gauge',
      line('siyu_sla_timers', m.sla.timers),
    );
    if (m.sla.unrouted !== undefined) {
      out.push(
        '# HELP siyu_sla_unrouted_questions Questions that fell due with nobody to alert, not even the fallbacks (by state).',
        '# TYPE siyu_sla_unrouted_questions gauge',
        line('siyu_sla_unrouted_questions', m.sla.unroutedOpen ?? 0, { state: 'open' }),
        line('siyu_sla_unrouted_questions', m.sla.unrouted, { state: 'all' }),
      );
    }
  }
  if (m.accounts?.length) out.push(...accountLines(m.accounts));
  return `${out.join('\n')}\n`;
}

/** The per-account series, each labelled `account`. */
function accountLines(accounts: readonly AccountRow[]): string[] {
  const windows = ['minute', 'hour', 'day'] as const;
  return [
    "# HELP siyu_account_state 1 for the account's current state (online, offline, disabled).",
    '# TYPE siyu_account_state gauge',
    ...accounts.flatMap((a) => (['online', 'offline', 'disabled'] as const).map((st) => line('siyu_account_state', a.state === st ? 1 : 0, { account: a.id, state: st }))),
    '# HELP siyu_account_sent Messages the account sent in the last minute, hour and 24 hours.',
    '# TYPE siyu_account_sent gauge',
    ...accounts.flatMap((a) => windows.map((w) => line('siyu_account_sent', a.sent[w], { account: a.id, window: w }))),
    "# HELP siyu_account_cap The account's cap per minute, hour and 24 hours (0 = none).",
    '# TYPE siyu_account_cap gauge',
    ...accounts.flatMap((a) => windows.map((w) => line('siyu_account_cap', a.caps[w], { account: a.id, window: w }))),
    "# HELP siyu_account_outbox_messages The account's outbox rows by status (sent rows are counted by siyu_account_sent).",
    '# TYPE siyu_account_outbox_messages gauge',
    ...accounts.flatMap((a) => Object.entries(a.outbox).map(([st, n]) => line('siyu_account_outbox_messages', n, { account: a.id, status: st }))),
    '# HELP siyu_account_reach Contacts the account is friends with and groups it is in.',
    '# TYPE siyu_account_reach gauge',
    ...accounts.flatMap((a) => [
      line('siyu_account_reach', a.reach.contacts, { account: a.id, kind: 'contact' }),
      line('siyu_account_reach', a.reach.rooms, { account: a.id, kind: 'room' }),
    ]),
  ];
}
