import { describe, expect, it } from 'vitest';
import { zonedTime } from '../core/time.js';
import { displayStatus } from './outbox.describe.js';

const SH = 'Asia/Shanghai';
const night = zonedTime(2026, 11, 25, 23, 0, SH).getTime();
const row = (over = {}) => ({ status: 'queued', notBefore: null, deferredUntil: null, deferredWhy: null, ...over });

describe('an outbox row as an operator reads it', () => {
  it('says a deferred row waits and why, with the local time', () => {
    expect(displayStatus(row({ deferredUntil: zonedTime(2026, 11, 26, 8, 30, SH).getTime(), deferredWhy: 'quiet-hours' }), night, SH)).toBe(
      'deferred until 11-26 08:30 (quiet hours)',
    );
    expect(displayStatus(row({ deferredUntil: night + 40_000, deferredWhy: 'retry' }), night, SH)).toBe('deferred until 23:00 (retry after a failed attempt)');
  });
  it('says when a scheduled row goes, and queued once it is due', () => {
    expect(displayStatus(row({ notBefore: night + 3_600_000 }), night, SH)).toBe('scheduled for 11-26 00:00');
    expect(displayStatus(row({ notBefore: night - 1 }), night, SH)).toBe('queued');
    expect(displayStatus(row({ deferredUntil: night - 1, deferredWhy: 'quiet-hours' }), night, SH)).toBe('queued');
  });
  it('leaves settled rows as their status', () => {
    expect(displayStatus(row({ status: 'skipped', deferredUntil: night + 1, deferredWhy: 'quiet-hours' }), night, SH)).toBe('skipped');
  });
});
