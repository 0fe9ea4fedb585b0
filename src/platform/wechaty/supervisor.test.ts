import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.js';
import { Supervisor, backoffMs } from './supervisor.js';
import { recordingLogger } from './testing.js';

describe('backoffMs', () => {
  it('doubles from the base and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffMs(n, 1000, 30_000))).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(backoffMs(500, 1000, 60_000)).toBe(60_000);
  });
});

/** A fake connection whose attempts fail `failures` times, then succeed. */
function fakeConnection(failures: number) {
  const calls: string[] = [];
  let left = failures;
  let successes = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  return {
    calls,
    /** Resolves once `n` attempts in all have succeeded. */
    connected: (n: number) =>
      new Promise<void>((resolve) => {
        if (successes >= n) resolve();
        else waiters.push({ n, resolve });
      }),
    connect: async (attempt: number) => {
      calls.push(`connect ${attempt}`);
      if (left > 0) {
        left -= 1;
        throw new Error('ECONNREFUSED');
      }
      successes += 1;
      for (const w of waiters) if (successes >= w.n) queueMicrotask(w.resolve);
    },
    disconnect: async () => {
      calls.push('disconnect');
    },
    failNext: (n: number) => {
      left = n;
    },
  };
}

describe('Supervisor', () => {
  it('retries failed attempts with backoff until one succeeds, logging each', async () => {
    const rec = recordingLogger();
    const conn = fakeConnection(3);
    const sup = new Supervisor({ logger: rec.logger, connect: conn.connect, disconnect: conn.disconnect, baseBackoffMs: 1, maxBackoffMs: 2 });
    await sup.start();
    expect(sup.isConnected()).toBe(true);
    expect(conn.calls).toEqual(['connect 1', 'disconnect', 'connect 2', 'disconnect', 'connect 3', 'disconnect', 'connect 4']);
    const failed = rec.lines.filter((l) => /attempt \d failed/.test(l.msg ?? ''));
    expect(failed.map((l) => [l.attempt, l.nextInSeconds])).toEqual([
      [1, 0.001],
      [2, 0.002],
      [3, 0.002],
    ]);
    expect(failed[0]!.err).toBe('ECONNREFUSED');
    await sup.stop();
  });

  it('reconnects after restart(), numbering attempts from 1 again', async () => {
    const conn = fakeConnection(0);
    const sup = new Supervisor({ logger: silentLogger(), connect: conn.connect, disconnect: conn.disconnect, baseBackoffMs: 1, maxBackoffMs: 1 });
    await sup.start();
    conn.failNext(1);
    const again = conn.connected(2);
    sup.restart('logged out');
    expect(sup.isConnected()).toBe(false);
    await again;
    expect(conn.calls).toEqual(['connect 1', 'disconnect', 'connect 1', 'disconnect', 'connect 2']);
    await sup.stop();
  });

  it('ignores restart() while not connected, except for a loss right after a successful attempt', async () => {
    const conn = fakeConnection(0);
    let lose: (() => void) | undefined;
    const sup = new Supervisor({
      logger: silentLogger(),
      connect: async (n) => {
        await conn.connect(n);
        lose?.();
      },
      disconnect: conn.disconnect,
      maxBackoffMs: 1,
    });
    lose = () => {
      lose = undefined;
      sup.restart('lost while connecting');
    };
    const second = conn.connected(2);
    await sup.start();
    await second;
    expect(conn.calls.filter((c) => c.startsWith('connect'))).toHaveLength(2);
    await sup.stop();
  });

  it('stop() ends a pending backoff, closes the session, and start() afterwards rejects', async () => {
    const conn = fakeConnection(1000);
    const sup = new Supervisor({ logger: silentLogger(), connect: conn.connect, disconnect: conn.disconnect, baseBackoffMs: 3_600_000, maxBackoffMs: 3_600_000 });
    const started = sup.start();
    await sup.stop();
    await expect(started).rejects.toThrow(/stopped before the first connection/);
    await expect(sup.start()).rejects.toThrow(/stopped/);
    expect(conn.calls.at(-1)).toBe('disconnect');
  });

  /** A probe whose answer a test sets, and which lets the test wait for its `n`-th call. */
  function fakeProbe(initial: boolean) {
    let answer = initial;
    let calls = 0;
    const waiters: { n: number; resolve: () => void }[] = [];
    return {
      probe: async () => {
        calls += 1;
        for (const w of waiters.filter((x) => calls >= x.n)) w.resolve();
        return answer;
      },
      set: (v: boolean) => {
        answer = v;
      },
      calls: () => calls,
      /** Resolves at the probe's `n`-th call in all. */
      called: (n: number) =>
        new Promise<void>((resolve) => {
          if (calls >= n) resolve();
          else waiters.push({ n, resolve });
        }),
    };
  }

  it('while waiting out a long backoff step, reconnects as soon as the probe sees the provider back', async () => {
    const rec = recordingLogger();
    const conn = fakeConnection(0);
    const probe = fakeProbe(true);
    let up = true;
    const sup = new Supervisor({
      logger: rec.logger,
      connect: async (n) => {
        if (!up) throw new Error('ECONNREFUSED');
        await conn.connect(n);
      },
      disconnect: conn.disconnect,
      baseBackoffMs: 3_600_000,
      maxBackoffMs: 3_600_000,
      probe: probe.probe,
      probeIntervalMs: 5,
    });
    await sup.start();
    up = false;
    probe.set(false);
    sup.restart('the event stream ended');
    // The first attempt fails and an hour's backoff starts; the probe keeps failing meanwhile.
    await rec.waitFor((l) => /attempt 1 failed, next in 3600s/.test(l.msg ?? ''));
    await probe.called(3);
    up = true;
    probe.set(true);
    await rec.waitFor((l) => /connected again/.test(l.msg ?? ''));
    expect(sup.isConnected()).toBe(true);
    expect(conn.calls.filter((c) => c.startsWith('connect'))).toEqual(['connect 1', 'connect 2']);
    const outage = rec.lines.filter((l) => /outage/.test(l.msg ?? ''));
    expect(outage).toHaveLength(1);
    expect(outage[0]!.msg).toMatch(/^supervisor: connected again after an outage of \d+ s$/);
    expect(outage[0]!.outageSeconds).toBeGreaterThanOrEqual(0);
    expect(rec.lines.filter((l) => l.msg === 'supervisor: the provider answers again, reconnecting now')).toHaveLength(1);
    await sup.stop();
  });

  it('a provider that answers the probe but refuses the session falls back to plain backoff after two quick tries', async () => {
    const rec = recordingLogger();
    const conn = fakeConnection(1000);
    const probe = fakeProbe(true);
    const sup = new Supervisor({
      logger: rec.logger,
      connect: conn.connect,
      disconnect: conn.disconnect,
      baseBackoffMs: 3_600_000,
      maxBackoffMs: 3_600_000,
      probe: probe.probe,
      probeIntervalMs: 5,
    });
    void sup.start().catch(() => undefined);
    await rec.waitFor((l) => /attempt 3 failed/.test(l.msg ?? ''));
    // Ten more answering probes: none of them starts a fourth attempt.
    await probe.called(probe.calls() + 10);
    expect(conn.calls.filter((c) => c.startsWith('connect'))).toEqual(['connect 1', 'connect 2', 'connect 3']);
    await sup.stop();
  });
});
