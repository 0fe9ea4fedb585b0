/**
 * `import orders`: one row per order, credited through the ledger's `creditOrder`, so an order counts
 * once however often the file is imported. An order already in the store with other figures is a bad
 * row: imported orders are never changed.
 */
import { creditOrder } from '../../ledger.js';
import { useLookupCache } from '../bulk-load.js';
import type { FieldSpec } from '../headers.js';
import { KnownCodes } from '../known-codes.js';
import { RowReader } from '../row-reader.js';
import type { FieldProblem, ImportKind } from '../types.js';
import { parseAmountFen, parseCode, parseDateTime, parseId, parsePhone } from '../values.js';
import { FirstSeen, phoneField, repeatProblem, storeRefField, unknownRefs } from './shared.js';

export interface OrderRow {
  orderId: string;
  phone?: string;
  /** As given, then resolved by `check` from the phone when not given. */
  memberId?: number;
  amountFen: number;
  orderedAt: number;
  storeCode?: string;
  /** The coupon used on the order (marked `used` with the order). */
  couponCode?: string;
  /** Set by `check`: the same order is already in the store. */
  known?: boolean;
}

const fields: FieldSpec[] = [
  { key: 'orderId', label: '订单号/order_id', required: true, aliases: ['订单号', '订单编号', '订单ID', '单号', '交易单号', 'order id', 'order no', 'order number', 'order'] },
  {
    key: 'amount',
    label: '金额/amount',
    required: true,
    aliases: ['金额', '实付金额', '实付', '实收金额', '支付金额', '订单金额', '消费金额', 'amount', 'paid', 'paid amount', 'total', 'pay amount'],
  },
  {
    key: 'orderedAt',
    label: '下单时间/ordered_at',
    required: true,
    aliases: ['下单时间', '订单时间', '支付时间', '成交时间', '交易时间', '时间', '日期', 'ordered at', 'order time', 'order date', 'paid at', 'time', 'date'],
  },
  phoneField,
  { key: 'memberId', label: '会员ID/member_id', aliases: ['会员ID', '会员编号', '会员号', 'member id', 'memberid', 'member'] },
  storeRefField,
  {
    key: 'coupon',
    label: '券码/coupon',
    aliases: ['券码', '优惠券', '优惠券码', '优惠券号', '券号', '核销券码', '使用券码', 'coupon', 'coupon code', 'coupon_code', 'voucher', 'voucher code'],
  },
];

/** Grace for clocks a little ahead of ours: later than this is "in the future". */
const FUTURE_GRACE_MS = 10 * 60_000;

const yuan = (fen: number) => (fen / 100).toFixed(2);

/** Orders: import after members (each order names its member by phone or member id). */
export const ordersKind: ImportKind<OrderRow> = {
  name: 'orders',
  noun: 'order',
  fields,
  oneOf: [['phone', 'memberId']],
  parse(cells, env) {
    const r = new RowReader(cells);
    const orderId = r.required('orderId', parseCode);
    const amountFen = r.required('amount', parseAmountFen);
    const orderedAt = r.required('orderedAt', parseDateTime, env.timeZone);
    const phone = r.optional('phone', parsePhone);
    const memberId = r.optional('memberId', parseId);
    const storeCode = r.optional('store', parseCode);
    const couponCode = r.optional('coupon', parseCode)?.toUpperCase();
    if (!r.has('phone') && !r.has('memberId')) {
      r.problem(r.raw('phone') !== undefined ? 'phone' : 'memberId', '', "is empty: each order needs its member's phone or member id");
    }
    if (orderedAt !== undefined && orderedAt > env.now.getTime() + FUTURE_GRACE_MS) {
      r.problem('orderedAt', r.raw('orderedAt')!, 'is in the future');
    }
    if (r.problems.length) return r.problems;
    return { orderId: orderId!, amountFen: amountFen!, orderedAt: orderedAt!, phone, memberId, storeCode, couponCode };
  },
  open(db, { now, playbook }) {
    if (!playbook) throw new Error('import orders needs the membership playbook (points per order)');
    const sqlite = db.$client;
    useLookupCache(sqlite);
    const byPhone = sqlite.prepare<[string], number>('select id from members where phone = ?').pluck();
    const byId = sqlite.prepare<[number], number>('select id from members where id = ?').pluck();
    const existing = sqlite.prepare<[string], { memberId: number; amountFen: number; orderedAt: number }>(
      'select member_id as memberId, amount_fen as amountFen, ordered_at as orderedAt from orders where order_id = ?',
    );
    const coupon = sqlite.prepare<[string], { memberId: number; status: string; issuedAt: number; expiresAt: number; usedOrderId: string | null }>(
      'select member_id as memberId, status, issued_at as issuedAt, expires_at as expiresAt, used_order_id as usedOrderId from coupons where code = ?',
    );
    const useCoupon = sqlite.prepare<[number, string, string]>("update coupons set status = 'used', used_at = ?, used_order_id = ? where code = ? and status = 'issued'");
    const stores = KnownCodes.fromTable(sqlite, 'stores');
    const seen = new FirstSeen<string>();
    const seenCoupons = new FirstSeen<string>();
    let couponsUsed = 0;
    let points = 0;
    let upgrades = 0;
    const credited = new Set<number>();

    function resolveMember(row: OrderRow): FieldProblem[] {
      const viaPhone = row.phone === undefined ? undefined : byPhone.get(row.phone);
      if (row.phone !== undefined && viaPhone === undefined) {
        return [{ field: 'phone', value: row.phone, why: 'is not the phone of any member: import the member first (import members FILE)' }];
      }
      if (row.memberId !== undefined) {
        if (byId.get(row.memberId) === undefined) return [{ field: 'memberId', value: String(row.memberId), why: 'is not a member id in the store' }];
        if (viaPhone !== undefined && viaPhone !== row.memberId) {
          return [{ field: 'memberId', value: String(row.memberId), why: `does not match the phone on the same row (member ${viaPhone})` }];
        }
      }
      row.memberId ??= viaPhone;
      return [];
    }

    /** The coupon column: a coupon of this member, valid when the order was placed, not used on another order. */
    function checkCoupon(row: OrderRow): FieldProblem[] {
      const code = row.couponCode;
      if (code === undefined || row.memberId === undefined) return [];
      const problem = (why: string): FieldProblem[] => [{ field: 'coupon', value: code, why }];
      const c = coupon.get(code);
      if (!c) return problem('is not a coupon code in the store: only coupons the bot issued can be marked used');
      if (c.memberId !== row.memberId) return problem(`belongs to another member (member ${c.memberId}), not to the member of this order`);
      if (c.usedOrderId === row.orderId) return [];
      if (c.status === 'used') return problem(`was already used${c.usedOrderId ? ` on order ${c.usedOrderId}` : ''}: a coupon is used once`);
      if (c.status === 'expired' || c.expiresAt <= row.orderedAt) return problem(`had expired when the order was placed (valid until ${new Date(c.expiresAt).toISOString()})`);
      if (c.issuedAt > row.orderedAt) return problem(`was issued after the order was placed (${new Date(c.issuedAt).toISOString()})`);
      return [];
    }

    const creditWithCoupon = sqlite.transaction((row: OrderRow) => {
      const r = creditOrder(
        db,
        playbook,
        {
          orderId: row.orderId,
          memberId: row.memberId!,
          amountFen: row.amountFen,
          orderedAt: row.orderedAt,
          storeCode: row.storeCode ?? null,
        },
        now,
      );
      if (r.credited && row.couponCode !== undefined) {
        if (useCoupon.run(row.orderedAt, row.orderId, row.couponCode).changes !== 1) throw new Error(`coupon ${row.couponCode} could not be marked used`);
        couponsUsed++;
      }
      return r;
    });

    return {
      check(row, n) {
        const problems = [
          ...repeatProblem(seen, row.orderId, n, 'orderId', row.orderId, 'order id'),
          ...(row.couponCode === undefined ? [] : repeatProblem(seenCoupons, row.couponCode, n, 'coupon', row.couponCode, 'coupon code')),
          ...unknownRefs(stores, null, row.storeCode, undefined),
          ...resolveMember(row),
        ];
        if (problems.length === 0) problems.push(...checkCoupon(row));
        const cur = existing.get(row.orderId);
        if (cur && problems.length === 0) {
          const diff =
            cur.memberId !== row.memberId
              ? `member ${cur.memberId}`
              : cur.amountFen !== row.amountFen
                ? `amount ${yuan(cur.amountFen)}`
                : cur.orderedAt !== row.orderedAt
                  ? `time ${new Date(cur.orderedAt).toISOString()}`
                  : null;
          if (diff) problems.push({ field: 'orderId', value: row.orderId, why: `was already imported with ${diff}: an imported order is never changed` });
          else if (row.couponCode !== undefined && coupon.get(row.couponCode)?.usedOrderId !== row.orderId) {
            problems.push({ field: 'coupon', value: row.couponCode, why: `is not the coupon order ${row.orderId} was imported with: an imported order is never changed` });
          } else row.known = true;
        }
        return problems;
      },
      apply(row, dryRun) {
        if (row.known) return 'unchanged';
        if (dryRun) return 'created';
        const r = creditWithCoupon(row);
        if (!r.credited) return 'unchanged';
        points += r.points;
        credited.add(row.memberId!);
        if (r.tierAfter !== r.tierBefore) upgrades++;
        return 'created';
      },
      notes: () => [
        ...(credited.size
          ? [`points credited: ${points.toLocaleString('en-US')} to ${credited.size.toLocaleString('en-US')} members; tier upgrades: ${upgrades.toLocaleString('en-US')}`]
          : []),
        ...(couponsUsed ? [`coupons marked used: ${couponsUsed.toLocaleString('en-US')}`] : []),
      ],
    };
  },
};
