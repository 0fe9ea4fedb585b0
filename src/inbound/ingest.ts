import type { Clock } from '../core/clock.js';
import { TurnBatch } from '../core/turn-batch.js';
import type { Logger } from '../core/logger.js';
import type { InboundMessage } from '../core/messages.js';
import { checkMessage, type GuardOptions, type RejectReason, type Verdict } from './guards.js';
import type { InboundRepo } from './inbound.repo.js';
import type { Router } from './router.js';

export type IngestOptions = GuardOptions;

export interface IngestStats {
  accepted: number;
  rejected: Record<RejectReason, number>;
  pending: number;
}

interface Arrival {
  message: InboundMessage;
  receivedAt: number;
}

/**
 * The one way in. Every message from the platform edge goes through `accept`: the guards, the log
 * (written once, so a redelivered id is a duplicate), the directory and activity updates, and then
 * the router. Messages arriving together are written in one transaction, so a burst after a
 * reconnect costs one commit, not one per message. Dispatch keeps arrival order.
 */
export class Ingest {
  private readonly arrivals = new TurnBatch<Arrival, Verdict>(
    (batch) => this.process(batch),
    (one) => this.process([one])[0]!,
  );
  private dispatchChain: Promise<void> = Promise.resolve();
  private readonly stats: IngestStats = {
    accepted: 0,
    pending: 0,
    rejected: { self: 0, 'too-old': 0, 'unsupported-type': 0, duplicate: 0, malformed: 0, 'store-error': 0 },
  };

  constructor(
    private readonly repo: InboundRepo,
    private readonly router: Router,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly opts: IngestOptions,
  ) {}

  /** Resolves with the verdict once the message is logged (dispatch continues in the background). */
  accept(message: InboundMessage): Promise<Verdict> {
    return this.arrivals.add({ message, receivedAt: this.clock.now().getTime() });
  }

  /** Resolves when every message accepted so far has been dispatched. */
  idle(): Promise<void> {
    return this.dispatchChain;
  }

  getStats(): IngestStats {
    return { ...this.stats, rejected: { ...this.stats.rejected }, pending: this.arrivals.size };
  }

  /** Guards, log and directory for one turn's arrivals in one transaction, then dispatch in order. */
  private process(batch: Arrival[]): Verdict[] {
    const verdicts: Verdict[] = [];
    try {
      this.repo.transaction(() => {
        for (const item of batch) {
          let v = checkMessage(item.message, item.receivedAt, this.opts);
          if (v.accept && !this.repo.record(item.message, item.receivedAt)) v = { accept: false, reason: 'duplicate' };
          verdicts.push(v);
        }
      });
    } catch (err) {
      // The store refused the batch (disk full, locked too long): nothing of it was written, so
      // nothing is dispatched; a provider redelivery will bring the messages again.
      this.logger.error({ err, count: batch.length }, 'inbound batch not logged; messages dropped for now');
      this.stats.rejected['store-error'] += batch.length;
      return batch.map(() => ({ accept: false, reason: 'store-error' }));
    }
    batch.forEach((item, i) => {
      const v = verdicts[i]!;
      if (v.accept) {
        this.stats.accepted++;
        const m = item.message;
        this.logger.info(
          { messageId: m.id, talker: m.talkerName || m.talkerId, room: m.roomTopic ?? m.roomId ?? undefined, type: m.type, text: m.text.slice(0, 60) },
          'message in',
        );
        const ctx = { message: item.message, receivedAt: item.receivedAt };
        this.dispatchChain = this.dispatchChain.then(() => this.router.dispatch(ctx));
      } else {
        this.stats.rejected[v.reason]++;
        if (v.reason !== 'self') {
          this.logger.debug({ messageId: item.message.id, reason: v.reason }, 'inbound message not passed on');
        }
      }
    });
    return verdicts;
  }
}
