/** Texts of the admin chat commands (Chinese, short enough for a phone screen). Pure. */
import type { GuideReport } from '../guide-sop/index.js';
import type { CampaignView } from '../console/index.js';

const CAMPAIGN_STATUS: Record<string, string> = { draft: '草稿', scheduled: '已排期', running: '进行中', paused: '已暂停', done: '已结束', cancelled: '已取消' };
const pct = (x: number) => `${Math.round(x * 100)}%`;

export const USAGE = {
  pause: '请写上活动编号，例如：暂停活动 member-day（回复"活动"查看编号）',
  resume: '请写上活动编号，例如：恢复活动 member-day（回复"活动"查看编号）',
  member: '请写上手机号或姓名，例如：查会员 13800000001 或 查会员 张丽娜',
};

/**
 * The hint for a store manager's or admin's text that no command claims: what they can send.
 * @example staffHintText(['今日', '待处理']) // 没看懂😅 可以发送：今日、待处理；会员功能回复"帮助"
 */
export function staffHintText(words: readonly string[]): string {
  return `没看懂😅 可以发送：${words.join('、')}；会员功能回复"帮助"`;
}

export interface TodayFigures {
  date: string;
  scope: string;
  guides: GuideReport;
  waiting: { open: number; backlog: number };
  outbox: Record<string, number>;
  /** Campaigns by state as a person says it: running now, scheduled for later, paused. */
  campaigns: { running: number; scheduled: number; paused: number };
}

/** `今日`: the day at a glance. */
export function todayText(f: TodayFigures): string {
  const o = f.guides.overall;
  const lines = [`【今日概况】${f.date.slice(5)} · ${f.scope}`];
  if (o.cards === 0) lines.push('▸ 3+3+3：今天没有任务卡');
  else {
    lines.push(`▸ 3+3+3：任务卡 ${o.cards} 张，全部完成 ${o.completed} 张，完成 ${o.done}/${o.total}（${pct(o.rate)}）`);
    const people = f.guides.byGuide.map((g) => `${g.label} ${g.done}/${g.total}${g.done === g.total && g.total > 0 ? '✅' : ''}`);
    if (people.length) lines.push(`  ${people.slice(0, 8).join(' · ')}${people.length > 8 ? ` …共${people.length}人` : ''}`);
  }
  lines.push(`▸ 待回复：${f.waiting.open} 个${f.waiting.backlog ? `（积压 ${f.waiting.backlog} 个）` : ''}${f.waiting.open ? '，回复"待回复"查看' : ''}`);
  const s = f.outbox;
  lines.push(`▸ 今日发送：已发 ${s['sent'] ?? 0}，待发 ${(s['queued'] ?? 0) + (s['sending'] ?? 0)}，失败 ${s['failed'] ?? 0}，跳过 ${s['skipped'] ?? 0}`);
  const c = f.campaigns;
  lines.push(`▸ 活动：进行中 ${c.running}，已排期 ${c.scheduled}，已暂停 ${c.paused}${c.running + c.scheduled + c.paused ? '，回复"活动"查看' : ''}`);
  return lines.join('\n');
}

/** `活动`: every campaign, one line each. */
export function campaignsText(list: CampaignView[]): string {
  if (!list.length) return '目前没有活动。';
  return [
    '【活动列表】',
    ...list.map((c) => `${c.id} ${c.name} · ${CAMPAIGN_STATUS[c.status] ?? c.status} · 目标 ${c.funnel.targeted} 送达 ${c.funnel.sent} 回复 ${c.funnel.replied}`),
    '暂停：暂停活动 编号；恢复：恢复活动 编号',
  ].join('\n');
}

/** The answer to a pause or resume: the outcome in Chinese, with the service's own message. */
export function transitionText(action: 'pause' | 'resume', id: string, r: { ok: boolean; message: string }): string {
  const word = action === 'pause' ? '暂停' : '恢复';
  return r.ok ? `✅ 已${word}活动 ${id}（${r.message}）` : `未能${word}活动 ${id}：${r.message}`;
}

export interface MemberLine {
  name: string | null;
  phone: string | null;
  /** The tier's display name from the playbook (普卡), not its code. */
  tier: string;
  points: number;
  /** The store's name (its code when it has none). */
  store: string | null;
  /** The guide as operators read them (name, with the 工号 or store when two share it). */
  guide: string | null;
  lastActiveAt: number | null;
  optedOut: boolean;
}

/** `查会员`: up to 5 matches, phones masked, tiers, stores and guides by name. */
export function membersText(query: string, rows: MemberLine[], lastActive: (ms: number | null) => string): string {
  if (!rows.length) return `没有找到会员"${query}"。可以用手机号或姓名查询。`;
  return [
    `【查会员】${query}：${rows.length} 位`,
    ...rows.map(
      (m) =>
        `${m.name || '（未留名）'} ${m.phone ?? '无手机号'} · ${m.tier} · ${m.points} 积分 · 门店 ${m.store ?? '-'} · 导购 ${m.guide ?? '-'} · 最近互动 ${lastActive(m.lastActiveAt)}${m.optedOut ? ' · 已退订' : ''}`,
    ),
  ].join('\n');
}
