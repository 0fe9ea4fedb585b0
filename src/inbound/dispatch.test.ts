import { describe, expect, it } from 'vitest';
import { adminCommandDeclarations } from '../admin/admin.rules.js';
import { silentLogger } from '../core/logger.js';
import type { InboundMessage } from '../core/messages.js';
import { guideCommandDeclarations } from '../guide-sop/checkin.rules.js';
import { bindingDecisionDeclaration, memberCommandDeclarations } from '../members/commands.rules.js';
import type { StaffRole } from '../platform/db/schema.js';
import { slaCommandDeclarations } from '../sla/commands.rules.js';
import { loadSlaPlaybook } from '../sla/sla.playbook.js';
import { CommandRegistry, type CommandDeclaration, type CommandHandler } from './commands.js';
import { Router, type InboundContext } from './router.js';

/**
 * The dispatch table as the shipped capabilities declare it (their declaration functions, the shipped
 * SLA playbook's words), each handler recording its name: every message gets exactly one answer.
 */

const slaWords = loadSlaPlaybook('sop/sla.yaml').commands;
const STAFF: Record<string, StaffRole> = { g1: 'guide', sm1: 'store-manager', ca1: 'community-admin', hq1: 'hq' };
const SENDER = { member: 'm1', guide: 'g1', manager: 'sm1', admin: 'ca1' } as const;

function shippedTable(opts: { bindingDecision?: CommandHandler } = {}) {
  const router = new Router(silentLogger(), { staffByContact: (id) => (STAFF[id] ? { role: STAFF[id] } : undefined) });
  const answers: string[] = [];
  const rec =
    (name: string): CommandHandler =>
    () => {
      answers.push(name);
    };
  const entries = (ds: CommandDeclaration[], handle?: CommandHandler) => ds.map((d) => ({ ...d, handle: handle ?? rec(`${d.capability}/${d.command}`) }));
  const admin = adminCommandDeclarations();
  router.commands.declare(
    ...entries(admin.run),
    ...entries(admin.refused),
    ...entries(memberCommandDeclarations()),
    ...entries([bindingDecisionDeclaration()], opts.bindingDecision),
    ...entries(guideCommandDeclarations()),
    ...entries(slaCommandDeclarations(() => slaWords)),
  );
  router.commands.hint({
    capability: 'members',
    roles: ['member'],
    handle: () => {
      answers.push('hint:member');
    },
  });
  router.commands.hint({
    capability: 'guide-sop',
    roles: ['guide'],
    handle: () => {
      answers.push('hint:guide');
    },
  });
  router.commands.hint({
    capability: 'admin',
    roles: ['manager', 'admin'],
    handle: () => {
      answers.push('hint:admin');
    },
  });
  let n = 0;
  const say = async (talkerId: string, text: string, over: Partial<InboundMessage> = {}) => {
    answers.length = 0;
    const ctx: InboundContext = {
      message: {
        id: `d${++n}`,
        account: 'main',
        talkerId,
        talkerName: talkerId,
        roomId: null,
        roomTopic: null,
        type: 'text',
        text,
        mentionSelf: false,
        mentionIds: [],
        self: false,
        providerAt: 0,
        ...over,
      },
      receivedAt: 0,
    };
    await router.dispatch(ctx);
    return { answers: [...answers], ctx };
  };
  return { router, say };
}

/** word → what each role gets (`hint:<role>` for the role's hint). */
const TABLE: [string, { member: string; guide: string; manager: string; admin: string }][] = [
  ['积分', { member: 'members/points', guide: 'members/points', manager: 'members/points', admin: 'members/points' }],
  ['兑换C001', { member: 'members/redeem', guide: 'members/redeem', manager: 'members/redeem', admin: 'members/redeem' }],
  ['帮助', { member: 'members/help', guide: 'members/help', manager: 'members/help', admin: 'members/help' }],
  ['我的进度', { member: 'hint:member', guide: 'guide-sop/progress', manager: 'hint:admin', admin: 'hint:admin' }],
  ['私聊1 群1', { member: 'hint:member', guide: 'guide-sop/checkin', manager: 'hint:admin', admin: 'hint:admin' }],
  ['待处理', { member: 'hint:member', guide: 'sla/list', manager: 'sla/list', admin: 'sla/list' }],
  ['已处理 #1', { member: 'hint:member', guide: 'sla/close', manager: 'sla/close', admin: 'sla/close' }],
  ['今日', { member: 'admin/today:refused', guide: 'admin/today:refused', manager: 'admin/today', admin: 'admin/today' }],
  ['暂停活动 spring', { member: 'admin/pause:refused', guide: 'admin/pause:refused', manager: 'admin/pause', admin: 'admin/pause' }],
  ['确认绑定 3', { member: 'hint:member', guide: 'members/binding-decision', manager: 'members/binding-decision', admin: 'members/binding-decision' }],
  ['今天天气不错', { member: 'hint:member', guide: 'hint:guide', manager: 'hint:admin', admin: 'hint:admin' }],
];

describe('the dispatch table: role × word → exactly one handler', () => {
  for (const [word, byRole] of TABLE) {
    it(`"${word}": ${Object.entries(byRole)
      .map(([r, h]) => `${r} → ${h}`)
      .join(', ')}`, async () => {
      const { say } = shippedTable();
      for (const role of ['member', 'guide', 'manager', 'admin'] as const) {
        const { answers, ctx } = await say(SENDER[role], word);
        expect(answers, `${role} writing ${word}`).toEqual([byRole[role]]);
        expect(ctx.role).toBe(role);
        expect(ctx.answered === true, `${role}: answered means a command answered`).toBe(!byRole[role].startsWith('hint:'));
      }
    });
  }

  it('hq is an admin; every shipped word for every role resolves to at most one declaration', async () => {
    const { router, say } = shippedTable();
    expect((await say('hq1', '今日')).answers).toEqual(['admin/today']);
    for (const d of router.commands.all()) {
      for (const w of d.words) {
        for (const role of d.roles) {
          const claimants = router.commands.all().filter((x) => x.roles.includes(role) && x.matches(w));
          expect(claimants.length, `"${w}" for ${role}`).toBeLessThanOrEqual(1);
        }
      }
    }
  });

  it('in a group only commands declared for groups answer, and only when the bot is @-mentioned; group chatter gets no hint', async () => {
    const { say } = shippedTable();
    const group = { roomId: 'g@chatroom', roomTopic: '群' };
    expect((await say('m1', '@小思\u2005积分', { ...group, mentionSelf: true })).answers).toEqual(['members/points']);
    expect((await say('g1', '@小思\u2005待处理', { ...group, mentionSelf: true })).answers).toEqual(['sla/list']);
    expect((await say('g1', '@小思\u2005我的进度', { ...group, mentionSelf: true })).answers).toEqual([]);
    expect((await say('ca1', '@小思\u2005今日', { ...group, mentionSelf: true })).answers).toEqual([]);
    expect((await say('m1', '积分', group)).answers).toEqual([]);
    expect((await say('m1', '随便聊聊', group)).answers).toEqual([]);
  });

  it('non-text and messages typed on the account itself get no answer', async () => {
    const { say } = shippedTable();
    expect((await say('m1', '[图片]', { type: 'image' })).answers).toEqual([]);
    expect((await say('m1', '积分', { self: true })).answers).toEqual([]);
  });

  it('a command that turns out not to be its own (nothing to confirm) gives the role hint instead, once', async () => {
    const { say } = shippedTable({ bindingDecision: () => false });
    expect((await say('g1', '确认绑定 3')).answers).toEqual(['hint:guide']);
    expect((await say('sm1', '确认绑定 3')).answers).toEqual(['hint:admin']);
  });

  it('a conversation the bot started answers first: no command, no hint; an acknowledged reply gets no hint either', async () => {
    const { router, say } = shippedTable();
    const seen: { command?: string; answered?: boolean }[] = [];
    router.use(
      'conversation',
      (ctx) => {
        if (ctx.message.text === '好的') ctx.answered = true;
        if (ctx.message.text.endsWith('？')) ctx.acknowledged = true;
      },
      { before: true },
    );
    router.use('observer', (ctx) => {
      seen.push({ command: ctx.command?.command, answered: ctx.answered });
    });
    expect((await say('m1', '好的')).answers).toEqual([]);
    expect((await say('m1', '还有货吗？')).answers).toEqual([]);
    // a command during a conversation is still its owner's
    expect((await say('m1', '积分')).answers).toEqual(['members/points']);
    expect(seen).toEqual([{ answered: true }, { answered: undefined }, { command: 'points', answered: true }]);
  });
});

describe('the registry refuses two answers', () => {
  const noop = () => undefined;
  it('a word claimed twice for one role is refused when declared, naming both', () => {
    const r = new CommandRegistry();
    r.declare(...memberCommandDeclarations().map((d) => ({ ...d, handle: noop })));
    expect(() => r.declare({ capability: 'guide-sop', command: 'score', words: ['积分'], roles: ['guide'], matches: (t) => t === '积分', handle: noop })).toThrow(
      'command "积分" for guide is claimed twice: by members/points and guide-sop/score',
    );
    // the same word for roles that do not meet is two rows, not a conflict
    const admin = adminCommandDeclarations();
    expect(() => r.declare(...[...admin.run, ...admin.refused].map((d) => ({ ...d, handle: noop })))).not.toThrow();
  });

  it('one hint per role', () => {
    const r = new CommandRegistry();
    r.hint({ capability: 'members', roles: ['member'], handle: noop });
    expect(() => r.hint({ capability: 'other', roles: ['guide', 'member'], handle: noop })).toThrow('the hint for member is set twice: by members and other');
  });
});
