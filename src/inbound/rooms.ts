import type { Logger } from '../core/logger.js';
import type { RoomGateway, RoomMemberEvent } from '../core/messages.js';

/** A capability's handler of group membership events. */
export type RoomEventHandler = (ev: RoomMemberEvent) => void | Promise<void>;
/** A capability's handler of the account being logged in and ready (again after every reconnect). */
export type RoomReadyHandler = (selfId: string) => void | Promise<void>;

/**
 * The third kind of inbound event: people joining and leaving groups. The edge hands each event to
 * `dispatch` and each login to `ready`; capabilities subscribe with `on` / `onReady` and ask who is in
 * a group with `memberIds`. Each handler runs in its own error boundary (a throw is logged and
 * counted, the next handler runs). `ready` fires again after every reconnect: handlers must be idempotent.
 * @example
 * const hub = new RoomEvents(logger)
 * hub.connect(edge.rooms)
 * hub.on((ev) => { if (ev.kind === 'join') welcome(ev) })
 * hub.onReady(async () => reconcile(await hub.memberIds('hz01-a@chatroom')))
 */
export class RoomEvents {
  private readonly handlers: RoomEventHandler[] = [];
  private readonly readyHandlers: RoomReadyHandler[] = [];
  private gateway: RoomGateway | null = null;
  private errors = 0;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  /** Wires the edge (or a test double) that answers member lists. */
  connect(gateway: RoomGateway): void {
    this.gateway = gateway;
  }

  /** Subscribes to joins and leaves; returns a function that unsubscribes. */
  on(handler: RoomEventHandler): () => void {
    return add(this.handlers, handler);
  }

  /** Subscribes to the account's (re)login; returns a function that unsubscribes. */
  onReady(handler: RoomReadyHandler): () => void {
    return add(this.readyHandlers, handler);
  }

  /** Hands one event to every handler, in order, each in its own error boundary. Never throws. */
  dispatch(ev: RoomMemberEvent): Promise<void> {
    return this.track(
      (async () => {
        this.logger.info({ kind: ev.kind, roomId: ev.roomId, contacts: ev.contacts.map((c) => c.id), byId: ev.byId }, `room ${ev.kind}`);
        for (const h of [...this.handlers]) {
          try {
            await h(ev);
          } catch (err) {
            this.errors++;
            this.logger.error({ err, kind: ev.kind, roomId: ev.roomId }, 'room event handler failed; next handler runs');
          }
        }
      })(),
    );
  }

  /** Tells every ready handler that the account is logged in and ready. Never throws. */
  ready(selfId: string): Promise<void> {
    return this.track(
      (async () => {
        for (const h of [...this.readyHandlers]) {
          try {
            await h(selfId);
          } catch (err) {
            this.errors++;
            this.logger.error({ err }, 'room ready handler failed; next handler runs');
          }
        }
      })(),
    );
  }

  /** True while the edge can answer member lists. */
  isReady(): boolean {
    return this.gateway?.isReady() ?? false;
  }

  /** The bot account's contact id while logged in. */
  selfId(): string | undefined {
    return this.gateway?.selfId();
  }

  /** Contact ids in the group now. @throws Error when no edge is connected, it is offline, or the group is unknown. */
  memberIds(roomId: string): Promise<string[]> {
    if (!this.gateway) return Promise.reject(new Error('no platform edge connected for rooms'));
    return this.gateway.memberIds(roomId);
  }

  /** Resolves when every event and ready signal handed in so far has been handled. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  /** Handler failures since start. */
  get failureCount(): number {
    return this.errors;
  }

  private track(run: Promise<void>): Promise<void> {
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
    return run;
  }
}

function add<T>(list: T[], item: T): () => void {
  list.push(item);
  return () => {
    const i = list.indexOf(item);
    if (i >= 0) list.splice(i, 1);
  };
}
