/**
 * Member commands end to end through the router: `积分` and `兑换 C001` from many members, each
 * answered through the real outbox (SQLite row + BullMQ job; the sender is not started, i.e. a null
 * sender). Target: ≥ 5,000 commands/s. Run alone: `npx tsx scripts/bench/members.ts [--n 20000]`.
 */
import { pathToFileURL } from 'node:url';
import { creditOrder } from '../../src/members/ledger.js';
import { insertMember, shippedPlaybook } from '../../src/members/testing.js';
import { membersWorld } from '../../test/support/members.js';
import { tempDir } from '../../test/support/harness.js';
import { startTestRedis } from '../../test/support/redis.js';

export interface MemberCommandsBenchResult {
  members: number;
  pointsPerSec: number;
  redeemPerSec: number;
  commands: number;
}

const BURST = 500;

async function timed(n: number, send: (i: number) => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i += BURST) {
    await Promise.all(Array.from({ length: Math.min(BURST, n - i) }, (_, k) => send(i + k)));
  }
  return n / ((performance.now() - t0) / 1000);
}

/** Runs the member-command benchmark with `n` commands of each kind over `members` members. */
export async function benchMemberCommands(n = 20_000, members = 2_000, redisUrl?: string): Promise<MemberCommandsBenchResult> {
  const redis = redisUrl ? null : await startTestRedis();
  const tmp = tempDir('siyu-bench-members-');
  const w = await membersWorld({ redisUrl: redisUrl ?? redis!.url, dir: tmp.dir });
  try {
    const playbook = shippedPlaybook();
    const now = w.clock.now().getTime();
    w.db.$client.transaction(() => {
      for (let i = 0; i < members; i++) {
        const id = insertMember(w.db, { contactId: `c${i}`, name: `会员${i}`, referralCode: `B${String(i).padStart(7, '0')}` }, now);
        creditOrder(w.db, playbook, { orderId: `o${i}`, memberId: id, amountFen: 500_000, orderedAt: now }, now);
      }
    })();
    const pointsPerSec = await timed(n, (i) => w.say(`c${i % members}`, '积分'));
    const redeemPerSec = await timed(n, (i) => w.say(`c${i % members}`, '兑换 C001'));
    return { members, pointsPerSec, redeemPerSec, commands: 2 * n };
  } finally {
    await w.close();
    await redis?.stop();
    tmp.remove();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf('--n');
  const n = i > 0 ? Number(process.argv[i + 1]) : 20_000;
  benchMemberCommands(n).then(
    (r) => {
      console.log(`member commands over ${r.members} members: 积分 ${Math.round(r.pointsPerSec)}/s, 兑换 ${Math.round(r.redeemPerSec)}/s (target ≥ 5,000/s)`);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
