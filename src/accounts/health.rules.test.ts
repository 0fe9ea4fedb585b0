import { describe, expect, it } from 'vitest';
import { healthOk } from './health.rules.js';

describe('healthOk', () => {
  it('is ok with the store and Redis fine and any one enabled account online, whichever it is', () => {
    expect(healthOk({ redisOk: true, dbOk: true, states: ['offline', 'online', 'disabled'] })).toBe(true);
    expect(healthOk({ redisOk: true, dbOk: true, states: ['online'] })).toBe(true);
  });

  it('is not ok with no account online (a disabled one does not count), or with Redis or the store down', () => {
    expect(healthOk({ redisOk: true, dbOk: true, states: ['offline', 'disabled'] })).toBe(false);
    expect(healthOk({ redisOk: true, dbOk: true, states: [] })).toBe(false);
    expect(healthOk({ redisOk: false, dbOk: true, states: ['online'] })).toBe(false);
    expect(healthOk({ redisOk: true, dbOk: false, states: ['online'] })).toBe(false);
  });
});
