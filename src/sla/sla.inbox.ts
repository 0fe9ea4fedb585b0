import type { Logger } from '../core/logger.js';
import type { InboundMessage } from '../core/messages.js';
import type { InboundHandler } from '../inbound/index.js';
import type { EnqueueRequest, EnqueueResult } from '../outbox/index.js';
import type { Db } from '../platform/db/client.js';

/**
 * The synchronous part of handling one message: store work; returns what to send afterwards.
 * `command` is set when the router gave it to one of the SLA's commands (`list`, `close`).
 */
export type SyncHandler = (m: InboundMessage, receivedAt: number, command?: string) => EnqueueRequest[];

interface Item {
  m: InboundMessage;
  receivedAt: number;
  command?: string;
}

/**
 * Batches the SLA's store work: messages handed in during one turn of the event loop are handled in
 * one SQLite transaction, in arrival order; what they send goes to the outbox after the commit. When
 * one message fails, the batch is rolled back and handled again one message per transaction, so the
 * failing one is left out (and logged) alone. This keeps the SLA
 * at the ingest's pace (one commit per burst, not per message). The router does not wait for it:
 * `idle()` resolves when everything handed in so far is done.
 */
export class SlaInbox {
  private pending: Item[] = [];
  private chain: Promise<void> = Promise.resolve();
  private scheduled = false;
  private failures = 0;

  constructor(
    private readonly db: Db,
    private readonly handle: SyncHandler,
    private readonly outbox: { enqueue(req: EnqueueRequest): Promise<EnqueueResult> },
    private readonly logger: Logger,
  ) {}

  /**
   * The router observer (the question clock): hands the message in and returns at once. A message the
   * bot answered itself (a command, a binding answer, a wake-up reply) needs no staff reply.
   */
  handler(): InboundHandler {
    return ({ message, receivedAt, answered }) => (answered && !message.self ? undefined : this.push(message, receivedAt));
  }

  /** The router handler of the SLA's commands (`list`, `close`): hands the message in as that command. */
  commandHandler(command: string): InboundHandler {
    return ({ message, receivedAt }) => this.push(message, receivedAt, command);
  }

  push(m: InboundMessage, receivedAt: number, command?: string): void {
    this.pending.push(command === undefined ? { m, receivedAt } : { m, receivedAt, command });
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

  private async run(batch: Item[]): Promise<void> {
    const sqlite = this.db.$client;
    let sends: EnqueueRequest[];
    try {
      sends = sqlite.transaction(() => batch.flatMap(({ m, receivedAt, command }) => this.handle(m, receivedAt, command))).immediate();
    } catch {
      sends = [];
      for (const { m, receivedAt, command } of batch) {
        try {
          sends.push(...sqlite.transaction(() => this.handle(m, receivedAt, command)).immediate());
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
