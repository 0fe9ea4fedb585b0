import { describe, expect, it } from 'vitest';
import { capabilities } from '../../src/capabilities.js';
import { AuditRepo } from '../../src/console/audit.repo.js';
import { silentLogger } from '../../src/core/logger.js';
import { loadMembershipPlaybook } from '../../src/members/playbook.js';
import { testConfig } from '../support/app.js';
import { useTestApp } from '../support/test-app.js';

const fx = useTestApp('siyu-repeat-', (dir, redisUrl) => ({
  config: testConfig(`${dir}/data`, { REDIS_URL: redisUrl, QUEUE_PREFIX: 'repeat', INBOUND_MAX_AGE_SECONDS: '0' }),
  logger: silentLogger(),
  capabilities,
}));
const T = loadMembershipPlaybook('sop/membership.yaml').texts;

/**
 * `who` writes `text` privately `times` times, then a command that is always answered (`帮助`, or
 * `end`). Once that answer has arrived, everything sent before it has been handled: returns what the
 * bot sent `who` meanwhile.
 */
async function flood(who: string, text: string, times: number, end = { say: '帮助', answer: (t: string) => t === T.help }): Promise<string[]> {
  const since = fx.world.sent.length;
  for (let i = 0; i < times; i++) await fx.world.memberSays(who, text);
  await fx.world.memberSays(who, end.say);
  await fx.world.waitForBotMessage((x) => x.target.id === who && fx.world.sent.indexOf(x) >= since && end.answer(x.text), 30_000);
  const mine = fx.world.sent
    .slice(since)
    .filter((x) => x.target.id === who)
    .map((x) => x.text);
  let last = mine.length - 1;
  while (last >= 0 && !end.answer(mine[last]!)) last -= 1;
  return mine.slice(0, last);
}

describe('the same automatic answer to the same person, at most once per window', () => {
  it('a member who sends the same unknown text 20 times gets one hint', async () => {
    const got = await flood('m001', '在吗在吗', 20);
    expect(got).toEqual([T.helpHint]);
  }, 60_000);

  it('someone who is not a member and sends 积分 20 times is told once that they are not a member', async () => {
    const got = await flood('m040', '积分', 20);
    expect(got).toEqual([T.notMember]);
  }, 60_000);

  it('a guide who writes an admin command 20 times gets the member help once; every attempt is audited', async () => {
    const got = await flood('guide-hz01-02', '今日', 20, { say: '我的进度', answer: (t) => t !== T.help });
    expect(got).toEqual([T.help]);
    const refused = new AuditRepo(fx.app.db).recent(100).filter((a) => a.action === 'chat.today' && /^refused: not an admin/.test(a.result));
    expect(refused).toHaveLength(20);
    expect(refused.filter((a) => a.result.endsWith('member help sent'))).toHaveLength(1);
  }, 60_000);

  it('commands are never held back: 积分 twice from a member gets two answers', async () => {
    const since = fx.world.sent.length;
    await fx.world.memberSays('m002', '积分');
    await fx.world.memberSays('m002', '积分');
    await fx.world.waitForBotMessage((x) => x.target.id === 'm002' && fx.world.sent.filter((y, i) => i >= since && y.target.id === 'm002').length >= 2, 30_000);
    const answers = fx.world.sent.slice(since).filter((x) => x.target.id === 'm002');
    expect(answers).toHaveLength(2);
    expect(answers[0]!.text).toMatch(/积分/);
  }, 60_000);
});
