import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { log as wechatyLog } from 'wechaty-puppet';
import type { Logger } from '../../core/logger.js';
import type { WechatyEdge, WechatyEdgeEvents } from './edge.js';

/** Test helpers for the Wechaty edge and the world. Not used by production code. */

/** A log line as pino wrote it. */
export type LogLine = Record<string, unknown> & { msg?: string; level: number };

/** A pino logger that keeps every line and lets a test wait for one. */
export function recordingLogger(level = 'debug'): { logger: Logger; lines: LogLine[]; waitFor: (match: (l: LogLine) => boolean, timeoutMs?: number) => Promise<LogLine> } {
  const lines: LogLine[] = [];
  const waiters = new Set<(l: LogLine) => void>();
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const text of String(chunk).split('\n')) {
        if (!text) continue;
        const line = JSON.parse(text) as LogLine;
        lines.push(line);
        for (const w of waiters) w(line);
      }
      cb();
    },
  });
  const logger = pino({ level }, stream);
  const waitFor = (match: (l: LogLine) => boolean, timeoutMs = 30_000) =>
    new Promise<LogLine>((resolve, reject) => {
      const seen = lines.find(match);
      if (seen) return resolve(seen);
      const timer = setTimeout(() => {
        waiters.delete(w);
        reject(new Error('no matching log line in time'));
      }, timeoutMs);
      const w = (l: LogLine) => {
        if (!match(l)) return;
        clearTimeout(timer);
        waiters.delete(w);
        resolve(l);
      };
      waiters.add(w);
    });
  return { logger, lines, waitFor };
}

/**
 * Quiets Wechaty's own console logger (brolog) and points HOME at a fresh temp dir, so nothing a
 * Wechaty package might keep under `~/.wechaty/` touches the real home (the edge itself turns
 * puppet-service's LevelDB cache off).
 * @returns a function restoring HOME and removing the dir.
 */
export function isolateWechaty(): () => void {
  const previous = process.env.HOME;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'siyu-wechaty-'));
  process.env.HOME = dir;
  wechatyLog.level('silent');
  return () => {
    process.env.HOME = previous;
    rmSync(dir, { recursive: true, force: true });
  };
}

/** Resolves with the arguments of the edge's next `event`; rejects after `timeoutMs`. */
export function nextEvent<E extends keyof WechatyEdgeEvents>(edge: WechatyEdge, event: E, timeoutMs = 30_000): Promise<WechatyEdgeEvents[E]> {
  return new Promise((resolve, reject) => {
    const l = (...args: WechatyEdgeEvents[E]) => {
      clearTimeout(timer);
      edge.off(event, l);
      resolve(args);
    };
    const timer = setTimeout(() => {
      edge.off(event, l);
      reject(new Error(`no "${event}" event within ${timeoutMs} ms`));
    }, timeoutMs);
    edge.on(event, l);
  });
}
