import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadSeed } from './seed.js';
import { jitter, nextTrafficEvent, seededRandom, startTraffic, type TrafficEvent } from './traffic.js';

const seed = loadSeed();

describe('nextTrafficEvent', () => {
  it('only lets people talk in groups they are in, and members talk privately to the bot', () => {
    const random = seededRandom(7);
    const events = Array.from({ length: 500 }, () => nextTrafficEvent(seed, random)).filter((e): e is TrafficEvent => e !== null);
    expect(events.length).toBeGreaterThan(450);
    for (const e of events) {
      if (e.roomId === null) {
        expect(seed.members.map((m) => m.id)).toContain(e.talkerId);
        continue;
      }
      const room = seed.rooms.find((r) => r.id === e.roomId)!;
      expect([...room.memberIds, ...room.staffIds]).toContain(e.talkerId);
    }
    expect(events.some((e) => e.roomId === null)).toBe(true);
    expect(events.some((e) => e.talkerId.startsWith('guide-'))).toBe(true);
    expect(events.some((e) => e.text.includes('？'))).toBe(true);
  });

  it('replays the same traffic from the same seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const run = (r: () => number) => Array.from({ length: 20 }, () => nextTrafficEvent(seed, r));
    expect(run(a)).toEqual(run(b));
  });
});

describe('startTraffic', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('emits once per jittered interval until stopped', () => {
    vi.useFakeTimers();
    const emitted: TrafficEvent[] = [];
    const stop = startTraffic({ seed, intervalMs: 1000, random: seededRandom(1), emit: (e) => emitted.push(e) });
    vi.advanceTimersByTime(15_000);
    expect(emitted.length).toBeGreaterThanOrEqual(10);
    expect(emitted.length).toBeLessThanOrEqual(30);
    stop();
    const count = emitted.length;
    vi.advanceTimersByTime(60_000);
    expect(emitted).toHaveLength(count);
  });

  it('jitters by ±50 %', () => {
    expect(jitter(1000, () => 0)).toBe(500);
    expect(jitter(1000, () => 0.999)).toBe(1499);
  });
});
