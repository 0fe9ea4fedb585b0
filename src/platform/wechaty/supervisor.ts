import type { Logger } from '../../core/logger.js';
import { errorMessage } from '../../core/errors.js';

export interface SupervisorOptions {
  logger: Logger;
  /** Opens a session; resolves once it is usable, rejects when this attempt failed. */
  connect: (attempt: number) => Promise<void>;
  /** Closes whatever `connect` opened (also a half-open session); must not throw. */
  disconnect: () => Promise<void>;
  /** First retry delay; doubles per failed attempt. Default 1000 ms. */
  baseBackoffMs?: number;
  maxBackoffMs: number;
  /** While not connected, log a warning this often. Default 30 000 ms. */
  slowWarnMs?: number;
}

/**
 * The delay before retry number `attempt` (1-based): base · 2^(attempt-1), capped at `maxMs`.
 * @example backoffMs(1, 1000, 60_000) // 1000
 * @example backoffMs(10, 1000, 60_000) // 60000
 */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
}

/**
 * Keeps a connection up: connects, and whenever `restart(reason)` is called (logout, lost stream,
 * silent provider) closes it and connects again, retrying failed attempts with exponential backoff.
 * Nothing is scheduled per connection, so reconnecting never duplicates work.
 */
export class Supervisor {
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: ((reason: string) => void) | undefined;
  private pendingReason: string | undefined;
  private connected = false;
  private firstConnected: Promise<void>;
  private resolveFirst!: () => void;
  private rejectFirst!: (err: Error) => void;

  constructor(private readonly opts: SupervisorOptions) {
    this.firstConnected = new Promise((resolve, reject) => {
      this.resolveFirst = resolve;
      this.rejectFirst = reject;
    });
    this.firstConnected.catch(() => undefined);
  }

  /** Starts the loop; resolves at the first successful connection, rejects if stopped before it. */
  start(): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('supervisor stopped'));
    this.loop ??= this.run();
    return this.firstConnected;
  }

  /**
   * Asks for a reconnect. While an attempt is under way it is remembered, in case that attempt
   * succeeded just before the loss; ignored once stopped.
   */
  restart(reason: string): void {
    if (this.stopped) return;
    if (!this.connected) {
      this.pendingReason = reason;
      return;
    }
    this.connected = false;
    if (this.wake) this.wake(reason);
    else this.pendingReason = reason;
  }

  isConnected(): boolean {
    return this.connected;
  }

  /** Stops retrying and closes the session. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.connected = false;
    this.rejectFirst(new Error('stopped before the first connection'));
    this.wake?.('stop');
    // Closing first aborts an attempt that is waiting for login; then whatever the loop opened meanwhile.
    await this.opts.disconnect();
    await this.loop;
    await this.opts.disconnect();
  }

  private async run(): Promise<void> {
    const log = this.opts.logger;
    const base = this.opts.baseBackoffMs ?? 1000;
    let attempt = 0;
    let downSince = Date.now();
    let lastWarn = downSince;
    while (!this.stopped) {
      attempt += 1;
      this.pendingReason = undefined;
      try {
        await this.opts.connect(attempt);
        if (this.stopped) break;
        log.info({ attempt, downForSeconds: Math.round((Date.now() - downSince) / 1000) }, 'supervisor: connected');
        attempt = 0;
        this.connected = true;
        this.resolveFirst();
        const reason = await this.waitForRestart();
        if (this.stopped) break;
        downSince = Date.now();
        lastWarn = downSince;
        log.warn({ reason }, 'supervisor: connection lost, restarting the puppet');
        await this.opts.disconnect();
      } catch (err) {
        await this.opts.disconnect();
        if (this.stopped) break;
        const delay = backoffMs(attempt, base, this.opts.maxBackoffMs);
        const downMs = Date.now() - downSince;
        // Escalate to error level once per slowWarnMs of downtime, so a long outage reaches alerting.
        const slow = Date.now() - lastWarn >= (this.opts.slowWarnMs ?? 30_000);
        if (slow) lastWarn = Date.now();
        log[slow ? 'error' : 'warn'](
          { attempt, nextInSeconds: delay / 1000, downForSeconds: Math.round(downMs / 1000), err: errorMessage(err) },
          `supervisor: attempt ${attempt} failed, next in ${delay / 1000}s`,
        );
        await this.sleep(delay);
      }
    }
  }

  private waitForRestart(): Promise<string> {
    if (this.pendingReason !== undefined) {
      const r = this.pendingReason;
      this.pendingReason = undefined;
      this.connected = false;
      return Promise.resolve(r);
    }
    return new Promise((resolve) => {
      this.wake = (reason) => {
        this.wake = undefined;
        resolve(reason);
      };
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}
