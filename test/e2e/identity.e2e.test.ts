import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SOP_DIR } from '../../src/capabilities.js';
import { silentLogger } from '../../src/core/logger.js';
import { runDoctor } from '../../src/members/doctor.js';
import { runImport } from '../../src/members/import/engine.js';
import type { ImportKindName } from '../../src/members/import/types.js';
import { membersCapability } from '../../src/members/members.capability.js';
import { loadMembershipPlaybook } from '../../src/members/playbook.js';
import { slaCapability } from '../../src/sla/sla.capability.js';
import { fastPlaybookYaml } from '../../src/sla/testing.js';
import { testConfig } from '../support/app.js';
import { useTestApp } from '../support/test-app.js';

const GUIDE_B = 'guide-hz01-03';
const MANAGER = 'mgr-hz01';

const fx = useTestApp('siyu-identity-e2e-', (dir, redisUrl) => {
  const sla = path.join(dir, 'sla.yaml');
  writeFileSync(
    sla,
    fastPlaybookYaml(readFileSync('sop/sla.yaml', 'utf8'), [
      ['2s', 'owner-guide'],
      ['30s', 'store-manager'],
    ]),
  );
  return {
    config: testConfig(path.join(dir, 'data'), { REDIS_URL: redisUrl, QUEUE_PREFIX: 'identity' }),
    logger: silentLogger(),
    capabilities: [membersCapability(path.join(SOP_DIR, 'membership.yaml')), slaCapability(sla)],
  };
});

const playbook = loadMembershipPlaybook(path.join(SOP_DIR, 'membership.yaml'));
let n = 0;
/** Imports a CSV the way `npm run cli -- import KIND FILE` does, into the running bot's store. */
async function importCsv(kind: ImportKindName, text: string) {
  const file = path.join(fx.tmp.dir, `${kind}-${n++}.csv`);
  writeFileSync(file, text);
  const r = await runImport(fx.app.db, { kind, file, timeZone: 'Asia/Shanghai', now: new Date(), playbook });
  expect(r.issues).toEqual([]);
  return r;
}
const memberCount = () => fx.app.db.$client.prepare('select count(*) from members').pluck().get() as number;
const reply = (who: string, match: RegExp) => fx.world.waitForBotMessage((m) => m.target.id === who && match.test(m.text), 20_000);
const contactOf = (phone: string) => fx.app.db.$client.prepare('select contact_id from members where phone = ?').pluck().get(phone) as string | null;

describe('one person, one record: imported members in the simulated world', () => {
  it("members imported with a 微信ID column: that contact's 积分 shows the points of orders imported by phone; no new record", async () => {
    // m040 (程丽) and m041 (苏婧) are in the world but not yet in the store: the brand's CRM export.
    await importCsv(
      'members',
      '手机号,姓名,门店,导购,生日,微信ID\n13800000040,程丽,HZ01,guide-hz01-02,,m040\n13800000041,苏婧,HZ01,guide-hz01-03,1992-03-08,\n' +
        '13800000043,吕燕,HZ01,guide-hz01-03,1988-11-02,\n',
    );
    await importCsv('orders', '订单号,手机号,实付金额,下单时间,门店\nID-0001,13800000040,1280.00,2026-11-20 14:00,HZ01\nID-0002,13800000041,560.00,2026-11-21 15:00,HZ01\n');
    const count = memberCount();

    await fx.world.memberSays('m040', '积分');
    const points = await reply('m040', /积分/);
    expect(points.text).toMatch(/^程丽，您的积分：128/);
    expect(memberCount()).toBe(count);
  });

  it('an imported member without a contact id writes 入会, gives the phone and the birthday, is bound, and 积分 shows the imported points; the phone alone binds no one', async () => {
    const count = memberCount();
    // Someone who knows 吕燕's phone but not her birthday.
    await fx.world.memberSays('m042', '入会');
    await reply('m042', /请回复您的手机号/);
    await fx.world.memberSays('m042', '13800000043');
    await reply('m042', /尾号0043.*请回复登记的生日/);
    for (const guess of ['01-01', '06-15', '12-24']) await fx.world.memberSays('m042', guess);
    await reply('m042', /暂时无法确认是您本人/);
    await fx.world.waitForBotMessage((m) => m.target.id === MANAGER && /会员绑定提醒.*尾号0043.*身份验证未通过/.test(m.text), 20_000);
    expect(contactOf('13800000043')).toBeNull();

    await fx.world.memberSays('m041', '入会');
    await reply('m041', /请回复您的手机号/);
    await fx.world.memberSays('m041', '我的手机 138 0000 0041');
    await reply('m041', /请回复登记的生日/);
    await fx.world.memberSays('m041', '3月8日');
    await reply('m041', /已为您绑定会员（尾号0041）/);
    expect(contactOf('13800000041')).toBe('m041');
    await fx.world.memberSays('m041', '积分');
    const points = await reply('m041', /^苏婧，您的积分/);
    expect(points.text).toMatch(/积分：56/);
    expect(memberCount()).toBe(count);
    expect(runDoctor(fx.app.db)).toEqual({ ok: true, problems: [] });
  });

  it('a private question from a bound member alerts their own guide', async () => {
    await fx.world.memberSays('m041', '请问这周会员日有什么活动？');
    const alert = await fx.world.waitForBotMessage((m) => m.target.id === GUIDE_B && m.text.includes('苏婧'), 20_000);
    expect(alert.text).toMatch(/请问这周会员日有什么活动/);
    // The binding answers (a phone, a birthday) opened no question: only the real one is on record for 苏婧.
    expect(fx.app.db.$client.prepare("select preview, guide_code as guide from sla_questions where member_id = 'm041'").all()).toEqual([
      { preview: '请问这周会员日有什么活动？', guide: GUIDE_B },
    ]);
  });
});
