import type { Capability } from '../core/capability.js';

export const HELP_WORDS = new Set(['帮助', '菜单', 'help', '?', '？']);

export const HELP_TEXT = '您好，我是会员小助手。回复"入会"加入会员，"积分"查询积分，"兑换"查看可兑换礼品，"退订"停止接收活动消息。';

/**
 * The smallest capability: a member who writes 帮助 (help) in a private chat gets the list of what
 * works, as a reply through the outbox, keyed by the message so a redelivery never answers twice.
 */
export const helpCapability: Capability = {
  name: 'help',
  install(ctx) {
    return ctx.router.use('help', async ({ message }) => {
      if (message.roomId || message.type !== 'text') return;
      if (!HELP_WORDS.has(message.text.trim().toLowerCase())) return;
      await ctx.outbox.enqueue({
        key: `reply:${message.id}`,
        target: { kind: 'contact', id: message.talkerId },
        content: { kind: 'text', text: HELP_TEXT },
        purpose: 'reply',
        expiresAt: ctx.clock.now().getTime() + 10 * 60_000,
      });
    });
  },
};
