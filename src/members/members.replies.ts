import { localDate } from '../core/time.js';
import { maskPhones } from '../core/mask.js';
import type { BirthdayInput } from './commands.rules.js';
import { nextTier, tierByCode } from './members.rules.js';
import { fill, type MembershipPlaybook } from './playbook.js';

/**
 * The texts members see, built from the playbook's templates. Pure: the data, the playbook, the
 * timezone for dates. Phone numbers that slip into a name are masked.
 */

const EXPIRING_SOON_MS = 7 * 86_400_000;
const MENU_LINES = 5;

export interface MemberView {
  name: string;
  tier: string;
  growth: number;
  points: number;
  referralCode: string;
}

export interface RewardView {
  code: string;
  name: string;
  cost: number;
  stock: number | null;
  perMemberLimit: number | null;
  /** Coupons of this reward the member holds or held. */
  held: number;
}

export interface CouponView {
  code: string;
  rewardName: string;
  expiresAt: number;
}

/** How a member is addressed: their name (masked), or nothing. */
export function displayName(name: string): string {
  return maskPhones(name.trim());
}

export function tierName(code: string, playbook: MembershipPlaybook): string {
  return tierByCode(code, playbook)?.name ?? code;
}

export function expiresText(expiresAt: number, tz: string): string {
  return localDate(new Date(expiresAt), tz);
}

/** 积分: balance, tier, growth to the next tier, coupons about to expire. */
export function pointsReply(m: MemberView, expiringCoupons: CouponView[], playbook: MembershipPlaybook, now: number): string {
  const t = playbook.texts;
  const next = nextTier(m.tier, playbook);
  const soon = expiringCoupons.filter((c) => c.expiresAt - now <= EXPIRING_SOON_MS).length;
  return fill(t.points, {
    name: displayName(m.name) || '您好',
    points: m.points,
    tier: tierName(m.tier, playbook),
    growth: m.growth,
    next: next ? fill(t.pointsNextTier, { needed: Math.max(0, next.minGrowth - m.growth), tier: next.name }) : t.pointsTopTier,
    expiring: soon > 0 ? fill(t.pointsExpiring, { count: soon }) : '',
  });
}

/** A reward the member can redeem now: in stock, under the limit, affordable. */
export function canRedeem(r: RewardView, points: number): boolean {
  return available(r) && r.cost <= points;
}

function available(r: RewardView): boolean {
  return (r.stock === null || r.stock > 0) && (r.perMemberLimit === null || r.held < r.perMemberLimit);
}

/** 兑换 with no code: what the member can afford now and what is close (the next few above the balance). */
export function redeemMenuReply(points: number, catalogue: RewardView[], playbook: MembershipPlaybook): string {
  const t = playbook.texts;
  const affordable = catalogue.filter((r) => canRedeem(r, points)).slice(0, MENU_LINES);
  const close = catalogue.filter((r) => available(r) && r.cost > points).slice(0, 3);
  const line = (r: RewardView) => fill(t.redeemMenuLine, { code: r.code, name: r.name, cost: r.cost });
  const closeLine = (r: RewardView) => fill(t.redeemMenuCloseLine, { code: r.code, name: r.name, cost: r.cost, short: r.cost - points });
  return fill(t.redeemMenu, {
    points,
    affordable: affordable.length ? fill(t.redeemMenuAffordable, { lines: affordable.map(line).join('\n') }) : t.redeemMenuNoneAffordable,
    close: close.length ? fill(t.redeemMenuClose, { lines: close.map(closeLine).join('\n') }) : '',
    example: (affordable[0] ?? close[0] ?? catalogue[0])?.code ?? 'C001',
  });
}

/** What else the member could redeem now, for the failure replies. */
export function alternativesText(points: number, catalogue: RewardView[], except: string, playbook: MembershipPlaybook): string {
  const t = playbook.texts;
  const options = catalogue.filter((r) => r.code !== except && canRedeem(r, points)).slice(0, 3);
  if (options.length === 0) return t.redeemNoAlternatives;
  return fill(t.redeemAlternatives, { lines: options.map((r) => fill(t.redeemMenuLine, { code: r.code, name: r.name, cost: r.cost })).join('、') });
}

/** 我的券. */
export function couponsReply(list: CouponView[], playbook: MembershipPlaybook, tz: string): string {
  const t = playbook.texts;
  if (list.length === 0) return t.couponsNone;
  const lines = list.slice(0, 10).map((c) => fill(t.couponLine, { reward: c.rewardName, coupon: c.code, expires: expiresText(c.expiresAt, tz) }));
  return fill(t.coupons, { lines: lines.join('\n') });
}

const LUNAR_MONTH_NAMES = ['正', '二', '三', '四', '五', '六', '七', '八', '九', '十', '冬', '腊'];
const LUNAR_DIGITS = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/** `8` → `初八`, `15` → `十五`, `20` → `二十`, `23` → `廿三`, `30` → `三十`. */
export function lunarDayName(day: number): string {
  if (day <= 10) return `初${LUNAR_DIGITS[day]}`;
  if (day < 20) return `十${LUNAR_DIGITS[day - 10]}`;
  if (day === 20) return '二十';
  if (day < 30) return `廿${LUNAR_DIGITS[day - 20]}`;
  return '三十';
}

/** A birthday as members read it: `1990-05-20`, `5月20日`, `农历五月初八`. */
export function birthdayText(b: Pick<BirthdayInput, 'calendar' | 'month' | 'day' | 'year'>): string {
  if (b.calendar === 'lunar') return `农历${b.year ? `${b.year}年` : ''}${LUNAR_MONTH_NAMES[b.month - 1]}月${lunarDayName(b.day)}`;
  const pad = (n: number) => String(n).padStart(2, '0');
  return b.year ? `${b.year}-${pad(b.month)}-${pad(b.day)}` : `${b.month}月${b.day}日`;
}
