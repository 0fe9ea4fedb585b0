import type { Logger } from '../core/logger.js';
import type { FriendRequest, FriendshipGateway } from '../core/messages.js';

/** A capability's friendship handler. */
export type FriendshipHandler = (req: FriendRequest) => void | Promise<void>;

/**
 * The second kind of inbound event: friendship requests, confirmations and losses. The edge hands each
 * event to `dispatch`; capabilities subscribe with `on` and ask the edge to accept with `accept`.
 * Each handler runs in its own error boundary (a throw is logged and counted, the next handler runs).
 * @example
 * const hub = new Friendships(logger)
 * hub.connect(edge.friendships)
 * hub.on(async (req) => { if (req.type === 'receive') await hub.accept(req.id) })
 */
export class Friendships {
  private readonly handlers: FriendshipHandler[] = [];
  private gateway: FriendshipGateway | null = null;
  private errors = 0;
  private inFlight = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  /** Wires the edge (or a test double) that accepts requests. */
  connect(gateway: FriendshipGateway): void {
    this.gateway = gateway;
  }

  /** Subscribes; returns a function that unsubscribes. */
  on(handler: FriendshipHandler): () => void {
    this.handlers.push(handler);
    return () => {
      const i = this.handlers.indexOf(handler);
      if (i >= 0) this.handlers.splice(i, 1);
    };
  }

  /** Hands one event to every handler, in order, each in its own error boundary. Never throws. */
  dispatch(req: FriendRequest): Promise<void> {
    const run = (async () => {
      this.logger.info({ friendshipId: req.id, type: req.type, contactId: req.contactId }, 'friendship in');
      for (const h of [...this.handlers]) {
        try {
          await h(req);
        } catch (err) {
          this.errors++;
          this.logger.error({ err, friendshipId: req.id, type: req.type }, 'friendship handler failed; next handler runs');
        }
      }
    })();
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
    return run;
  }

  /** True while the edge can accept. */
  isReady(): boolean {
    return this.gateway?.isReady() ?? false;
  }

  /** Asks the edge to accept request `id`. @throws Error when no edge is connected, it is offline, or the provider refuses. */
  accept(id: string, from?: { account: string; contactId: string }): Promise<void> {
    if (!this.gateway) return Promise.reject(new Error('no platform edge connected for friendships'));
    return this.gateway.accept(id, from);
  }

  /** Resolves when every event dispatched so far has been handled. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  /** Handler failures since start. */
  get failureCount(): number {
    return this.errors;
  }
}
