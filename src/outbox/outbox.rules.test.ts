import { describe, expect, it } from 'vitest';
import { parseWindow, zonedTime } from '../core/time.js';
import { decideSend, sendGap, type SendFacts, type SendPolicy } from './outbox.rules.js';

const SH = 'Asia/Shanghai';
const policy: SendPolicy = { timezone: SH, quietHours: parseWindow('21:30-08:30')!, marketingCapPerDay: 1 };
const noon = zonedTime(2026, 11, 25, 12, 0, SH).getTime();
const night = zonedTime(2026, 11, 25, 23, 0, SH).getTime();
const facts = (over: Partial<SendFacts> = {}): SendFacts => ({
  purpose: 'campaign',
  targetKind: 'contact',
  notBefore: null,
  expiresAt: null,
  optedOut: false,
  marketingSentToday: 0,
  ...over,
});

describe('sender rules', () => {
  it('sends marketing in the daytime under the cap', () => {
    expect(decideSend(facts(), noon, policy)).toEqual({ action: 'send' });
  });
  it('defers marketing in quiet hours to 08:30 the next morning', () => {
    expect(decideSend(facts(), night, policy)).toEqual({ action: 'defer', until: zonedTime(2026, 11, 26, 8, 30, SH).getTime(), why: 'quiet-hours', expiresAt: null });
  });
  it('sends replies and alerts in quiet hours, to opted-out members and over the cap', () => {
    for (const purpose of ['reply', 'alert', 'staff-prompt'] as const) {
      expect(decideSend(facts({ purpose, optedOut: true, marketingSentToday: 9 }), night, policy)).toEqual({ action: 'send' });
    }
  });
  it('skips marketing to an opted-out member with the reason', () => {
    expect(decideSend(facts({ optedOut: true }), noon, policy)).toEqual({ action: 'skip', reason: 'opted-out' });
  });
  it('skips marketing over the per-member daily cap', () => {
    expect(decideSend(facts({ marketingSentToday: 1 }), noon, policy)).toMatchObject({ action: 'skip', reason: expect.stringContaining('member-cap') });
  });
  it('does not apply member caps to group posts', () => {
    expect(decideSend(facts({ targetKind: 'room', marketingSentToday: 5 }), noon, policy)).toEqual({ action: 'send' });
  });
  it('expires what can no longer go in time, never sends late', () => {
    expect(decideSend(facts({ expiresAt: noon }), noon, policy)).toMatchObject({ action: 'expire' });
  });
  it('defers marketing in quiet hours with its expiry moved, never expires it for the quiet hours', () => {
    const morning = zonedTime(2026, 11, 26, 8, 30, SH).getTime();
    expect(decideSend(facts({ expiresAt: night + 3_600_000 }), night, policy)).toEqual({ action: 'defer', until: morning, why: 'quiet-hours', expiresAt: morning + 3_600_000 });
    expect(decideSend(facts({ expiresAt: null }), night, policy)).toMatchObject({ action: 'defer', expiresAt: null });
  });
  it('records an opted-out member as skipped even when the message also expired', () => {
    expect(decideSend(facts({ optedOut: true, expiresAt: noon - 1 }), noon, policy)).toEqual({ action: 'skip', reason: 'opted-out' });
  });
  it('waits for not-before', () => {
    expect(decideSend(facts({ purpose: 'reply', notBefore: noon + 1000 }), noon, policy)).toEqual({ action: 'defer', until: noon + 1000, why: 'not-before' });
  });
  it('draws the gap between min and max', () => {
    expect(sendGap(1000, 3000, () => 0)).toBe(1000);
    expect(sendGap(1000, 3000, () => 0.5)).toBe(2000);
    expect(sendGap(1000, 3000, () => 0.999999)).toBe(3000);
  });
});
