import { describe, expect, it } from 'vitest';
import { capabilities } from '../../src/capabilities.js';
import { CampaignsRepo } from '../../src/campaigns/campaigns.repo.js';
import { AuditRepo } from '../../src/console/audit.repo.js';
import { silentLogger } from '../../src/core/logger.js';
import { loadMembershipPlaybook } from '../../src/members/playbook.js';
import { testConfig } from '../support/app.js';
import { useTestApp } from '../support/test-app.js';

const fx = useTestApp('siyu-admin-chat-', (dir, redisUrl) => ({
  config: testConfig(`${dir}/data`, { REDIS_URL: redisUrl, QUEUE_PREFIX: 'admin-chat', INBOUND_MAX_AGE_SECONDS: '0' }),
  logger: silentLogger(),
  capabilities,
}));
const HELP = loadMembershipPlaybook('sop/membership.yaml').texts.help;

/** Says `text` privately as `who` and waits for the bot's answer to them. */
async function ask(who: string, text: string, match: (t: string) => boolean = () => true): Promise<string> {
  const since = fx.world.sent.length;
  await fx.world.memberSays(who, text);
  const m = await fx.world.waitForBotMessage((x) => x.target.id === who && fx.world.sent.indexOf(x) >= since && match(x.text), 20_000);
  return m.text;
}

describe('admin chat commands in the simulated world', () => {
  it('answers 今日 to the community admin with the day at a glance, and audits it', async () => {
    const text = await ask('admin-hz01', '今日', (t) => t.startsWith('【今日概况】'));
    expect(text).toMatch(/3\+3\+3/);
    expect(text).toMatch(/待回复：\d+ 个/);
    expect(text).toMatch(/今日发送：已发 \d+/);
    // member-day is scheduled for Friday, not running: 今日 says so.
    expect(text).toMatch(/▸ 活动：进行中 0，已排期 [1-9]\d*，已暂停 0/);
    expect(new AuditRepo(fx.app.db).recent()[0]).toMatchObject({ actor: 'chat:admin-hz01', channel: 'chat', action: 'chat.today', result: 'ok' });
  });

  it('lists campaigns and pauses and resumes one for the store manager, as the store shows', async () => {
    const repo = new CampaignsRepo(fx.app.db);
    expect(repo.get('member-day')?.status).toBe('scheduled');
    const list = await ask('mgr-hz01', '活动', (t) => t.startsWith('【活动列表】'));
    expect(list).toContain('member-day');
    const paused = await ask('mgr-hz01', '暂停活动 member-day', (t) => t.includes('member-day'));
    expect(paused).toMatch(/^✅ 已暂停活动 member-day/);
    expect(repo.get('member-day')?.status).toBe('paused');
    expect(repo.transitions('member-day').at(-1)).toMatchObject({ from: 'scheduled', to: 'paused', by: 'chat:mgr-hz01' });
    const again = await ask('mgr-hz01', '暂停活动 member-day', (t) => t.includes('member-day'));
    expect(again).toMatch(/^未能暂停活动 member-day/);
    expect(new AuditRepo(fx.app.db).recent()[0]).toMatchObject({ actor: 'chat:mgr-hz01', action: 'chat.pause', target: 'member-day', result: expect.stringMatching(/^refused: /) });
    await ask('mgr-hz01', '恢复活动 member-day', (t) => t.includes('member-day'));
    expect(repo.get('member-day')?.status).toBe('scheduled');
    expect(await ask('mgr-hz01', '暂停活动', (t) => t.includes('编号'))).toContain('暂停活动 member-day');
  });

  it('looks a member up by phone or name with the phone masked', async () => {
    const byPhone = await ask('admin-hz01', '查会员 13800000001', (t) => t.startsWith('【查会员】'));
    expect(byPhone).toContain('张丽娜');
    expect(byPhone).toContain('138****0001');
    expect(byPhone).not.toContain('13800000001 ');
    // Tiers and stores by the names people use, not their codes.
    expect(byPhone).toMatch(/ · 普卡 · /);
    expect(byPhone).not.toMatch(/regular|silver|gold/);
    expect(byPhone).toContain('门店 杭州湖滨店');
    expect(byPhone).toMatch(/导购 (王晓燕|李静|赵婷婷|孙佳怡) /);
    const byName = await ask('admin-hz01', '查会员 刘芳', (t) => t.startsWith('【查会员】'));
    expect(byName).toContain('138****0002');
  });

  it("answers the waiting list with the SLA's own list text", async () => {
    const text = await ask('admin-hz01', '待回复');
    expect(text.length).toBeGreaterThan(0);
    expect(new AuditRepo(fx.app.db).recent()[0]).toMatchObject({ action: 'chat.waiting', result: 'ok' });
  });

  it('gives a member who writes an admin command the member help only, once, and audits the attempt', async () => {
    const repo = new CampaignsRepo(fx.app.db);
    const before = repo.get('member-day')?.status;
    const since = fx.world.sent.length;
    const text = await ask('m005', '暂停活动 member-day');
    expect(text).toBe(HELP);
    expect(repo.get('member-day')?.status).toBe(before);
    expect(new AuditRepo(fx.app.db).recent()[0]).toMatchObject({
      actor: 'chat:m005',
      channel: 'chat',
      action: 'chat.pause',
      target: 'member-day',
      result: 'refused: not an admin (not on the staff roster); member help sent',
    });
    // a second attempt within AUTO_REPLY_REPEAT_MINUTES is audited but not answered again: the same
    // help to the same person once per window (帮助, a command, is answered as always)
    await fx.world.memberSays('m005', '今日');
    expect(await ask('m005', '帮助')).toBe(HELP);
    await fx.app.ingest.idle();
    await expect
      .poll(() => fx.app.db.$client.prepare("select count(*) from outbox where target_id = 'm005' and status in ('queued', 'sending')").pluck().get(), { timeout: 10_000 })
      .toBe(0);
    expect(
      fx.world.sent
        .slice(since)
        .filter((m) => m.target.id === 'm005')
        .map((m) => m.text),
    ).toEqual([HELP, HELP]);
    expect(new AuditRepo(fx.app.db).recent().find((a) => a.actor === 'chat:m005' && a.action === 'chat.today')).toMatchObject({
      result: 'refused: not an admin (not on the staff roster); member help already sent recently, not repeated',
    });
  });

  it('gives a guide the member help instead of the admin answer, once', async () => {
    const since = fx.world.sent.length;
    expect(await ask('guide-hz01-01', '活动')).toBe(HELP);
    await fx.app.ingest.idle();
    await expect
      .poll(() => fx.app.db.$client.prepare("select count(*) from outbox where target_id = 'guide-hz01-01' and status in ('queued', 'sending')").pluck().get(), { timeout: 10_000 })
      .toBe(0);
    expect(fx.world.sent.slice(since).filter((m) => m.target.id === 'guide-hz01-01')).toHaveLength(1);
    expect(new AuditRepo(fx.app.db).recent()[0]).toMatchObject({ actor: 'chat:guide-hz01-01', result: 'refused: not an admin (guide); member help sent' });
  });
});
