import { PermanentSendError, TransientSendError } from '../../src/core/errors.js';
import type { OutboundContent, Target, Transport } from '../../src/core/messages.js';

export interface Delivered {
  target: Target;
  content: OutboundContent;
  at: number;
}

/**
 * A transport that records what it was asked to send (for outbox tests that do not need the
 * simulated world). Failures can be scripted per target.
 */
export class RecordingTransport implements Transport {
  readonly delivered: Delivered[] = [];
  ready = true;
  /** target id → errors to throw on the next sends to it, in order. */
  readonly failures = new Map<string, ('transient' | 'permanent')[]>();
  private waiters: { n: number; resolve: () => void }[] = [];

  isReady(): boolean {
    return this.ready;
  }

  async send(target: Target, content: OutboundContent): Promise<{ messageId?: string }> {
    const planned = this.failures.get(target.id)?.shift();
    if (planned === 'transient') throw new TransientSendError('simulated timeout');
    if (planned === 'permanent') throw new PermanentSendError(`no such ${target.kind} ${target.id}`);
    this.delivered.push({ target, content, at: Date.now() });
    this.waiters = this.waiters.filter((w) => {
      if (this.delivered.length >= w.n) w.resolve();
      return this.delivered.length < w.n;
    });
    return { messageId: `sent-${this.delivered.length}` };
  }

  /** Resolves once `n` messages in all have been delivered. */
  waitFor(n: number): Promise<void> {
    if (this.delivered.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }
}
