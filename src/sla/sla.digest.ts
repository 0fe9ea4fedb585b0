import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { localDate } from '../core/time.js';
import type { EnqueueRequest, EnqueueResult } from '../outbox/index.js';
import { backlogRecipients, backlogText, scopeOf } from './alerts.rules.js';
import type { SlaDirectory } from './sla.directory.js';
import { lineItems } from './sla.handlers.js';
import type { SlaRepo } from './sla.repo.js';
import type { SlaPlaybook } from './sla.playbook.js';

/** What the daily backlog message needs. */
export interface DigestDeps {
  repo: SlaRepo;
  directory: SlaDirectory;
  outbox: { enqueue(req: EnqueueRequest): Promise<EnqueueResult> };
  clock: Clock;
  timezone: string;
  playbook: () => SlaPlaybook;
  logger: Logger;
}

/** The daily backlog message may wait this long for the account before it is stale. */
const DIGEST_TTL_MS = 12 * 3_600_000;

/** Cron of the daily backlog message (`dailyAt` 09:30 → `30 9 * * *`). */
export function backlogCron(dailyAt: string): string {
  const [h, m] = dailyAt.split(':').map(Number) as [number, number];
  return `${m} ${h} * * *`;
}

/**
 * The daily backlog message: each recipient (playbook `backlog.to`) with backlog in their scope gets
 * one message listing it, oldest first. Keyed `sla-backlog:<local date>:<staff code>`, so a slot run
 * twice sends once. Purpose `staff-prompt`.
 * @returns how many messages were queued.
 */
export async function sendBacklogDigest(deps: DigestDeps, slot: Date): Promise<number> {
  const pb = deps.playbook();
  const now = deps.clock.now().getTime();
  const date = localDate(slot, deps.timezone);
  let sent = 0;
  for (const person of backlogRecipients(pb.backlog.to, deps.directory.staff())) {
    const rows = deps.repo.openQuestions(scopeOf(person), { now, backlogOnly: true });
    if (!rows.length) continue;
    await deps.outbox.enqueue({
      key: `sla-backlog:${date}:${person.code}`,
      target: { kind: 'contact', id: person.contactId! },
      purpose: 'staff-prompt',
      content: { kind: 'text', text: backlogText(pb, lineItems(deps, pb, rows, now)) },
      expiresAt: now + DIGEST_TTL_MS,
    });
    sent++;
  }
  deps.logger.info({ date, messages: sent }, 'SLA daily backlog message queued');
  return sent;
}
