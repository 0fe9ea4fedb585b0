/**
 * The dashboard in a real browser: the bot runs on its embedded defaults (the simulated world, a real
 * redis-server), the world produces a morning's data (3+3+3 cards and check-ins, questions and a
 * late answer, a campaign occurrence and a reply to it, a wake-up run, group chatter), then headless
 * Chromium (Debian's `chromium` through playwright-core) logs in, opens every page, checks that each
 * chart rendered with data, takes a screenshot of each page into data/screenshots/, and pauses the
 * campaign with its button.
 *
 * Chromium: CHROMIUM_PATH, else /usr/bin/chromium. Missing: the test fails when CI is set (.ci/run
 * installs it) and is skipped with a message otherwise.
 */
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { capabilitiesFor } from '../../src/capabilities.js';
import { loadGuidePlaybook } from '../../src/guide-sop/playbook.js';
import { CAMPAIGN_TICK } from '../../src/campaigns/campaigns.jobs.js';
import { CampaignsRepo } from '../../src/campaigns/campaigns.repo.js';
import type { Clock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { localParts, zonedTime } from '../../src/core/time.js';
import { isolateWechaty } from '../../src/platform/wechaty/testing.js';
import { selectScheduleName } from '../../src/wakeup/wakeup.capability.js';
import { PAGES } from '../../src/console/http/pages/layout.js';
import { testConfig } from '../support/app.js';
import { tempDir } from '../support/harness.js';
import { useTestRedis } from '../support/redis-fixture.js';

const SH = 'Asia/Shanghai';
const SECRET = 'browser-test-secret-0123456789';
const SHOTS = path.resolve('data/screenshots');
const executablePath = process.env['CHROMIUM_PATH'] || '/usr/bin/chromium';
const haveChromium = existsSync(executablePath);

if (!haveChromium && !process.env['CI']) {
  console.warn(`dashboard browser test skipped: no Chromium at ${executablePath} (apt-get install chromium fonts-noto-cjk, or set CHROMIUM_PATH)`);
}

/** Real time moved to 10:00:30 today in Shanghai, so the morning's routines have run; `advance` moves it on. */
function morning(): Clock & { slot(hhmm: string): Date; advance(ms: number): void } {
  const p = localParts(new Date(), SH);
  let offset = zonedTime(p.year, p.month, p.day, 10, 0, SH).getTime() + 30_000 - Date.now();
  return {
    now: () => new Date(Date.now() + offset),
    slot: (hhmm) => {
      const [h, m] = hhmm.split(':').map(Number) as [number, number];
      return zonedTime(p.year, p.month, p.day, h, m, SH);
    },
    advance: (ms) => {
      offset += ms;
    },
  };
}

/** What each chart of the page holds: its size and how many data points are numbers, and how many are above zero. */
async function charts(page: Page): Promise<{ id: string; optional: boolean; width: number; height: number; points: number; positive: number }[]> {
  return page.evaluate(() => {
    const w = window as unknown as { echarts: { getInstanceByDom(el: Element): { getOption(): { series?: { data?: unknown[] }[] } } | undefined } };
    return [...document.querySelectorAll('.chart')].map((el) => {
      const inst = w.echarts.getInstanceByDom(el);
      const surface = el.querySelector('canvas, svg');
      const box = surface?.getBoundingClientRect();
      const values: unknown[] = (inst?.getOption().series ?? []).flatMap((s) => s.data ?? []);
      const nums = values.flatMap((v) => {
        if (typeof v === 'number') return [v];
        if (Array.isArray(v)) return v.filter((x): x is number => typeof x === 'number');
        if (v && typeof v === 'object' && typeof (v as { value?: unknown }).value === 'number') return [(v as { value: number }).value];
        return [];
      });
      return {
        id: el.id,
        optional: el.hasAttribute('data-optional'),
        width: box?.width ?? 0,
        height: box?.height ?? 0,
        points: nums.length,
        positive: nums.filter((n) => n > 0).length,
      };
    });
  });
}

describe.skipIf(!haveChromium && !process.env['CI'])('the dashboard in headless Chromium', () => {
  const redis = useTestRedis();
  let tmp: ReturnType<typeof tempDir>;
  let restoreHome: () => void;
  let app: App;
  let browser: Browser;
  let base: string;
  /** A copy of the shipped playbooks: the settings page writes to it. */
  let sop: string;
  const clock = morning();

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`no Chromium at ${executablePath}: CI must install it (apt-get install -y chromium fonts-noto-cjk) or set CHROMIUM_PATH`);
    restoreHome = isolateWechaty();
    tmp = tempDir('siyu-browser-');
    mkdirSync(SHOTS, { recursive: true });
    sop = path.join(tmp.dir, 'sop');
    cpSync(path.resolve('sop'), sop, { recursive: true });
    app = await startApp({
      config: testConfig(`${tmp.dir}/data`, { REDIS_URL: redis.url, QUEUE_PREFIX: 'browser', INBOUND_MAX_AGE_SECONDS: '0', CONSOLE_TOKEN: `lin:${SECRET}` }),
      logger: silentLogger(),
      clock,
      capabilities: capabilitiesFor(sop),
      sopDir: sop,
    });
    await app.ready;
    base = app.healthUrl!.replace(/\/healthz$/, '');
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    tmp?.remove();
    restoreHome?.();
  });

  it("shows every page with rendered charts holding the world's data, and pausing a campaign from its page pauses it", async () => {
    await simulateMorning(app, clock);
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    // Log in through the form: the first page asked for sends the browser there.
    await page.goto(`${base}/`);
    expect(page.url()).toContain('/login');
    await page.fill('input[name=token]', SECRET);
    await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);

    // Pause the running campaign with its button (its queued messages are held: the outbox page shows why).
    const repo = new CampaignsRepo(app.db);
    expect(repo.get('member-day')?.status).toBe('running');
    await page.goto(`${base}/campaigns`);
    await page.waitForSelector('body[data-loaded="true"]');
    await page.click('button[data-action="pause"][data-campaign="member-day"]');
    await page.waitForFunction(() => document.querySelector('tr[data-campaign="member-day"] .status')?.textContent === '已暂停', undefined, { timeout: 10_000 });
    expect(repo.get('member-day')?.status).toBe('paused');
    expect(repo.transitions('member-day').at(-1)).toMatchObject({ to: 'paused', by: 'console:lin' });
    expect(await page.isEnabled('button[data-action="resume"][data-campaign="member-day"]')).toBe(true);

    const empty: string[] = [];
    // (the settings page is forms only, no charts: it is opened in the last test)
    for (const p of PAGES.filter((x) => x.path !== '/settings')) {
      await page.goto(`${base}${p.path}`);
      await page.waitForSelector('body[data-loaded="true"], body[data-error]', { timeout: 10_000 });
      expect(await page.getAttribute('body', 'data-error'), p.path).toBeNull();
      const found = await charts(page);
      expect(found.length, p.path).toBeGreaterThan(0);
      for (const c of found) {
        expect(c.width, `${p.path} #${c.id} width`).toBeGreaterThan(100);
        expect(c.height, `${p.path} #${c.id} height`).toBeGreaterThan(100);
        // A chart marked optional may be empty (the wake-up lift needs holdout members, drawn at random).
        if (!c.optional) expect(c.points, `${p.path} #${c.id} data points`).toBeGreaterThan(0);
        if (c.positive === 0) empty.push(`${p.path} #${c.id}`);
      }
      // Every page shows some of the world's activity (a chart may be all zeros, e.g. no timeouts).
      expect(
        found.some((c) => c.positive > 0),
        `${p.path}: some chart shows data above zero`,
      ).toBe(true);
      await page.screenshot({ path: path.join(SHOTS, `${p.path === '/' ? 'overview' : p.path.slice(1)}.png`), fullPage: true });
    }
    // bull-board behind the same login
    await page.goto(`${base}/queues`);
    await page.waitForSelector('text=outbox-main', { timeout: 10_000 });
    await page.screenshot({ path: path.join(SHOTS, 'queues.png') });

    expect(errors).toEqual([]);
    if (empty.length) console.info(`charts with only zeros (no such events in this run): ${empty.join(', ')}`);
    await context.close();
  });

  it("builds a campaign to two groups from the form (count, preview, inline errors), schedules it a minute ahead, sees it reach the world, pauses and resumes it; every action audited with the operator's name", async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/login`);
    await page.fill('input[name=token]', SECRET);
    await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);

    await page.goto(`${base}/campaigns`);
    await page.waitForSelector('body[data-loaded="true"]');
    await Promise.all([page.waitForURL(`${base}/campaigns/new`), page.click('#new-campaign')]);
    await page.waitForSelector('body[data-loaded="true"]');
    const previews = async () => Number((await page.getAttribute('body', 'data-previewed')) ?? 0);
    /** Does `act`, then waits for the preview it causes. */
    const andPreview = async (act: () => Promise<unknown>) => {
      const before = await previews();
      await act();
      await page.waitForFunction((n) => Number(document.body.dataset.previewed ?? 0) > n, before, { timeout: 10_000 });
    };

    await andPreview(() => page.fill('#c-name', '周末快闪'));
    await page.fill('#c-id', 'weekend-flash');
    await andPreview(() => page.fill('#g-search', 'hz01'));
    await andPreview(() => page.check('input[name=g-room][value="hz01-a@chatroom"]'));
    await andPreview(() => page.check('input[name=g-room][value="hz01-b@chatroom"]'));
    await andPreview(() => page.fill('#content-list textarea', '{name}的家人们：周末快闪开始啦'));
    await andPreview(() => page.fill('#c-spread', '0'));
    await andPreview(() => page.fill('#c-cap-day', '5'));
    expect(await page.textContent('#aud-count')).toContain('将发送到 2 个群');
    const names = await page.$$eval('#aud-sample li', (li) => li.map((x) => x.textContent ?? ''));
    expect(names).toHaveLength(2);
    // the chat-bubble preview has {name} filled for a sample group
    expect(await page.textContent('#preview .bubble')).toBe(`${names[0]}的家人们：周末快闪开始啦`);

    // An unknown group, typed by id: refused inline with what exists.
    await page.fill('#g-add', 'hz01-x@chatroom');
    await andPreview(() => page.click('#g-add-button'));
    expect(await page.textContent('#sec-audience .problems .bad')).toContain('unknown group "hz01-x@chatroom"');
    await andPreview(() => page.uncheck('input[name=g-room][value="hz01-x@chatroom"]'));
    expect(await page.$('#sec-audience .problems .bad')).toBeNull();

    // A one-off time in the past: refused inline; saving stores nothing.
    const fmt = (at: Date) => at.toLocaleString('sv-SE', { timeZone: SH }).slice(0, 16).split(' ') as [string, string];
    const [pastDay, pastTime] = fmt(new Date(clock.now().getTime() - 86_400_000));
    await page.selectOption('#s-kind', 'once');
    await page.fill('#s-date', pastDay);
    await andPreview(() => page.fill('#s-time', pastTime));
    expect(await page.textContent('#sec-schedule .problems .bad')).toContain('is in the past');
    await page.click('#save-schedule');
    await page.waitForSelector('#result .bad');
    const repo = new CampaignsRepo(app.db);
    expect(repo.get('weekend-flash')).toBeUndefined();

    // A minute ahead: saved and scheduled.
    const slot = new Date((Math.floor(clock.now().getTime() / 60_000) + 1) * 60_000);
    const [day, hhmm] = fmt(slot);
    await page.fill('#s-date', day);
    await andPreview(() => page.fill('#s-time', hhmm));
    expect(await page.$('.problems .bad')).toBeNull();
    await page.screenshot({ path: path.join(SHOTS, 'campaign-builder.png'), fullPage: true });
    await page.setViewportSize({ width: 375, height: 800 });
    await page.screenshot({ path: path.join(SHOTS, 'campaign-builder-375.png'), fullPage: true });
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.click('#save-schedule');
    await page.waitForSelector('#saved');
    expect(repo.get('weekend-flash')).toMatchObject({ status: 'scheduled', source: 'console' });
    expect(repo.definition(repo.get('weekend-flash')!).audience.groups?.list).toEqual(['hz01-a@chatroom', 'hz01-b@chatroom']);

    // The minute comes: both groups get the post in the simulated world.
    clock.advance(slot.getTime() - clock.now().getTime() + 1000);
    expect(await app.scheduler.fire(CAMPAIGN_TICK, slot)).toBe(true);
    const posts = await Promise.all(
      ['hz01-a@chatroom', 'hz01-b@chatroom'].map((room) => app.world!.waitForBotMessage((m) => m.target.id === room && m.text.endsWith('周末快闪开始啦'), 20_000)),
    );
    expect(posts).toHaveLength(2);

    // Pause and resume from the list; the audit trail names the operator.
    await page.goto(`${base}/campaigns`);
    await page.waitForSelector('body[data-loaded="true"]');
    for (const [action, label] of [
      ['pause', '已暂停'],
      ['resume', null],
    ] as const) {
      await page.click(`button[data-action="${action}"][data-campaign="weekend-flash"]`);
      if (label) await page.waitForFunction((l) => document.querySelector('tr[data-campaign="weekend-flash"] .status')?.textContent === l, label, { timeout: 10_000 });
      else await page.waitForFunction(() => document.querySelector('tr[data-campaign="weekend-flash"] .status')?.textContent !== '已暂停', undefined, { timeout: 10_000 });
    }
    const audit = app.db.$client.prepare("select actor, action, result from operator_actions where target = 'weekend-flash' order by id").all() as {
      actor: string;
      action: string;
      result: string;
    }[];
    expect(audit.map((a) => `${a.actor} ${a.action} ${a.result.split(':')[0]}`)).toEqual([
      'lin campaign.create refused',
      'lin campaign.create ok',
      'lin campaign.pause ok',
      'lin campaign.resume ok',
    ]);
    await page.waitForSelector('#audit td.actor');
    expect(await page.$$eval('#audit tr[data-action="campaign.resume"] td.actor', (td) => td.map((x) => x.textContent))).toContain('lin');
    // clone opens the builder filled in, as a new draft
    await Promise.all([page.waitForURL(/clone=weekend-flash/), page.click('a[data-action="clone"][data-campaign="weekend-flash"]')]);
    await page.waitForSelector('body[data-loaded="true"]');
    expect(await page.inputValue('#c-name')).toBe('周末快闪 副本');
    expect(await page.isChecked('input[name=g-room][value="hz01-b@chatroom"]')).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("previews today's wake-up per stage and runs it from its page (audited); finds a member, reads her card and merges a duplicate; a CSV with bad rows is checked in the page and nothing applied; every page is usable at 375 px", async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${base}/login`);
    await page.fill('input[name=token]', SECRET);
    await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);

    // A member falls dormant after the morning's selection: the preview finds them, nothing is recorded until run.
    const now = clock.now().getTime();
    app.db.$client
      .prepare(
        `insert into members (contact_id, name, tier, referral_code, joined_at, last_active_at, created_at, updated_at)
      values ('wx-dormant-new', '新沉睡会员', 'regular', 'RCDORM1', ?, ?, ?, ?)`,
      )
      .run(now - 400 * 86_400_000, now - 35 * 86_400_000, now, now);
    const episodes = () =>
      app.db.$client.prepare("select count(*) from wakeup_episodes e join members m on m.id = e.member_id where m.contact_id = 'wx-dormant-new'").pluck().get() as number;
    await page.goto(`${base}/wakeup`);
    await page.waitForSelector('body[data-wakeup-previewed="true"]');
    const total = async () => page.$$eval('#wakeup-stages tr[data-stage="all"] td', (td) => td.map((x) => x.textContent));
    const [, , sent, suggested, holdout] = await total();
    expect(Number(sent) + Number(suggested) + Number(holdout)).toBeGreaterThanOrEqual(1);
    expect(await page.textContent('#wakeup-window')).toMatch(/唤醒组 \d+，对照组 \d+/);
    expect(episodes()).toBe(0);
    await page.click('#wakeup-run');
    await page.waitForSelector('#wakeup-done');
    expect(episodes()).toBe(1);
    expect(app.db.$client.prepare("select actor from operator_actions where action = 'wakeup.run'").pluck().all()).toEqual(['lin']);

    // Find a member by the last four digits of her phone and read her card; a duplicate record of her (same name and birthday, imported) is merged into it.
    app.db.$client.prepare("update members set birth_month = 5, birth_day = 8 where name = '陈思琪'").run();
    const dup = Number(
      app.db.$client
        .prepare(
          `insert into members (name, tier, referral_code, birth_month, birth_day, points, created_at, updated_at)
      values ('陈思琪', 'regular', 'RCDUP01', 5, 8, 0, ?, ?) returning id`,
        )
        .pluck()
        .get(now, now),
    );
    await page.goto(`${base}/members`);
    await page.waitForSelector('body[data-loaded="true"]');
    await page.fill('#q', '0003');
    await page.click('#search-form button[type=submit]');
    await page.waitForSelector('body[data-card]');
    expect(await page.textContent('#card-title')).toBe(`陈思琪（138****0003） · #${await page.getAttribute('body', 'data-card')}`);
    expect(await page.textContent('#card-figures')).toMatch(/等级(普卡|银卡|金卡)/);
    // she is in the group the campaign built from the form was posted to
    expect(await page.textContent('#card-groups')).toContain('湖滨店宝妈交流1群');
    expect(await page.textContent('#card-campaigns')).toContain('周末快闪');
    await page.waitForSelector(`#card-duplicates button[data-drop="${dup}"]`);
    await page.click(`#card-duplicates button[data-drop="${dup}"]`);
    await page.click('#merge');
    await page.waitForSelector('#merged');
    expect(app.db.$client.prepare('select count(*) from members where id = ?').pluck().get(dup)).toBe(0);
    expect(app.db.$client.prepare("select actor, result from operator_actions where action = 'members.merge'").get()).toEqual({ actor: 'lin', result: 'ok' });
    // Her second WeChat (a work phone) bound from the card; the contact then finds her record.
    const keep = Number(await page.getAttribute('body', 'data-card'));
    await page.fill('#bind-contact', 'wx-chen-work');
    await page.click('#bind');
    await page.waitForSelector('#bound');
    expect(app.db.$client.prepare("select member_id from member_links where contact_id = 'wx-chen-work'").pluck().get()).toBe(keep);
    expect(app.db.$client.prepare("select actor, result from operator_actions where action = 'members.bind'").get()).toEqual({ actor: 'lin', result: 'ok' });
    await page.screenshot({ path: path.join(SHOTS, 'member-card.png'), fullPage: true });

    // Upload a CSV with bad rows: the check lists them (row, column, value, why) and nothing is applied.
    const members = () => app.db.$client.prepare('select count(*) from members').pluck().get() as number;
    const before = members();
    await Promise.all([page.waitForURL(`${base}/imports`), page.click('#to-imports')]);
    await page.selectOption('#kind', 'members');
    await page.setInputFiles('#file', path.resolve('data/samples/members-bad.csv'));
    await page.click('#check');
    await page.waitForSelector('#import-state');
    expect(Number(await page.getAttribute('#import-state', 'data-bad'))).toBeGreaterThan(0);
    expect(await page.getAttribute('#import-state', 'data-applied')).toBe('false');
    const issues = await page.$$eval('#issues tbody tr', (tr) => tr.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(issues.length).toBeGreaterThan(0);
    for (const [row, , , why] of issues) {
      expect(Number(row)).toBeGreaterThan(1);
      expect(why).not.toBe('');
    }
    expect(await page.isDisabled('#apply')).toBe(true);
    expect(members()).toBe(before);
    expect(app.db.$client.prepare("select actor, result from operator_actions where action = 'import.members.dry-run'").get()).toMatchObject({
      actor: 'lin',
      result: expect.stringMatching(/^ok: dry run; .* bad$/),
    });
    await page.screenshot({ path: path.join(SHOTS, 'imports.png'), fullPage: true });

    // Playbook settings in a form: quiet hours and a 3+3+3 quota saved (the file's comments kept), bad values refused inline with the file untouched.
    const guideFile = path.join(sop, 'guide-daily.yaml');
    const form = 'form[data-kind="guide-daily"]';
    const chats = `${form} input[name="quotas.chats"]`;
    await page.goto(`${base}/settings`);
    await page.waitForSelector('body[data-loaded="true"]');
    expect(await page.inputValue(chats)).toBe('3');
    // quiet hours: the environment's value shown until one is saved; a bad one refused inline, a good one in force at once
    const sending = 'form[data-kind="sending"]';
    const quiet = `${sending} input[name="quietHours"]`;
    expect(await page.inputValue(quiet)).toBe('21:30-08:30');
    expect(await page.isVisible(`${sending} [data-from="default"]`)).toBe(true);
    await page.fill(quiet, '22-8');
    await page.click(`${sending} button[type=submit]`);
    await page.waitForSelector(`${sending} .result[data-state="refused"]`);
    expect(await page.textContent(`${sending} [data-error-for="quietHours"]`)).toMatch(/quietHours: expected a window like 21:30-08:30 .*found "22-8"/);
    await page.fill(quiet, '22:00-08:00');
    await page.click(`${sending} button[type=submit]`);
    await page.waitForSelector(`${sending} .result[data-state="saved"]`);
    expect(await page.textContent(`${sending} .result`)).toContain('已生效');
    expect(await page.inputValue(quiet)).toBe('22:00-08:00');
    expect(await page.locator(`${sending} [data-from="default"]`).count()).toBe(1); // the cap still from the environment
    await page.fill(chats, '4');
    await page.click(`${form} button[type=submit]`);
    await page.waitForSelector(`${form} .result[data-state="saved"]`);
    expect(loadGuidePlaybook(guideFile).quotas.chats).toBe(4);
    expect(readFileSync(guideFile, 'utf8')).toContain('# Items per day. Any whole number 0–20; 0 switches a category off.');
    const saved = readFileSync(guideFile);
    await page.fill(chats, '30');
    await page.click(`${form} button[type=submit]`);
    await page.waitForSelector(`${form} .result[data-state="refused"]`);
    expect(await page.textContent(`${form} [data-error-for="quotas.chats"]`)).toMatch(/quotas\.chats: expected a whole number from 0 \(switched off\) to 20, found 30/);
    expect(readFileSync(guideFile).equals(saved)).toBe(true);
    expect(app.db.$client.prepare("select actor, result from operator_actions where action = 'settings.save' order by at, rowid").all()).toEqual([
      { actor: 'lin', result: expect.stringMatching(/^refused: quietHours: /) },
      { actor: 'lin', result: 'saved quietHours="22:00-08:00"' },
      { actor: 'lin', result: 'saved quotas.chats="4"' },
      { actor: 'lin', result: expect.stringMatching(/^refused: quotas\.chats: /) },
    ]);
    await page.screenshot({ path: path.join(SHOTS, 'settings.png'), fullPage: true });

    await page.setViewportSize({ width: 375, height: 800 });
    for (const p of [...PAGES.map((x) => x.path), '/campaigns/new', '/imports']) {
      await page.goto(`${base}${p}`);
      await page.waitForSelector('body[data-loaded="true"], body[data-error]', { timeout: 10_000 });
      expect(await page.getAttribute('body', 'data-error'), p).toBeNull();
      // nothing wider than the phone's screen makes the page scroll sideways (wide tables scroll inside their panel)
      expect(await page.evaluate(() => document.documentElement.scrollWidth), `${p} at 375 px`).toBeLessThanOrEqual(375);
      await page.screenshot({ path: path.join(SHOTS, `${p === '/' ? 'overview' : p.slice(1).replace(/\//g, '-')}-375.png`), fullPage: true });
    }
    expect(errors).toEqual([]);
    await context.close();
  });
});

/** A morning in the world: cards and check-ins, questions (one answered late, one waiting), a campaign and a reply, a wake-up run, chatter. */
async function simulateMorning(app: App, clock: ReturnType<typeof morning>): Promise<void> {
  const world = app.world!;
  const GROUP = 'hz01-a@chatroom';
  // 3+3+3: the 09:30 cards (the start-up catch-up may have run the slot already), then two guides check in.
  await app.scheduler.fire('guide-cards', clock.slot('09:30'));
  await world.waitForBotMessage((m) => m.target.id === 'guide-hz01-01' && m.text.startsWith('【今日 3+3+3】'), 20_000);
  await world.memberSays('guide-hz01-01', '朋友圈 3 私聊 1 2');
  await world.memberSays('guide-hz01-02', '朋友圈 2');
  await world.waitForBotMessage((m) => m.target.id === 'guide-hz01-02' && m.text.startsWith('已记录'), 20_000);
  // SLA: a question answered by the guide 7 minutes later (a timeout), another left waiting.
  await world.memberSays('m003', '请问这款奶粉几段适合一岁宝宝？', { roomId: GROUP });
  await world.memberSays('m020', '周末店里几点关门呀？', { roomId: 'hz01-b@chatroom' });
  // Both questions are open (in the store) before the clock moves on.
  await expect.poll(() => app.db.$client.prepare("select count(*) from sla_questions where status = 'open'").pluck().get() as number, { timeout: 10_000 }).toBe(2);
  clock.advance(7 * 60_000);
  await world.memberSays('guide-hz01-01', '@张 一岁宝宝选 2 段哦，欢迎到店试吃', { roomId: GROUP, mentionIds: ['m003'] });
  // A campaign occurrence now: the first post goes at once, the rest spread over the window.
  const repo = new CampaignsRepo(app.db);
  repo.requestRun('member-day', 'browser-test', clock.now().getTime());
  expect(await app.scheduler.fire(CAMPAIGN_TICK, new Date(Math.floor(clock.now().getTime() / 60_000) * 60_000))).toBe(true);
  const post = await world.waitForBotMessage((m) => m.text.startsWith('【周五会员日】'), 20_000);
  // the spread's order is random: a member of whichever group got the first post answers it
  const replier = world.roomMemberIds(post.target.id).find((id) => /^m\d+$/u.test(id))!;
  await world.memberSays(replier, '收到，今天就去！', { roomId: post.target.id });
  // Wake-up: the 10:00 selection (or its start-up catch-up).
  await app.scheduler.fire(selectScheduleName(1), clock.slot('10:00'));
  // Chatter in the groups.
  for (const [who, room, text] of [
    ['m002', GROUP, '大家早上好'],
    ['m004', GROUP, '今天有活动吗'],
    ['m021', 'hz01-b@chatroom', '收到'],
    ['m036', 'hz01-vip@chatroom', '谢谢店长'],
  ] as const) {
    await world.memberSays(who, text, { roomId: room });
  }
  await app.ingest.idle();
  await expect.poll(() => app.db.$client.prepare("select count(*) from outbox where status = 'sent'").pluck().get() as number, { timeout: 20_000 }).toBeGreaterThan(4);
}
