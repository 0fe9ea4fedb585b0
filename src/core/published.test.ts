import { describe, expect, it } from 'vitest';
import { Published, publishedKey } from './published.js';

const SERVICE = publishedKey<{ answer(): number }>('the service');

describe('Published (what capabilities publish for the admin commands and the console)', () => {
  it('gives every reader the one instance the owner published, until the owner withdraws it', () => {
    const board = new Published();
    const service = { answer: () => 42 };
    const withdraw = board.publish(SERVICE, service);
    expect(board.get(SERVICE)).toBe(service);
    expect(board.find(SERVICE)?.answer()).toBe(42);
    withdraw();
    expect(board.find(SERVICE)).toBeUndefined();
  });

  it('names what is missing, and refuses a second owner', () => {
    const board = new Published();
    expect(() => board.get(SERVICE)).toThrow('nothing publishes "the service": install the capability that owns it (src/capabilities.ts)');
    board.publish(SERVICE, { answer: () => 1 });
    expect(() => board.publish(SERVICE, { answer: () => 2 })).toThrow('"the service" is already published: one capability owns it');
    expect(board.get(SERVICE).answer()).toBe(1);
  });
});
