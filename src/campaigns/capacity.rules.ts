import { formatLocal } from '../core/time.js';
import { countText, spreadOver, type AccountShare } from '../outbox/index.js';

/** What `campaign check` says about sending a campaign through the accounts. */
export interface CampaignCapacity {
  messages: number;
  accounts: number;
  /** Targets no enabled account reaches (recorded unreachable at planning, never sent). */
  unreachable: number;
  /** Members without a WeChat contact (skipped at planning). */
  noContact: number;
  minutesNeeded: number;
  /** When the last message goes out (epoch ms), or null without a next slot. */
  lastAt: number | null;
  message: string;
}

/**
 * When the last message of the next occurrence goes out at the accounts' budgets (each account its own
 * share, as routed; no sooner than the end of the campaign's spread), and how many targets are unreachable.
 * @example campaignCapacity({ shares, unreachable: 14, noContact: 0, slot, spreadMinutes: 0, timezone: 'Asia/Shanghai' }).message
 *   // 'capacity: 1,200 messages via 3 accounts: the last goes out about 2026-11-27 10:21 Asia/Shanghai; 14 targets unreachable (no enabled account is their friend or in the group): recorded, not sent'
 */
export function campaignCapacity(i: {
  shares: readonly AccountShare[];
  unreachable: number;
  noContact: number;
  slot: Date | null;
  spreadMinutes: number;
  timezone: string;
}): CampaignCapacity {
  const s = spreadOver(i.shares);
  const minutes = Math.max(s.minutesNeeded, i.spreadMinutes);
  const lastAt = i.slot ? i.slot.getTime() + minutes * 60_000 : null;
  const via = `via ${countText(s.accounts)} account${s.accounts === 1 ? '' : 's'}`;
  const when = lastAt === null ? `take about ${minutes} min (no next slot)` : `: the last goes out about ${formatLocal(lastAt, i.timezone)} ${i.timezone}`;
  if (s.messages === 0 && i.unreachable === 0 && i.noContact === 0) {
    return {
      messages: 0,
      accounts: 0,
      unreachable: 0,
      noContact: 0,
      minutesNeeded: 0,
      lastAt: null,
      message: 'capacity: the audience selects no target now (nothing would be sent)',
    };
  }
  const parts = [`capacity: ${countText(s.messages)} message${s.messages === 1 ? '' : 's'} ${via}${lastAt === null ? ' ' : ''}${when}`];
  if (i.unreachable > 0)
    parts.push(`${countText(i.unreachable)} target${i.unreachable === 1 ? '' : 's'} unreachable (no enabled account is their friend or in the group): recorded, not sent`);
  if (i.noContact > 0) parts.push(`${countText(i.noContact)} member${i.noContact === 1 ? '' : 's'} without a WeChat contact: skipped`);
  return { messages: s.messages, accounts: s.accounts, unreachable: i.unreachable, noContact: i.noContact, minutesNeeded: minutes, lastAt, message: parts.join('; ') };
}
