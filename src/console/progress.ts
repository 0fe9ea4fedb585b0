/**
 * A progress display for long CLI runs, on stderr so stdout stays the report. On a terminal: one line
 * redrawn in place (bar, percent, rows, rows/s, ETA). Otherwise (a pipe, a log file, CI): a plain
 * line every few seconds. Nothing is shown until `minRows` rows have been read, so small files print
 * no progress at all.
 */

/** Where progress is written (process.stderr or a test double). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressState {
  /** Bytes read of the file, and its size: the fraction done. */
  bytesRead: number;
  bytesTotal: number;
  rows: number;
}

export interface ProgressOptions {
  label: string;
  /** Rows read before anything is shown. Default 10,000. */
  minRows?: number;
  /** Plain mode: seconds between lines. Default 5. */
  plainEverySeconds?: number;
  /** Milliseconds clock (injected for tests). */
  clock?: () => number;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');

/** `1m05s`, `42s`, `1h02m`: a duration for an ETA. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * The text of one progress report. Pure.
 * @example formatProgress('members.csv', { bytesRead: 50, bytesTotal: 100, rows: 500_000 }, 5, 30)
 * // 'members.csv [#######.......]  50%  500,000 rows  100,000 rows/s  ETA 5s'
 */
export function formatProgress(label: string, state: ProgressState, elapsedSeconds: number, barWidth: number): string {
  const fraction = state.bytesTotal > 0 ? Math.min(1, state.bytesRead / state.bytesTotal) : 0;
  const rate = elapsedSeconds > 0 ? state.rows / elapsedSeconds : 0;
  const eta = fraction > 0 ? (elapsedSeconds * (1 - fraction)) / fraction : Number.NaN;
  const parts = [`${String(Math.floor(fraction * 100)).padStart(3)}%`, `${int(state.rows)} rows`, `${int(rate)} rows/s`, `ETA ${formatDuration(eta)}`];
  if (barWidth > 0) {
    const filled = Math.round(fraction * barWidth);
    parts.unshift(`[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]`);
  }
  return `${label} ${parts.join('  ')}`;
}

/** A running progress display. */
export interface Progress {
  update(state: ProgressState): void;
  /** Removes the in-place line (before printing something else on the terminal). */
  clear(): void;
  /** Replaces the figures by a word on what is happening (`committing…`), once shown. */
  status(text: string): void;
  /** Final state: the line is replaced by nothing on a terminal; plain mode prints a last line. */
  done(state: ProgressState): void;
}

/**
 * Creates a progress display on `stream`.
 * @example const p = createProgress(process.stderr, { label: 'members.csv' }); p.update({ bytesRead, bytesTotal, rows })
 */
export function createProgress(stream: ProgressStream, options: ProgressOptions): Progress {
  const clock = options.clock ?? (() => performance.now());
  const minRows = options.minRows ?? 10_000;
  const plainEvery = (options.plainEverySeconds ?? 5) * 1000;
  const tty = Boolean(stream.isTTY);
  const start = clock();
  let shown = false;
  let lastDraw = -Infinity;
  let lineOnScreen = false;

  const line = (state: ProgressState) => {
    const elapsed = (clock() - start) / 1000;
    const plain = formatProgress(options.label, state, elapsed, 0);
    if (!tty) return plain;
    const width = stream.columns ?? 80;
    const bar = Math.min(30, width - 1 - plain.length - 3);
    return bar >= 5 ? formatProgress(options.label, state, elapsed, bar) : plain.slice(0, Math.max(10, width - 1));
  };
  const clear = () => {
    if (tty && lineOnScreen) stream.write('\r\x1b[2K');
    lineOnScreen = false;
  };
  return {
    update(state) {
      if (!shown && state.rows < minRows) return;
      shown = true;
      const now = clock();
      if (now - lastDraw < (tty ? 100 : plainEvery)) return;
      lastDraw = now;
      if (tty) {
        stream.write(`\r\x1b[2K${line(state)}`);
        lineOnScreen = true;
      } else {
        stream.write(`${line(state)}\n`);
      }
    },
    clear,
    status(text) {
      if (!shown) return;
      if (tty) {
        stream.write(`\r\x1b[2K${options.label} ${text}`.slice(0, Math.max(10, (stream.columns ?? 80) - 1)));
        lineOnScreen = true;
      } else {
        stream.write(`${options.label} ${text}\n`);
      }
    },
    done(state) {
      if (!shown) return;
      if (tty) clear();
      else stream.write(`${line({ ...state, bytesRead: state.bytesTotal })}\n`);
    },
  };
}
