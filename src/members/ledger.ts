import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Db } from '../platform/db/client.js';
import type { MembershipPlaybook } from './playbook.js';
import { growthForOrder, pointsForOrder, tierAfterGrowth, tierByCode } from './members.rules.js';

export { tierFor } from './members.rules.js';

/**
 * The points ledger and order crediting. The ledger is append-only and `ref` is unique, so the same
 * order or redemption never counts twice; `members.points` is a cache of the ledger's sum, written in
 * the same transaction as the ledger row. Every function here runs in its own transaction, which
 * nests (as a savepoint) inside a caller's transaction, e.g. an import batch.
 */

/** Why points moved; `ref` makes each movement unique (`order:<id>`, `redeem:<messageId>`, `referral:<memberId>`). */
export type LedgerReason = 'order' | 'redeem' | 'referral' | 'care' | 'adjust' | 'expire';

/** One order to credit. */
export interface OrderInput {
  orderId: string;
  memberId: number;
  /** Amount in fen (分), a whole number ≥ 0. */
  amountFen: number;
  orderedAt: Date | number;
  storeCode?: string | null;
}

/** What crediting an order did. */
export interface CreditResult {
  /** False when the order was already in the store: nothing changed. */
  credited: boolean;
  /** Points this order added (0 when not credited). */
  points: number;
  /** Growth this order added (0 when not credited). */
  growth: number;
  tierBefore: string;
  tierAfter: string;
  /** The member's order count after this order. */
  orderCount: number;
  /** The member's points balance after this order. */
  balance: number;
}

interface MemberRow {
  id: number;
  tier: string;
  growth: number;
  points: number;
  order_count: number;
}

type Statements = ReturnType<typeof prepare> & {
  credit: Database.Transaction<(pb: MembershipPlaybook, order: OrderInput, at: number) => CreditResult>;
  append: Database.Transaction<(entry: LedgerEntry, at: number) => AppendResult>;
};

const statementsByDb = new WeakMap<Database.Database, Statements>();

function prepare(c: Database.Database) {
  return {
    member: c.prepare<[number], MemberRow>('select id, tier, growth, points, order_count from members where id = ?'),
    insertOrder: c.prepare<[string, number, number, number, string | null, number]>(
      'insert into orders (order_id, member_id, amount_fen, ordered_at, store_code, imported_at) values (?, ?, ?, ?, ?, ?) on conflict(order_id) do nothing',
    ),
    insertLedger: c.prepare<[number, number, string, string, number, number]>(
      'insert into points_ledger (member_id, delta, reason, ref, balance_after, created_at) values (?, ?, ?, ?, ?, ?) on conflict(ref) do nothing',
    ),
    creditMember: c.prepare<[number, number, string, number, number, number]>(
      `update members set points = ?, growth = ?, tier = ?, order_count = order_count + 1,
         last_purchase_at = max(coalesce(last_purchase_at, 0), ?), updated_at = ? where id = ?`,
    ),
    insertEvent: c.prepare<[number, string, string, string, number]>(
      'insert into member_events (member_id, kind, ref, data, at) values (?, ?, ?, ?, ?) on conflict(ref) do nothing',
    ),
    setPoints: c.prepare<[number, number, number]>('update members set points = ?, updated_at = ? where id = ?'),
  };
}

/** Statements and transaction functions, prepared once per connection. */
function statements(db: Db): Statements {
  let s = statementsByDb.get(db.$client);
  if (!s) {
    const p = prepare(db.$client);
    const full: Statements = Object.assign(p, {
      credit: db.$client.transaction((pb: MembershipPlaybook, order: OrderInput, at: number) => credit(full, pb, order, at)),
      append: db.$client.transaction((entry: LedgerEntry, at: number) => append(full, entry, at)),
    });
    s = full;
    statementsByDb.set(db.$client, s);
  }
  return s;
}

const ms = (t: Date | number) => (typeof t === 'number' ? t : t.getTime());

/**
 * Credits one order: inserts it (order id unique), appends the ledger row `order:<orderId>` with
 * floor(amount ÷ yuanPerPoint × the member's tier multiplier) points, adds growth, and updates the
 * member's points, tier, order count and last purchase, all in one transaction (a savepoint when
 * called inside another). An order already in the store changes nothing and returns `credited: false`.
 * @throws RangeError when the amount is not a whole number of fen ≥ 0 or the member does not exist.
 * @example creditOrder(db, playbook, { orderId: 'A1001', memberId: 7, amountFen: 39_900, orderedAt: now, storeCode: 'HZ01' }, now)
 */
export function creditOrder(db: Db, playbook: MembershipPlaybook, order: OrderInput, now: Date | number): CreditResult {
  if (!Number.isSafeInteger(order.amountFen) || order.amountFen < 0) {
    throw new RangeError(`order ${order.orderId}: amount must be a whole number of fen ≥ 0, found ${String(order.amountFen)}`);
  }
  if (!order.orderId) throw new RangeError('order id is required, found an empty value');
  return statements(db).credit.immediate(playbook, order, ms(now));
}

function credit(s: Statements, playbook: MembershipPlaybook, order: OrderInput, at: number): CreditResult {
  const m = s.member.get(order.memberId);
  if (!m) throw new RangeError(`order ${order.orderId}: member ${order.memberId} does not exist`);
  const inserted = s.insertOrder.run(order.orderId, order.memberId, order.amountFen, ms(order.orderedAt), order.storeCode ?? null, at);
  if (inserted.changes === 0) {
    return { credited: false, points: 0, growth: 0, tierBefore: m.tier, tierAfter: m.tier, orderCount: m.order_count, balance: m.points };
  }
  const multiplier = tierByCode(m.tier, playbook)?.multiplier ?? playbook.tiers[0]!.multiplier;
  const points = pointsForOrder(order.amountFen, multiplier, playbook);
  const growthAdded = growthForOrder(order.amountFen, playbook);
  const growth = m.growth + growthAdded;
  const tier = tierAfterGrowth(m.tier, growth, playbook).code;
  const balance = m.points + points;
  s.insertLedger.run(m.id, points, 'order', `order:${order.orderId}`, balance, at);
  s.creditMember.run(balance, growth, tier, ms(order.orderedAt), at, m.id);
  const result = { credited: true, points, growth: growthAdded, tierBefore: m.tier, tierAfter: tier, orderCount: m.order_count + 1, balance };
  if (at - ms(order.orderedAt) <= playbook.care.recentOrderHours * 3_600_000) recordEvents(s, m.id, order.orderId, result, playbook, at);
  return result;
}

/**
 * Domain events of a recent order, for lifecycle care (read by the members capability): the first
 * purchase, the configured Nth purchases, and a tier upgrade. `ref` is unique per order and kind.
 */
function recordEvents(s: ReturnType<typeof prepare>, memberId: number, orderId: string, r: CreditResult, playbook: MembershipPlaybook, at: number): void {
  const data = JSON.stringify({ orderId, points: r.points, balance: r.balance, orderCount: r.orderCount, tierBefore: r.tierBefore, tierAfter: r.tierAfter });
  if (r.orderCount === 1) s.insertEvent.run(memberId, 'first-purchase', `first-purchase:${orderId}`, data, at);
  else if (playbook.care.repurchase.onOrderCounts.includes(r.orderCount)) s.insertEvent.run(memberId, 'repurchase', `repurchase:${orderId}`, data, at);
  if (r.tierAfter !== r.tierBefore) s.insertEvent.run(memberId, 'tier-upgrade', `tier-upgrade:${orderId}`, data, at);
}

/** One ledger movement. */
export interface LedgerEntry {
  memberId: number;
  delta: number;
  reason: LedgerReason;
  ref: string;
}

/** What appending to the ledger did. */
export type AppendResult =
  | { ok: true; balance: number }
  | { ok: false; reason: 'duplicate'; balance: number }
  | { ok: false; reason: 'insufficient'; balance: number }
  | { ok: false; reason: 'no-member'; balance: 0 };

/**
 * Appends one ledger row and moves the member's balance with it, in one transaction (a savepoint
 * when nested). Refuses a `ref` already in the ledger (`duplicate`) and a debit larger than the
 * balance (`insufficient`): a balance never goes below zero.
 * @example appendLedger(db, { memberId: 7, delta: -50, reason: 'redeem', ref: 'redeem:msg-1' }, now)
 */
export function appendLedger(db: Db, entry: LedgerEntry, now: Date | number): AppendResult {
  if (!Number.isSafeInteger(entry.delta)) throw new RangeError(`ledger ${entry.ref}: delta must be a whole number, found ${String(entry.delta)}`);
  return statements(db).append.immediate(entry, ms(now));
}

function append(s: Statements, entry: LedgerEntry, at: number): AppendResult {
  const m = s.member.get(entry.memberId);
  if (!m) return { ok: false, reason: 'no-member', balance: 0 };
  const balance = m.points + entry.delta;
  if (balance < 0) return { ok: false, reason: 'insufficient', balance: m.points };
  if (s.insertLedger.run(m.id, entry.delta, entry.reason, entry.ref, balance, at).changes === 0) {
    return { ok: false, reason: 'duplicate', balance: m.points };
  }
  s.setPoints.run(balance, at, m.id);
  return { ok: true, balance };
}

export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/**
 * A random code from an unambiguous alphabet (no 0/O, 1/I/L), for referral codes (8 characters:
 * draw again on the rare clash with `members_referral_uq`) and coupon codes (12).
 * @example newCode(8) // 'K7QX3MPA'
 */
export function newCode(length: number): string {
  let out = '';
  while (out.length < length) {
    if (poolAt >= pool.length) {
      pool = randomBytes(POOL_BYTES);
      poolAt = 0;
    }
    const b = pool[poolAt++]!;
    // Bytes from 248 up are skipped: 248 = 8 × 31, so every character stays equally likely.
    if (b < UNBIASED_BELOW) out += CODE_ALPHABET[b % CODE_ALPHABET.length];
  }
  return out;
}

/** Crypto random bytes drawn 4 KiB at a time: one system call per few hundred codes, not one per character. */
const POOL_BYTES = 4096;
const UNBIASED_BELOW = Math.floor(256 / CODE_ALPHABET.length) * CODE_ALPHABET.length;
let pool = Buffer.alloc(0);
let poolAt = 0;

/** A new member's referral (invite) code. Unique in practice; the unique index is the guarantee. */
export function newReferralCode(): string {
  return newCode(8);
}
