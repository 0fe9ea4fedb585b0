import type { Logger } from '../core/logger.js';
import type { InboundMessage } from '../core/messages.js';
import { CommandRegistry } from './commands.js';

/** What a handler gets: the accepted message and when the bot received it. */
export interface InboundContext {
  message: InboundMessage;
  receivedAt: number;
  /**
   * Set by a handler that answered this message itself. Later handlers' fallback replies (a help hint
   * for text they do not understand) are then skipped, so a person gets one answer per message.
   */
  answered?: boolean;
  /**
   * Set by a handler that replied to this message but leaves it open for a person (a wake-up reply that
   * is a question): fallback hints are skipped, the SLA still tracks it.
   */
  acknowledged?: boolean;
}

export type InboundHandler = (ctx: InboundContext) => void | Promise<void>;

/**
 * Dispatches accepted messages to the capabilities' handlers, in the order they were installed.
 * Each handler runs inside its own error boundary: a throw is logged and the next handler still runs.
 */
export class Router {
  private readonly handlers: { name: string; fn: InboundHandler; self: boolean }[] = [];
  private errors = 0;
  /** The commands every capability answers, by word and sender role (inbound/commands.ts). */
  readonly commands = new CommandRegistry();

  constructor(private readonly logger: Logger) {}

  /**
   * Installs a handler; returns a function that removes it. Messages a person typed on the bot account's
   * phone (`message.self`) reach only handlers installed with `{ self: true }`. `{ first: true }` puts
   * the handler ahead of those installed before it: a conversation the bot started (a wake-up reply) is
   * settled before the commands' owners and the SLA see the message.
   */
  use(name: string, fn: InboundHandler, opts: { self?: boolean; first?: boolean } = {}): () => void {
    const entry = { name, fn, self: opts.self === true };
    if (opts.first) this.handlers.unshift(entry);
    else this.handlers.push(entry);
    return () => {
      const i = this.handlers.indexOf(entry);
      if (i >= 0) this.handlers.splice(i, 1);
    };
  }

  async dispatch(ctx: InboundContext): Promise<void> {
    for (const h of this.handlers) {
      if (ctx.message.self && !h.self) continue;
      try {
        await h.fn(ctx);
      } catch (err) {
        this.errors++;
        this.logger.error({ err, handler: h.name, messageId: ctx.message.id }, 'inbound handler failed; message kept, next handler runs');
      }
    }
  }

  /** Handler failures since start, for /healthz. */
  get failureCount(): number {
    return this.errors;
  }
}
