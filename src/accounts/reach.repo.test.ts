import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeDb, openDb, type Db } from '../platform/db/client.js';
import { ReachRepo } from './reach.repo.js';

describe('ReachRepo', () => {
  let dir: string;
  let db: Db;
  afterEach(() => {
    closeDb(db);
    rmSync(dir, { recursive: true, force: true });
  });
  const open = () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'reach-'));
    db = openDb(path.join(dir, 'bot.db'));
    return new ReachRepo(db);
  };

  it("keeps each account's list, and says who reaches a target", () => {
    const reach = open();
    reach.replaceAll('hz01', 'contact', ['a', 'b', 'c'], 1);
    reach.replaceAll('hz02', 'contact', ['c', 'd'], 1);
    expect(reach.replaceAll('hz01', 'contact', ['b', 'c', 'e'], 2)).toEqual({ added: 1, removed: 1 });
    reach.noteInbound('hz02', 'contact', 'c', 5);
    const rows = reach.accountsReaching('contact', ['c', 'a']).sort((x, y) => x.account.localeCompare(y.account));
    expect(rows.map((r) => [r.account, r.targetId, r.lastInboundAt])).toEqual([
      ['hz01', 'c', null],
      ['hz02', 'c', 5],
    ]);
    reach.remove('hz02', 'contact', 'c');
    expect(reach.accountsReaching('contact', ['c']).map((r) => r.account)).toEqual(['hz01']);
    reach.add('hz01', 'room', ['r1', 'r2'], 3);
    expect(reach.counts('hz01')).toEqual({ contacts: 3, rooms: 2 });
    expect(reach.counts('nobody')).toEqual({ contacts: 0, rooms: 0 });
  });
});
