import type { Logger } from '../core/logger.js';
import type { InboundMessage } from '../core/messages.js';
import type { InboundHandler } from '../inbound/index.js';
import type { EnqueueRequest, EnqueueResult } from '../outbox/index.js';
import type { Db } from '../platform/db/client.js';

/** The synchronous part of handling one message: store work; returns what to send afterwards. */
export type SyncHandler = (m: InboundMessage, receivedAt: number) => EnqueueRequest[];

/**
 * Batches the SLA's store work: messages handed in during one turn of the event loop are handled in
 * one SQLite transaction, in arrival order; what they send goes to the outbox after the commit. When
 * one message fails, the batch is rolled back and handled again one message per transaction, so the
 * failing one is left out (and logged) alone. This keeps the SLA
 * at the ingest's pace (one commit per burst, not per message). The router does not wait for it:
 * `idle()` resolves when everything handed in so far is done.
 */
export class SlaInbox {
  private pending: { m: InboundMessage; receivedAt: number }[] = [];
  private chain: Promise<void> = Promise.resolve();
  private scheduled = false;
  private failures = 0;

  constructor(
    private readonly db: Db,
    private readonly handle: SyncHandler,
    private readonly outbox: { enqueue(req: EnqueueRequest): Promise<EnqueueResult> },
    private readonly logger: Logger,
  ) {}

  /** The router handler: hands the message in and returns at once. */
  handler(): InboundHandler {
    // A member's message the bot answered itself (a binding answer, an admin command's help) needs no staff reply.
    return ({ message, receivedAt, answered }) => (answered && !message.self ? undefined : this.push(message, receivedAt));
  }

  push(m: InboundMessage, receivedAt: number): void {
    this.pending.push({ m, receivedAt });
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const batch = this.pending;
      this.pending = [];
      this.chain = this.chain.then(() => this.run(batch));
    });
  }

  /** Resolves when every message handed in so far is handled and its sends are queued. */
  async idle(): Promise<void> {
    while (this.scheduled || this.pending.length) {
      await new Promise((r) => setImmediate(r));
      await this.chain;
    }
    await this.chain;
  }

  /** Messages whose handling failed since start. */
  get failureCount(): number {
    return this.failures;
  }

  private async run(batch: { m: InboundMessage; receivedAt: number }[]): Promise<void> {
    const sqlite = this.db.$client;
    let sends: EnqueueRequest[];
    try {
      sends = sqlite.transaction(() => batch.flatMap(({ m, receivedAt }) => this.handle(m, receivedAt))).immediate();
    } catch {
      sends = [];
      for (const { m, receivedAt } of batch) {
        try {
          sends.push(...sqlite.transaction(() => this.handle(m, receivedAt)).immediate());
        } catch (err) {
          this.failures++;
          this.logger.error({ err, messageId: m.id }, 'SLA could not handle a message; it is left out');
        }
      }
    }
    for (const req of sends) {
      try {
        await this.outbox.enqueue(req);
      } catch (err) {
        this.logger.error({ err, key: req.key }, 'SLA message could not be queued');
      }
    }
  }
}
