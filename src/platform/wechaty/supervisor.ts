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
  /**
   * A cheap check that the provider answers (e.g. a TCP connect to its endpoint). While waiting out a
   * backoff step it runs every `probeIntervalMs`; when it answers after having failed, the wait ends
   * at once and the next attempt starts, whatever the step.
   */
  probe?: () => Promise<boolean>;
  /** Default 3000 ms. */
  probeIntervalMs?: number;
}

/**
 * A probe that answers ends the backoff wait at most this many times in a row without a failed probe
 * in between: a provider that accepts TCP but refuses the session falls back to plain backoff.
 */
export const PROBE_WAKES_PER_RECOVERY = 2;

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
  /** Probe-ended waits since the last failed probe (see PROBE_WAKES_PER_RECOVERY). */
  private probeWakes = 0;
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
    let lostOnce = false;
    while (!this.stopped) {
      attempt += 1;
      this.pendingReason = undefined;
      try {
        await this.opts.connect(attempt);
        if (this.stopped) break;
        const downMs = Date.now() - downSince;
        if (lostOnce) {
          // The outage's length, once: from the loss to being logged in again.
          log.warn({ attempts: attempt, outageSeconds: Math.round(downMs / 100) / 10 }, `supervisor: connected again after an outage of ${formatSeconds(downMs)}`);
        } else {
          log.info({ attempt, downForSeconds: Math.round(downMs / 1000) }, 'supervisor: connected');
        }
        attempt = 0;
        this.probeWakes = 0;
        this.connected = true;
        this.resolveFirst();
        const reason = await this.waitForRestart();
        if (this.stopped) break;
        downSince = Date.now();
        lastWarn = downSince;
        lostOnce = true;
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

  /** Waits `ms`, or less: until `wake` (stop, restart) or until the probe sees the provider come back. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let finished = false;
      const timer = setTimeout(() => done(), ms);
      let probeTimer: NodeJS.Timeout | undefined;
      const probe = this.opts.probe;
      const every = this.opts.probeIntervalMs ?? 3000;
      const log = this.opts.logger;
      const check = async () => {
        let ok: boolean;
        try {
          ok = await probe!();
        } catch {
          ok = false;
        }
        if (finished) return;
        if (!ok) this.probeWakes = 0;
        else if (this.probeWakes < PROBE_WAKES_PER_RECOVERY) {
          this.probeWakes += 1;
          log.info('supervisor: the provider answers again, reconnecting now');
          done();
          return;
        }
        probeTimer = setTimeout(() => void check(), every);
      };
      if (probe && every > 0 && ms > every) probeTimer = setTimeout(() => void check(), every);
      const done = (): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        if (probeTimer) clearTimeout(probeTimer);
        if (this.wake === wake) this.wake = undefined;
        resolve();
      };
      const wake = () => done();
      this.wake = wake;
    });
  }
}

/** `42 s`, `1 min 5 s`. */
function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}
