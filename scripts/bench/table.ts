/** One row of the benchmark report. */
export interface Measurement {
  name: string;
  count: number;
  seconds: number;
  /** Name of the baseline row this one is compared with (itself for a baseline). */
  baseline?: string;
  /** CPU time of this process (all threads) during the timed part. */
  nodeCpuSeconds: number;
  /** CPU time of the benchmark's redis-server during the timed part; null when not watched. */
  redisCpuSeconds: number | null;
  rssAfterMb: number;
  peakRssDeltaMb: number;
  /** Free text shown after the table (e.g. verification counts). */
  note?: string;
  /** Set when the run did not do what it claims (messages rejected, rows not sent): figures are void. */
  problem?: string;
}

export const opsPerSecond = (m: Measurement): number => (m.seconds > 0 ? m.count / m.seconds : 0);

/** The ratio of `m`'s ops/s to its baseline's, or undefined when it has none in `all`. */
export function ratioToBaseline(m: Measurement, all: Measurement[]): number | undefined {
  if (!m.baseline) return undefined;
  const base = all.find((b) => b.name === m.baseline);
  if (!base) return undefined;
  const b = opsPerSecond(base);
  return b > 0 ? opsPerSecond(m) / b : undefined;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');

/** Plain-text table, columns aligned (text left, numbers right). */
export function renderTable(rows: Measurement[]): string {
  const header = ['measurement', 'count', 'seconds', 'ops/s', 'ratio', 'node CPU s', 'node µs/op', 'redis CPU s', 'RSS after MB', 'peak ΔRSS MB'];
  const body = rows.map((m) => {
    const r = ratioToBaseline(m, rows);
    return [
      m.problem ? `${m.name} [INVALID]` : m.name,
      int(m.count),
      m.seconds.toFixed(3),
      int(opsPerSecond(m)),
      m.baseline === m.name ? '1.00 (base)' : r === undefined ? '-' : r.toFixed(2),
      m.nodeCpuSeconds.toFixed(2),
      m.count > 0 ? ((m.nodeCpuSeconds * 1e6) / m.count).toFixed(0) : '-',
      m.redisCpuSeconds === null ? '-' : m.redisCpuSeconds.toFixed(2),
      m.rssAfterMb.toFixed(0),
      m.peakRssDeltaMb.toFixed(0),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const sep = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), sep, ...body.map(line)].join('\n');
}
