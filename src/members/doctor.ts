import type { Db } from '../platform/db/client.js';

/** What `doctor` found. `ok` is true when `problems` is empty. */
export interface DoctorReport {
  ok: boolean;
  problems: string[];
}

/** At most this many lines per check; the rest are counted. */
const SHOWN_PER_CHECK = 20;

interface Check {
  /** What the invariant says, used when more rows break it than are shown. */
  what: string;
  sql: string;
  line: (row: Record<string, unknown>) => string;
}

const CHECKS: Check[] = [
  {
    what: 'balance differs from the ledger sum',
    sql: `select m.id, m.points, coalesce(sum(l.delta), 0) as total from members m left join points_ledger l on l.member_id = m.id
          group by m.id having m.points <> coalesce(sum(l.delta), 0)`,
    line: (r) => `member ${r['id']}: balance ${r['points']} but the ledger sums to ${r['total']}`,
  },
  {
    what: 'negative balance',
    sql: 'select id, points from members where points < 0',
    line: (r) => `member ${r['id']}: negative balance ${r['points']}`,
  },
  {
    what: 'ledger chain broken',
    sql: `select id, member_id, delta, balance_after, prev from (
            select id, member_id, delta, balance_after, lag(balance_after, 1, 0) over (partition by member_id order by id) as prev from points_ledger
          ) where balance_after <> prev + delta or balance_after < 0`,
    line: (r) => `ledger row ${r['id']} (member ${r['member_id']}): balance after ${r['balance_after']} ≠ previous ${r['prev']} + delta ${r['delta']}`,
  },
  {
    what: 'coupons over the per-member limit',
    sql: `select c.member_id, c.reward_code, count(*) as n, r.per_member_limit from coupons c join rewards r on r.code = c.reward_code
          where r.per_member_limit is not null group by c.member_id, c.reward_code having count(*) > r.per_member_limit`,
    line: (r) => `member ${r['member_id']}: ${r['n']} coupons of ${r['reward_code']}, limit ${r['per_member_limit']}`,
  },
  {
    what: 'negative stock',
    sql: 'select code, stock from rewards where stock < 0',
    line: (r) => `reward ${r['code']}: stock ${r['stock']}`,
  },
  {
    what: 'order not credited exactly once',
    sql: `select o.order_id, count(l.id) as n from orders o left join points_ledger l on l.ref = 'order:' || o.order_id
          group by o.order_id having count(l.id) <> 1`,
    line: (r) => `order ${r['order_id']}: credited ${r['n']} times`,
  },
  {
    what: 'order credit without an order',
    sql: `select l.id, l.ref from points_ledger l where l.reason = 'order' and not exists (select 1 from orders o where 'order:' || o.order_id = l.ref)`,
    line: (r) => `ledger row ${r['id']}: ${r['ref']} has no order`,
  },
  {
    what: 'redemption without its coupon',
    sql: `select l.id, l.ref from points_ledger l where l.reason = 'redeem' and not exists (select 1 from coupons c where c.ref = l.ref)`,
    line: (r) => `ledger row ${r['id']}: redemption ${r['ref']} issued no coupon`,
  },
  {
    what: 'redeemed coupon without its debit',
    sql: `select c.code, c.ref from coupons c where c.ref like 'redeem:%' and not exists (select 1 from points_ledger l where l.ref = c.ref)`,
    line: (r) => `coupon ${r['code']}: ${r['ref']} has no ledger debit`,
  },
  {
    what: 'used coupon without its order',
    sql: `select c.code, c.used_order_id from coupons c where c.status = 'used'
          and (c.used_order_id is null or not exists (select 1 from orders o where o.order_id = c.used_order_id and o.member_id = c.member_id))`,
    line: (r) => `coupon ${r['code']}: used, but ${r['used_order_id'] === null ? 'no order is recorded' : `order ${r['used_order_id']} is not an order of its member`}`,
  },
];

/**
 * Checks the membership invariants on a store and lists every break: balances equal the ledger,
 * no negative balance, the ledger's running balance is consistent, coupons within the per-member
 * limits, stock never negative, each order credited once, each redemption debited and issued, each
 * used coupon on an order of its member.
 * Read-only.
 * @example const { ok, problems } = runDoctor(db)
 */
export function runDoctor(db: Db): DoctorReport {
  const problems: string[] = [];
  for (const check of CHECKS) {
    const rows = db.$client.prepare(check.sql).all() as Record<string, unknown>[];
    for (const row of rows.slice(0, SHOWN_PER_CHECK)) problems.push(check.line(row));
    if (rows.length > SHOWN_PER_CHECK) problems.push(`… and ${rows.length - SHOWN_PER_CHECK} more: ${check.what}`);
  }
  return { ok: problems.length === 0, problems };
}
