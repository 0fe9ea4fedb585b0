import { randomUUID } from 'node:crypto';
import type { Queues } from './queues.js';

/**
 * Tells which bot processes are alive, through a key each refreshes in Redis. Used to decide that
 * rows another process left in `sending` are orphans (that process died) rather than in flight.
 */
export class Liveness {
  readonly instanceId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly queues: Queues,
    private readonly ttlMs = 15_000,
  ) {}

  private key(id: string): string {
    return `${this.queues.prefix}:instance:${id}`;
  }

  private async client() {
    return this.queues.redis();
  }

  /** Starts refreshing this process's key (every third of the TTL). */
  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat().catch(() => undefined), Math.max(100, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    const c = await this.client();
    await c.set(this.key(this.instanceId), String(Date.now()), 'PX', this.ttlMs);
  }

  async isAlive(id: string): Promise<boolean> {
    if (!id) return false;
    if (id === this.instanceId) return true;
    const c = await this.client();
    return (await c.exists(this.key(id))) === 1;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    try {
      const c = await this.client();
      await c.del(this.key(this.instanceId));
    } catch {
      // Redis already gone: the key expires by itself.
    }
  }
}
