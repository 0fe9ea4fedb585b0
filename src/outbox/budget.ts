import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/** An account's sending limits. 0 turns a limit off. */
export interface BudgetLimits {
  /** Most sends in any sliding window of `windowMs` (SEND_RATE_PER_MINUTE). */
  perWindow: number;
  /** The sliding window; 60 000 unless a test shortens it. */
  windowMs: number;
  /** Most sends in any sliding hour (SEND_CAP_PER_HOUR). */
  perHour: number;
  /** Most sends in any sliding 24 hours (SEND_CAP_PER_DAY). */
  perDay: number;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * One script for both asking and taking, so the check and the record are one atomic step for every
 * process of the account. Sends are kept in a sorted set scored by time; a send is first recorded at
 * the moment its slot is taken and then moved to the moment the provider accepted it (`settle`), and the
 * last send's end is kept apart: so the spacing and the window hold between arrivals at the provider,
 * not only between the bot's decisions.
 *
 * KEYS: sends zset, last-end key. ARGV: now, spacing, window, perWindow, perHour, perDay, take (0|1), member.
 * Returns 0 when a slot is free (and taken when take=1), else the milliseconds until one frees.
 */
const TAKE = `
local now = tonumber(ARGV[1])
local spacing = tonumber(ARGV[2])
local win = tonumber(ARGV[3])
local keep = ${HOUR}
if tonumber(ARGV[6]) > 0 then keep = ${DAY} end
if win > keep then keep = win end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - keep)
local wait = 0
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
if last + spacing > now then wait = last + spacing - now end
local function limit(n, span)
  if n <= 0 then return end
  local c = redis.call('ZCOUNT', KEYS[1], '(' .. (now - span), '+inf')
  if c >= n then
    local r = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - span), '+inf', 'WITHSCORES', 'LIMIT', c - n, 1)
    local leaves = tonumber(r[2]) + span - now
    if leaves > wait then wait = leaves end
  end
end
limit(tonumber(ARGV[4]), win)
limit(tonumber(ARGV[5]), ${HOUR})
limit(tonumber(ARGV[6]), ${DAY})
if wait > 0 or ARGV[7] == '0' then return wait end
redis.call('ZADD', KEYS[1], now, ARGV[8])
redis.call('SET', KEYS[2], now, 'PX', keep)
redis.call('PEXPIRE', KEYS[1], keep)
return 0
`;

/** KEYS: sends zset, last-end key. ARGV: member, end time. Moves the send to when it ended. */
const SETTLE = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1]) end
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
if tonumber(ARGV[2]) > last then redis.call('SET', KEYS[2], ARGV[2], 'KEEPTTL') end
return 1
`;

type BudgetRedis = Redis & {
  siyuBudgetTake(k1: string, k2: string, ...argv: (string | number)[]): Promise<number>;
  siyuBudgetSettle(k1: string, k2: string, member: string, end: number): Promise<number>;
};

/** A slot taken: settle it when the provider has the message. */
export interface Slot {
  readonly member: string;
}

/**
 * The send budget of one account, kept in Redis so that every process sending for the account
 * shares it: never more than `perWindow` sends in any sliding window, `perHour` in any hour,
 * `perDay` in any 24 hours, and never two sends closer than the spacing the caller asks for.
 * Only real sends take a slot: the sender asks for one after every other decision is made.
 * @example
 * const budget = new SendBudget(redis, 'siyu', 'main', { perWindow: 20, windowMs: 60_000, perHour: 0, perDay: 0 })
 * const wait = await budget.waitFor(Date.now(), 1000) // 0: a send may go now
 */
export class SendBudget {
  private readonly redis: BudgetRedis;
  private readonly keys: [string, string];

  constructor(
    redis: Redis,
    prefix: string,
    readonly account: string,
    readonly limits: BudgetLimits,
  ) {
    if (!(redis as unknown as Partial<BudgetRedis>).siyuBudgetTake) {
      redis.defineCommand('siyuBudgetTake', { numberOfKeys: 2, lua: TAKE });
      redis.defineCommand('siyuBudgetSettle', { numberOfKeys: 2, lua: SETTLE });
    }
    this.redis = redis as unknown as BudgetRedis;
    this.keys = [`${prefix}:budget:${account}:sends`, `${prefix}:budget:${account}:last`];
  }

  /** True when no limit applies (benchmarks). */
  get unlimited(): boolean {
    const l = this.limits;
    return l.perWindow <= 0 && l.perHour <= 0 && l.perDay <= 0;
  }

  /**
   * Milliseconds until a send spaced `spacingMs` after the last one may go (0: now). Takes nothing.
   * `reserve` window slots stay free for others: the paced lane leaves one for replies.
   */
  async waitFor(now: number, spacingMs: number, reserve = 0): Promise<number> {
    return this.call(now, spacingMs, reserve, false, '');
  }

  /** Takes a slot now, or says how long until one frees (then nothing is taken). */
  async take(now: number, spacingMs: number, reserve = 0): Promise<{ slot: Slot } | { waitMs: number }> {
    const member = `${now}-${randomUUID().slice(0, 8)}`;
    const wait = await this.call(now, spacingMs, reserve, true, member);
    return wait > 0 ? { waitMs: wait } : { slot: { member } };
  }

  /** Records when the send that took `slot` ended (accepted or refused by the provider). */
  async settle(slot: Slot, endedAt: number): Promise<void> {
    await this.redis.siyuBudgetSettle(this.keys[0], this.keys[1], slot.member, endedAt);
  }

  /** Sends recorded in the last `spanMs` (for /metrics and the console). */
  async used(now: number, spanMs: number): Promise<number> {
    return this.redis.zcount(this.keys[0], `(${now - spanMs}`, '+inf');
  }

  /** The even pace that fills the window without bursts: window ÷ rate (0 without a rate). */
  get paceMs(): number {
    return this.limits.perWindow > 0 ? Math.ceil(this.limits.windowMs / this.limits.perWindow) : 0;
  }

  private async call(now: number, spacingMs: number, reserve: number, take: boolean, member: string): Promise<number> {
    const l = this.limits;
    const perWindow = l.perWindow > 0 ? Math.max(1, l.perWindow - reserve) : 0;
    return Number(
      await this.redis.siyuBudgetTake(this.keys[0], this.keys[1], now, Math.max(0, Math.round(spacingMs)), l.windowMs, perWindow, l.perHour, l.perDay, take ? 1 : 0, member),
    );
  }
}
