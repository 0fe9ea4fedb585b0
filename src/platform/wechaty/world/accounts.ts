import type { WorldSeed, SeedContact } from './seed.js';

/** One bot account the world hosts: who it is and whom it reaches. */
export interface WorldAccountLayout {
  /** The registry's account id (`hz01-assistant`). */
  id: string;
  /** The contact the account logs in as. */
  bot: SeedContact;
  /** Contacts that are its friends (staff and members). */
  friends: string[];
  /** Groups it is in. */
  rooms: string[];
}

/**
 * How the demo's people spread over `ids` accounts: the first logs in as the seed's bot. With one
 * account it reaches everyone and every group (the world as it always was). With more, member i is a
 * friend of account i mod n, and every fourth member also of the next account (friends of two); staff
 * are friends of all; group j has account j mod n, and the first group has every account. Pure.
 * @example splitSeed(seed, ['hz01-assistant', 'hz02-assistant', 'hq'])
 */
export function splitSeed(seed: WorldSeed, ids: readonly string[]): WorldAccountLayout[] {
  const n = ids.length;
  const staff = seed.staff.map((s) => s.id);
  return ids.map((id, k) => {
    const bot = k === 0 ? seed.bot : { id: `wxid_siyu_${id.replace(/[^A-Za-z0-9_-]/g, '_')}`, name: `${seed.bot.name.replace(/小思$/u, '')}${id}` };
    if (n === 1) return { id, bot, friends: [...staff, ...seed.members.map((m) => m.id)], rooms: seed.rooms.map((r) => r.id) };
    const friends = seed.members.filter((_, i) => i % n === k || (i % 4 === 0 && (i + 1) % n === k)).map((m) => m.id);
    const rooms = seed.rooms.filter((_, j) => j === 0 || j % n === k).map((r) => r.id);
    return { id, bot, friends: [...staff, ...friends], rooms };
  });
}
