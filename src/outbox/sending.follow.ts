import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { windowText } from '../core/time.js';
import type { Db } from '../platform/db/client.js';
import type { Outbox } from './outbox.js';
import { quietUntil } from './outbox.rules.js';
import { redecideQuietDeferrals } from './quiet-redecide.repo.js';
import type { SendingSettings } from './sending.playbook.js';

/**
 * Keeps held marketing in step with the quiet hours in force: now (a restart may come with other
 * quiet hours) and after every change of the sending playbook, rows held past what the quiet hours
 * now allow are released and the outbox is fed at once. A longer window needs no step here: the
 * feed holds what falls in it. Returns the unsubscribe function.
 */
export function followSendingChanges(d: { db: Db; outbox: Outbox; clock: Clock; timezone: string; logger: Logger; settings: SendingSettings }): () => void {
  const redecide = () => {
    const now = d.clock.now().getTime();
    const quietHours = d.settings.quietHours();
    const released = redecideQuietDeferrals(d.db, now, quietUntil(now, { quietHours, timezone: d.timezone }) ?? now);
    if (released) d.logger.info({ released, quietHours: windowText(quietHours) }, 'marketing held for the old quiet hours re-decided under the new ones');
    return released;
  };
  redecide();
  return d.settings.onChange(() => {
    if (redecide()) void d.outbox.feed().catch((err: unknown) => d.logger.debug({ err }, 'outbox feed after a quiet-hours change failed; next time'));
  });
}
