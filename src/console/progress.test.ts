import { describe, expect, it } from 'vitest';
import { createProgress, formatDuration, formatProgress } from './progress.js';

function fakeStream(isTTY: boolean, columns = 100) {
  const writes: string[] = [];
  return { writes, stream: { write: (t: string) => writes.push(t), isTTY, columns } };
}

describe('formatProgress', () => {
  it('shows percent, rows, rate and ETA, with a bar when asked', () => {
    const state = { bytesRead: 50, bytesTotal: 100, rows: 500_000 };
    expect(formatProgress('members.csv', state, 5, 0)).toBe('members.csv  50%  500,000 rows  100,000 rows/s  ETA 5s');
    expect(formatProgress('m.csv', state, 5, 10)).toBe('m.csv [#####.....]   50%  500,000 rows  100,000 rows/s  ETA 5s');
  });

  it('formats durations for an ETA', () => {
    expect([0, 42, 65, 3600 + 120, Number.NaN, -1].map(formatDuration)).toEqual(['0s', '42s', '1m05s', '1h02m', '?', '?']);
  });
});

describe('createProgress', () => {
  it('shows nothing below minRows', () => {
    const { writes, stream } = fakeStream(true);
    const p = createProgress(stream, { label: 'x', minRows: 10_000, clock: () => 0 });
    p.update({ bytesRead: 1, bytesTotal: 10, rows: 9_999 });
    p.done({ bytesRead: 10, bytesTotal: 10, rows: 9_999 });
    expect(writes).toEqual([]);
  });

  it('on a terminal redraws one line at most every 100 ms and clears it when done', () => {
    let now = 0;
    const { writes, stream } = fakeStream(true);
    const p = createProgress(stream, { label: 'x', minRows: 0, clock: () => now });
    now = 1000;
    p.update({ bytesRead: 1, bytesTotal: 10, rows: 100 });
    now = 1050;
    p.update({ bytesRead: 2, bytesTotal: 10, rows: 200 });
    now = 1200;
    p.update({ bytesRead: 3, bytesTotal: 10, rows: 300 });
    p.done({ bytesRead: 10, bytesTotal: 10, rows: 1000 });
    expect(writes).toHaveLength(3);
    // eslint-disable-next-line no-control-regex -- the progress line starts with the terminal's erase-line sequence
    expect(writes[0]).toMatch(/^\r\x1b\[2Kx \[#+\.+\] +10% {2}100 rows {2}100 rows\/s/);
    expect(writes[1]).toMatch(/30% {2}300 rows/);
    expect(writes[2]).toBe('\r\x1b[2K');
  });

  it('replaces the figures by a status once shown', () => {
    const { writes, stream } = fakeStream(false);
    const p = createProgress(stream, { label: 'x', minRows: 10, clock: () => 0 });
    p.status('committing…');
    p.update({ bytesRead: 1, bytesTotal: 1, rows: 10 });
    p.status('committing…');
    expect(writes).toEqual(['x 100%  10 rows  0 rows/s  ETA 0s\n', 'x committing…\n']);
  });

  it('elsewhere prints a plain line every few seconds and a last one', () => {
    let now = 0;
    const { writes, stream } = fakeStream(false);
    const p = createProgress(stream, { label: 'x', minRows: 0, plainEverySeconds: 5, clock: () => now });
    for (const t of [1000, 2000, 7000, 8000]) {
      now = t;
      p.update({ bytesRead: t, bytesTotal: 10_000, rows: t });
    }
    p.done({ bytesRead: 9000, bytesTotal: 10_000, rows: 9000 });
    expect(writes).toEqual(['x  10%  1,000 rows  1,000 rows/s  ETA 9s\n', 'x  70%  7,000 rows  1,000 rows/s  ETA 3s\n', 'x 100%  9,000 rows  1,125 rows/s  ETA 0s\n']);
  });
});
