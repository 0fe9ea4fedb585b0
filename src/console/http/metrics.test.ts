import { describe, expect, it } from 'vitest';
import { renderMetrics } from './metrics.js';

describe('metrics', () => {
  it('renders gauges and counters in Prometheus text format', () => {
    const text = renderMetrics({
      loggedIn: true,
      inbound: { accepted: 12, rejected: { duplicate: 2 } },
      outbox: { sent: 5, failed: 1 },
      queues: { 'outbox-main': { waiting: 3 } },
      handlerFailures: 0,
      sentLastMinute: 10,
      budgetPerMinute: 20,
    });
    expect(text).toContain('siyu_logged_in 1\n');
    expect(text).toContain('siyu_inbound_messages_total{verdict="duplicate"} 2');
    expect(text).toContain('siyu_outbox_messages{status="sent"} 5');
    expect(text).toContain('siyu_outbox_messages{status="queued"} 0');
    expect(text).toContain('siyu_queue_jobs{queue="outbox-main",state="waiting"} 3');
    expect(text).toContain('siyu_send_budget_used 0.5');
    expect(text).toContain('siyu_send_budget_per_minute 20');
    expect(text).toContain('siyu_outbound_messages_total 5');
    expect(text).not.toContain('siyu_sla_open_questions');
  });

  it('adds SLA clocks when the SLA runs', () => {
    const text = renderMetrics({
      loggedIn: false,
      inbound: { accepted: 0, rejected: {} },
      outbox: {},
      queues: null,
      handlerFailures: 0,
      sentLastMinute: 0,
      budgetPerMinute: 0,
      sla: { open: 4, backlog: 1, timers: 3 },
    });
    expect(text).toContain('siyu_logged_in 0\n');
    expect(text).toContain('siyu_sla_open_questions 4');
    expect(text).toContain('siyu_sla_backlog_questions 1');
    expect(text).toContain('siyu_sla_timers 3');
    expect(text).toContain('siyu_send_budget_used 0\n');
  });

  it('labels the per-account series by account', () => {
    const text = renderMetrics({
      loggedIn: true,
      inbound: { accepted: 0, rejected: {} },
      outbox: {},
      queues: null,
      handlerFailures: 0,
      sentLastMinute: 0,
      budgetPerMinute: 20,
      accounts: [
        {
          id: 'hz01',
          name: '湖滨店',
          role: 'store',
          stores: ['HZ01'],
          state: 'offline',
          selfId: null,
          lastError: 'logged out',
          since: null,
          sent: { minute: 3, hour: 40, day: 90 },
          caps: { minute: 20, hour: 1000, day: 0 },
          outbox: { queued: 7, unreachable: 2 },
          reach: { contacts: 120, rooms: 4 },
        },
      ],
    });
    expect(text).toContain('siyu_account_state{account="hz01",state="offline"} 1');
    expect(text).toContain('siyu_account_state{account="hz01",state="online"} 0');
    expect(text).toContain('siyu_account_sent{account="hz01",window="hour"} 40');
    expect(text).toContain('siyu_account_cap{account="hz01",window="day"} 0');
    expect(text).toContain('siyu_account_outbox_messages{account="hz01",status="queued"} 7');
    expect(text).toContain('siyu_account_outbox_messages{account="hz01",status="unreachable"} 2');
    expect(text).toContain('siyu_account_reach{account="hz01",kind="contact"} 120');
  });
});
