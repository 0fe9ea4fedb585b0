/** Figures `/metrics` reads from capabilities' stores (kept out of the composition root). */
import type { Db } from '../platform/db/client.js';
import { SLA_QUEUE } from '../sla/index.js';
import { SlaRepo } from '../sla/index.js';

/**
 * SLA clocks: open questions, backlog, deadline timers (delayed jobs of the SLA queue), and unrouted
 * questions (nobody to alert, not even the fallbacks): still open, and ever.
 */
export function slaMetrics(
  db: Db,
  now: number,
  queues: Record<string, Record<string, number>> | null,
): { open: number; backlog: number; timers: number; unroutedOpen: number; unrouted: number } | null {
  try {
    const repo = new SlaRepo(db);
    const { open, backlog } = repo.countOpen({ all: true }, now);
    const q = queues?.[SLA_QUEUE];
    return { open, backlog, timers: (q?.['delayed'] ?? 0) + (q?.['waiting'] ?? 0), ...repo.countUnrouted() };
  } catch {
    return null;
  }
}
