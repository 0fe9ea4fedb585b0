import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Measurement } from './table.js';

const MB = 1024 * 1024;

/** Samples RSS every `everyMs` (cheap: process.memoryUsage.rss()) and keeps the peak. */
export class RssSampler {
  private peak: number;
  private readonly start: number;
  private readonly timer: NodeJS.Timeout;

  constructor(everyMs = 50) {
    this.start = process.memoryUsage.rss();
    this.peak = this.start;
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  sample(): number {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
    return rss;
  }

  stop(): { rssAfterMb: number; peakRssDeltaMb: number } {
    clearInterval(this.timer);
    const after = this.sample();
    return { rssAfterMb: after / MB, peakRssDeltaMb: (this.peak - this.start) / MB };
  }
}

let watchedPid: number | null = null;

/** A child process (redis-server) whose CPU time each measurement also reports. */
export function watchProcessCpu(pid: number | null): void {
  watchedPid = pid;
}

/** CPU seconds (user + system) of `pid` from /proc, or null where unavailable. */
export function processCpuSeconds(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    // Fields after the command name (which may contain spaces): utime is 14th, stime 15th overall.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/**
 * A full GC, so each measurement starts from the same heap. `npm run bench` cannot pass
 * --expose-gc through tsx, so the flag is switched on at run time and the function taken from a
 * fresh context (a documented V8 idiom); null if that ever stops working.
 */
const gc: (() => void) | null = (() => {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return null;
  }
})();

/** Collects garbage between measurements (no-op when unavailable). */
export function collectGarbage(): void {
  gc?.();
}

/** The timed part of a measurement: setup before `start`, teardown after `stop` are not counted. */
export interface Stopwatch {
  start(): void;
  stop(): void;
}

/** What a measurement reports besides its timing. */
export interface Outcome {
  /** Verification counts, shown under the table. */
  note?: string;
  /** Set when the work was not all done as intended; the measurement is then reported invalid. */
  problem?: string;
}

/**
 * Runs one measurement of `count` operations. `run` calls `sw.start()` and `sw.stop()` around the
 * timed part (an RSS sampler runs between them) and returns what it verified: an Outcome, or just
 * a note string (or nothing).
 */
export async function measure(name: string, count: number, run: (sw: Stopwatch) => Promise<Outcome | string | void>, baseline?: string): Promise<Measurement> {
  collectGarbage();
  let t0: bigint | undefined;
  let seconds: number | undefined;
  let sampler: RssSampler | undefined;
  let cpu0 = process.cpuUsage();
  let ext0: number | null = null;
  let mem = { rssAfterMb: 0, peakRssDeltaMb: 0 };
  let cpu = { nodeCpuSeconds: 0, redisCpuSeconds: null as number | null };
  const sw: Stopwatch = {
    start: () => {
      sampler = new RssSampler();
      ext0 = processCpuSeconds(watchedPid);
      cpu0 = process.cpuUsage();
      t0 = process.hrtime.bigint();
    },
    stop: () => {
      if (t0 === undefined || seconds !== undefined) return;
      seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const used = process.cpuUsage(cpu0);
      const ext1 = processCpuSeconds(watchedPid);
      cpu = { nodeCpuSeconds: (used.user + used.system) / 1e6, redisCpuSeconds: ext0 !== null && ext1 !== null ? ext1 - ext0 : null };
      mem = sampler!.stop();
    },
  };
  try {
    const res = await run(sw);
    if (seconds === undefined) throw new Error(`measurement "${name}" never stopped its stopwatch`);
    const outcome: Outcome = typeof res === 'string' ? { note: res } : (res ?? {});
    return { name, count, seconds, baseline, ...cpu, ...mem, ...outcome };
  } finally {
    sw.stop(); // a throw inside run must not leave the sampler's interval running
  }
}
