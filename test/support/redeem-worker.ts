/**
 * A separate process that redeems a reward many times for one member, for the cross-process
 * consistency test: `node --import tsx test/support/redeem-worker.ts <dbFile> <memberId> <reward> <count> <prefix>`.
 * Prints `{"ok":n,"refused":m}`.
 */
import { openDb } from '../../src/platform/db/client.js';
import { MembersRepo } from '../../src/members/members.repo.js';
import { shippedPlaybook } from '../../src/members/testing.js';

const [dbFile, memberId, reward, count, prefix] = process.argv.slice(2);
const db = openDb(dbFile!);
const repo = new MembersRepo(db);
const pb = shippedPlaybook();
let ok = 0;
let refused = 0;
for (let i = 0; i < Number(count); i++) {
  const r = repo.redeem(Number(memberId), reward!, `redeem:${prefix}-${i}`, pb, Date.now());
  if (r.ok) ok++;
  else refused++;
}
process.stdout.write(JSON.stringify({ ok, refused }));
db.$client.close();
