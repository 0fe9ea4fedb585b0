import { readFileSync, writeFileSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/harness.js';
import { PlaybookHolder } from '../core/playbook-holder.js';
import { SOP_DIR } from '../capabilities.js';
import { loadFriendsPlaybook, type FriendsPlaybook } from './playbook.js';

const tmp = tempDir('siyu-friends-reload-');
afterAll(() => tmp.remove());

/** Writes the file and moves its mtime on, so a same-size edit within one clock tick is still seen. */
function write(file: string, text: string, mtimeS: number): void {
  writeFileSync(file, text);
  utimesSync(file, mtimeS, mtimeS);
}

describe('the friends playbook while the bot runs', () => {
  it('picks up an edit within the check interval and keeps the last good version after a bad edit', () => {
    const file = path.join(tmp.dir, 'friends.yaml');
    const shipped = readFileSync(path.join(SOP_DIR, 'friends.yaml'), 'utf8');
    write(file, shipped, 1_000);
    const holder = new PlaybookHolder<FriendsPlaybook>(file, { load: loadFriendsPlaybook, name: 'friends playbook' });
    const t0 = 1_800_000_000_000;
    const cap = holder.fresh(t0).accept.dailyCap;

    write(file, shipped.replace(/dailyCap:\s*\d+/u, `dailyCap: ${cap + 7}`), 2_000);
    expect(holder.fresh(t0 + 5_000).accept.dailyCap).toBe(cap); // not checked again yet
    expect(holder.fresh(t0 + 10_000).accept.dailyCap).toBe(cap + 7);

    write(file, shipped.replace(/dailyCap:\s*\d+/u, 'dailyCap: lots'), 3_000);
    expect(holder.fresh(t0 + 20_000).accept.dailyCap).toBe(cap + 7);
    expect(holder.reload()).toMatchObject({ ok: false, error: expect.stringMatching(/friends\.yaml: accept\.dailyCap/u) });
  });
});
