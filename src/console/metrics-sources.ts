/** Figures `/metrics` reads from capabilities' stores (kept out of the composition root). */
import type { Db } from '../platform/db/client.js';
import { SLA_QUEUE } from '../sla/sla.jobs.js';
import { SlaRepo } from '../sla/sla.repo.js';

/** SLA clocks: open questions, backlog, and deadline timers (delayed jobs of the SLA queue). */
export function slaMetrics(db: Db, now: number, queues: Record<string, Record<string, number>> | null): { open: number; backlog: number; timers: number } | null {
  try {
    const { open, backlog } = new SlaRepo(db).countOpen({ all: true }, now);
    const q = queues?.[SLA_QUEUE];
    return { open, backlog, timers: (q?.['delayed'] ?? 0) + (q?.['waiting'] ?? 0) };
  } catch {
    return null;
  }
}
