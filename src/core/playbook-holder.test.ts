import { readFileSync, writeFileSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/harness.js';
import { SOP_DIR } from '../capabilities.js';
import { loadFriendsPlaybook } from '../friends/playbook.js';
import { loadGroupsPlaybook } from '../groups/playbook.js';
import { PlaybookHolder } from './playbook-holder.js';

const tmp = tempDir('siyu-playbook-reload-');
afterAll(() => tmp.remove());

/** Writes the file and moves its mtime on, so a same-size edit within one clock tick is still seen. */
function write(file: string, text: string, mtimeS: number): void {
  writeFileSync(file, text);
  utimesSync(file, mtimeS, mtimeS);
}

/** A shipped playbook, a numeric setting in it, how to read that setting, and an invalid value for it. */
const cases = [
  {
    name: 'friends',
    load: loadFriendsPlaybook,
    field: 'dailyCap',
    read: (p: ReturnType<typeof loadFriendsPlaybook>) => p.accept.dailyCap,
    error: /friends\.yaml: accept\.dailyCap/u,
  },
  {
    name: 'groups',
    load: loadGroupsPlaybook,
    field: 'batchSize',
    read: (p: ReturnType<typeof loadGroupsPlaybook>) => p.welcome.batchSize,
    error: /groups\.yaml: welcome\.batchSize/u,
  },
] as const;

describe('a playbook while the bot runs', () => {
  it.each(cases)('$name: picks up an edit within the check interval and keeps the last good version after a bad edit', ({ name, load, field, read, error }) => {
    const file = path.join(tmp.dir, `${name}.yaml`);
    const shipped = readFileSync(path.join(SOP_DIR, `${name}.yaml`), 'utf8');
    const setting = new RegExp(`${field}:\\s*\\d+`, 'u');
    expect(shipped).toMatch(setting);
    write(file, shipped, 1_000);
    const holder = new PlaybookHolder<{ readonly file: string }>(file, { load, name });
    let t = 1_800_000_000_000;
    const value = () => read(holder.fresh(t) as never);
    const before = value();

    write(file, shipped.replace(setting, `${field}: ${before + 7}`), 2_000);
    t += 5_000;
    expect(value()).toBe(before); // not checked again yet
    t += 5_000;
    expect(value()).toBe(before + 7);

    write(file, shipped.replace(setting, `${field}: lots`), 3_000);
    t += 10_000;
    expect(value()).toBe(before + 7);
    expect(holder.reload()).toMatchObject({ ok: false, error: expect.stringMatching(error) });
  });
});
