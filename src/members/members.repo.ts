import { peopleOf } from '../core/directory.js';
import { and, asc, eq, getTableColumns, gt, isNull, sql, type Table } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import type { Db } from '../platform/db/client.js';
import { coupons, groups, members, optOuts, rewards } from '../platform/db/schema.js';
import { appendLedger, newCode, newReferralCode } from './ledger.js';
import { baseTier } from './members.rules.js';
import type { MembershipPlaybook, RewardDef } from './playbook.js';
import { friendAttributionOf } from '../friends/index.js';
import { TurnBatch } from '../core/turn-batch.js';

export type MemberRow = typeof members.$inferSelect;
export type CouponRow = typeof coupons.$inferSelect;
export type RewardRow = typeof rewards.$inferSelect;

/** What `join` did. */
export interface JoinResult {
  member: MemberRow;
  /** `created`: a new member; `linked`: an imported record (found by contact id) joined now; `already`: joined before. */
  outcome: 'created' | 'linked' | 'already';
  referral: { status: 'none' } | { status: 'credited'; referrer: MemberRow; points: number; balance: number } | { status: 'unknown-code' | 'self' | 'too-late' };
  gift: CouponRow | null;
}

/** What a redemption did. */
export type RedeemResult =
  | { ok: true; coupon: CouponRow; reward: RewardRow; balance: number }
  | { ok: false; reason: 'unknown-reward' }
  | { ok: false; reason: 'no-stock' | 'over-limit' | 'not-enough' | 'duplicate'; reward: RewardRow; balance: number; held: number };

const MAX_CODE_DRAWS = 5;

/** `rewards.stock_set` of a reward the playbook lists without stock. */
const UNLIMITED = -1;

/** `col_name as "key", …` for every column of a table: raw statements that give drizzle's row shape. */
function columnsOf(table: Table): string {
  return Object.entries(getTableColumns(table))
    .map(([key, c]) => `"${c.name}" as "${key}"`)
    .join(', ');
}

/**
 * The statements of the 兑换 path as plain better-sqlite3 statements: the same rows as drizzle's
 * (`columnsOf`), without its per-call query building and mapping, which cost more than the queries.
 */
function hotStatements(sqlite: Database.Database) {
  return {
    byContact: sqlite.prepare<[string], MemberRow>(`select ${columnsOf(members)} from members where contact_id = ?`),
    byLink: sqlite.prepare<[string], MemberRow>(`select ${columnsOf(members)} from members where id = (select member_id from member_links where contact_id = ?)`),
    byId: sqlite.prepare<[number], MemberRow>(`select ${columnsOf(members)} from members where id = ?`),
    reward: sqlite.prepare<[string], Omit<RewardRow, 'active'> & { active: number }>(`select ${columnsOf(rewards)} from rewards where code = ?`),
    couponCount: sqlite.prepare<[number, string], number>('select count(*) from coupons where member_id = ? and reward_code = ?').pluck(),
    couponCounts: sqlite.prepare<[number], { rewardCode: string; n: number }>(
      'select reward_code as rewardCode, count(*) as n from coupons where member_id = ? group by reward_code',
    ),
    activeRewards: sqlite.prepare<[], Omit<RewardRow, 'active'> & { active: number }>(`select ${columnsOf(rewards)} from rewards where active = 1 order by cost, code`),
    insertCoupon: sqlite.prepare<[string, number, string, string, string, number, number]>(
      'insert into coupons (code, member_id, reward_code, status, ref, issued_at, expires_at) values (?, ?, ?, ?, ?, ?, ?)',
    ),
  };
}

/** One 兑换 request, as `redeemSoon` batches them. */
interface RedeemRequest {
  memberId: number;
  rewardCode: string;
  ref: string;
  playbook: MembershipPlaybook;
  now: number;
}

/**
 * The membership store as the member commands use it. Every multi-row change is one transaction
 * (`immediate`, so two processes serialise on the write lock; a savepoint when nested).
 */
export class MembersRepo {
  private readonly q;
  private readonly redeemTx;
  private readonly hot;
  private readonly redeems: TurnBatch<RedeemRequest, RedeemResult>;

  constructor(private readonly db: Db) {
    const p = (name: string) => sql.placeholder(name);
    this.hot = hotStatements(db.$client);
    this.q = {
      touch: db
        .update(members)
        .set({ lastActiveAt: sql`max(coalesce(${members.lastActiveAt}, 0), ${p('at')})` })
        .where(eq(members.contactId, p('contactId')))
        .prepare(),
      usableCoupons: db
        .select({ coupon: coupons, rewardName: rewards.name })
        .from(coupons)
        .innerJoin(rewards, eq(rewards.code, coupons.rewardCode))
        .where(and(eq(coupons.memberId, p('memberId')), eq(coupons.status, 'issued'), gt(coupons.expiresAt, p('now'))))
        .orderBy(asc(coupons.expiresAt))
        .prepare(),
      takeStock: db
        .update(rewards)
        .set({ stock: sql`${rewards.stock} - 1`, updatedAt: sql`${p('now')}` })
        .where(and(eq(rewards.code, p('code')), gt(rewards.stock, 0)))
        .prepare(),
    };
    this.redeemTx = db.$client.transaction((memberId: number, rewardCode: string, ref: string, playbook: MembershipPlaybook, now: number) =>
      this.redeemInTx(memberId, rewardCode, ref, playbook, now),
    );
    // The redemptions of one event-loop turn share one write transaction (one commit instead of one
    // each); each still runs in its own savepoint, one after the other, each seeing the balance,
    // stock and coupons the ones before it left.
    const many = db.$client.transaction((reqs: RedeemRequest[]) => reqs.map((r) => this.redeemTx(r.memberId, r.rewardCode, r.ref, r.playbook, r.now)));
    this.redeems = new TurnBatch(
      (reqs) => many.immediate(reqs),
      (r) => this.redeem(r.memberId, r.rewardCode, r.ref, r.playbook, r.now),
    );
  }

  private tx<T>(fn: () => T): T {
    return this.db.$client.transaction(fn).immediate();
  }

  /** The member a contact id belongs to: their own contact, or a further contact linked to them (identity/). */
  byContact(contactId: string): MemberRow | undefined {
    return this.hot.byContact.get(contactId) ?? this.hot.byLink.get(contactId);
  }

  byId(id: number): MemberRow | undefined {
    return this.hot.byId.get(id);
  }

  /** A reward of the live catalogue (active or not). */
  reward(code: string): RewardRow | undefined {
    const r = this.hot.reward.get(code);
    return r && { ...r, active: r.active === 1 };
  }

  byReferralCode(code: string): MemberRow | undefined {
    return this.db.select().from(members).where(eq(members.referralCode, code)).get();
  }

  /** True when the contact is an active staff member (their unknown text belongs to staff routines, e.g. 3+3+3 check-ins). */
  isStaff(contactId: string): boolean {
    return peopleOf(this.db).isStaff(contactId);
  }

  /**
   * True when the bot can write to the contact privately: one of the brand's accounts reaches them
   * (account_reach: a friend, or they wrote to it), else they are a friend of the account (and did not
   * remove it), or they wrote to it in a private chat before.
   */
  canWritePrivately(contactId: string): boolean {
    const sqlite = this.db.$client;
    if (sqlite.prepare<[string], number>(`select 1 from account_reach where target_kind = 'contact' and target_id = ? limit 1`).pluck().get(contactId) !== undefined) return true;
    const friend = sqlite.prepare<[string], string>('select status from friends where contact_id = ?').pluck().get(contactId);
    if (friend !== undefined) return friend === 'friend';
    return sqlite.prepare('select 1 from inbound_messages where conversation_id = ? and room_id is null limit 1').pluck().get(contactId) !== undefined;
  }

  /** Records inbound activity of a linked member (no-op for other contacts). */
  touchActive(contactId: string, at: number): void {
    this.q.touch.run({ contactId, at });
  }

  /**
   * 入会: links the contact to its member record (imported with this contact id) or creates one; on
   * the first join issues the new-member gift and, with a friend's invite code, credits the referrer
   * once (ledger ref `referral:<memberId>`). One transaction.
   */
  join(input: { contactId: string; name: string; roomId: string | null; referralCode: string | null; phone?: string }, playbook: MembershipPlaybook, now: number): JoinResult {
    return this.tx((): JoinResult => {
      let member = this.byContact(input.contactId);
      let outcome: JoinResult['outcome'];
      if (member?.joinedAt) outcome = 'already';
      else if (member) {
        this.db.update(members).set({ joinedAt: now, lastActiveAt: now, updatedAt: now }).where(eq(members.id, member.id)).run();
        outcome = 'linked';
      } else {
        member = this.create(input, playbook, now);
        outcome = 'created';
      }
      const referral = this.applyReferral(member, outcome, input.referralCode, playbook, now);
      const giftCode = playbook.care.newMember.giftReward;
      const gift = outcome !== 'already' && giftCode ? this.issueGift(member.id, giftCode, `gift:new-member:${member.id}`, now) : null;
      return { member: this.byId(member.id)!, outcome, referral, gift };
    });
  }

  private create(input: { contactId: string; name: string; roomId: string | null; phone?: string }, playbook: MembershipPlaybook, now: number): MemberRow {
    const group = input.roomId ? this.db.select().from(groups).where(eq(groups.roomId, input.roomId)).get() : undefined;
    // A contact who added the account through a store or guide code keeps that attribution (issue 9).
    const friend = friendAttributionOf(this.db, input.contactId);
    for (let draw = 1; ; draw++) {
      try {
        return this.db
          .insert(members)
          .values({
            contactId: input.contactId,
            name: input.name,
            phone: input.phone ?? null,
            tier: baseTier(playbook).code,
            referralCode: newReferralCode(),
            storeCode: friend?.storeCode ?? group?.storeCode ?? null,
            guideCode: friend?.storeCode ? friend.guideCode : (group?.guideCode ?? null),
            joinedAt: now,
            lastActiveAt: now,
            createdAt: now,
            updatedAt: now,
          })
          .returning()
          .get();
      } catch (err) {
        if (draw < MAX_CODE_DRAWS && /members\.referral_code|members_referral_uq/.test(String(err))) continue;
        throw err;
      }
    }
  }

  private applyReferral(member: MemberRow, outcome: JoinResult['outcome'], code: string | null, playbook: MembershipPlaybook, now: number): JoinResult['referral'] {
    if (!code) return { status: 'none' };
    if (outcome === 'already' || member.referrerId !== null) return { status: 'too-late' };
    if (code === member.referralCode) return { status: 'self' };
    const referrer = this.byReferralCode(code);
    if (!referrer) return { status: 'unknown-code' };
    this.db.update(members).set({ referrerId: referrer.id, updatedAt: now }).where(eq(members.id, member.id)).run();
    const points = playbook.referral.referrerPoints;
    const r = appendLedger(this.db, { memberId: referrer.id, delta: points, reason: 'referral', ref: `referral:${member.id}` }, now);
    return { status: 'credited', referrer, points: r.ok ? points : 0, balance: r.balance };
  }

  /**
   * Issues a gift coupon (no points) once per `ref`; takes one from stock when stock is limited.
   * @returns the coupon, or null when the reward is unknown, out of stock, or `ref` was issued before.
   */
  issueGift(memberId: number, rewardCode: string, ref: string, now: number): CouponRow | null {
    return this.tx(() => {
      const reward = this.reward(rewardCode);
      if (!reward || !reward.active) return null;
      if (this.db.select({ c: coupons.code }).from(coupons).where(eq(coupons.ref, ref)).get()) return null;
      if (reward.stock !== null && this.q.takeStock.run({ code: reward.code, now }).changes === 0) return null;
      return this.insertCoupon(memberId, reward, ref, now);
    });
  }

  /**
   * 兑换 CODE: checks stock, the per-member limit and the balance, then takes one from stock, debits
   * the points (ledger ref) and issues the coupon, all in one transaction. `ref` makes a redelivered
   * request a no-op.
   */
  redeem(memberId: number, rewardCode: string, ref: string, playbook: MembershipPlaybook, now: number): RedeemResult {
    return this.redeemTx.immediate(memberId, rewardCode, ref, playbook, now);
  }

  /**
   * {@link redeem}, with the other redemptions asked for in the same event-loop turn in one write
   * transaction: what a burst of 兑换 messages uses. Same outcome as calling `redeem` for each in order.
   */
  redeemSoon(memberId: number, rewardCode: string, ref: string, playbook: MembershipPlaybook, now: number): Promise<RedeemResult> {
    return this.redeems.add({ memberId, rewardCode, ref, playbook, now });
  }

  private redeemInTx(memberId: number, rewardCode: string, ref: string, playbook: MembershipPlaybook, now: number): RedeemResult {
    const def = playbook.rewards.find((r) => r.code === rewardCode);
    const reward = this.reward(rewardCode);
    if (!def || def.giftOnly || !reward || !reward.active) return { ok: false, reason: 'unknown-reward' };
    const member = this.byId(memberId);
    if (!member) throw new RangeError(`redeem ${ref}: member ${memberId} does not exist`);
    const held = reward.perMemberLimit === null ? 0 : this.couponCount(memberId, reward.code);
    const fail = (reason: 'no-stock' | 'over-limit' | 'not-enough' | 'duplicate'): RedeemResult => ({ ok: false, reason, reward, balance: member.points, held });
    if (reward.stock !== null && reward.stock <= 0) return fail('no-stock');
    if (reward.perMemberLimit !== null && held >= reward.perMemberLimit) return fail('over-limit');
    if (member.points < reward.cost) return fail('not-enough');
    const debit = appendLedger(this.db, { memberId, delta: -reward.cost, reason: 'redeem', ref }, now);
    if (!debit.ok) return fail(debit.reason === 'duplicate' ? 'duplicate' : 'not-enough');
    if (reward.stock !== null) this.q.takeStock.run({ code: reward.code, now });
    const coupon = this.insertCoupon(memberId, reward, ref, now);
    return { ok: true, coupon, reward: { ...reward, stock: reward.stock === null ? null : reward.stock - 1 }, balance: debit.balance };
  }

  private insertCoupon(memberId: number, reward: RewardRow, ref: string, now: number): CouponRow {
    const coupon: CouponRow = {
      code: newCode(12),
      memberId,
      rewardCode: reward.code,
      status: 'issued',
      ref,
      issuedAt: now,
      expiresAt: now + reward.validityDays * 86_400_000,
      usedAt: null,
      usedOrderId: null,
    };
    this.hot.insertCoupon.run(coupon.code, memberId, reward.code, coupon.status, ref, now, coupon.expiresAt);
    return coupon;
  }

  /** Coupons of one reward a member holds or held (any status): what the per-member limit counts. */
  couponCount(memberId: number, rewardCode: string): number {
    return this.hot.couponCount.get(memberId, rewardCode) ?? 0;
  }

  /** Coupons a member holds or held (any status), by reward: what per-member limits count. */
  couponCounts(memberId: number): Map<string, number> {
    return new Map(this.hot.couponCounts.all(memberId).map((r) => [r.rewardCode, r.n]));
  }

  /** Coupons still usable (issued, not expired), soonest expiry first. */
  usableCoupons(memberId: number, now: number): (CouponRow & { rewardName: string })[] {
    return this.q.usableCoupons.all({ memberId, now }).map((r) => ({ ...r.coupon, rewardName: r.rewardName }));
  }

  /** The live catalogue: active rewards members may redeem (not gift-only), cheapest first. */
  redeemable(playbook: MembershipPlaybook): RewardRow[] {
    const allowed = new Set(playbook.rewards.filter((r) => !r.giftOnly).map((r) => r.code));
    return this.hot.activeRewards
      .all()
      .filter((r) => allowed.has(r.code))
      .map((r) => ({ ...r, active: r.active === 1 }));
  }

  /** Sets the birthday (solar or lunar month/day, year optional). */
  setBirthday(memberId: number, b: { calendar: 'solar' | 'lunar'; month: number; day: number; year: number | null }, now: number): void {
    this.db.update(members).set({ birthdayKind: b.calendar, birthMonth: b.month, birthDay: b.day, birthYear: b.year, updatedAt: now }).where(eq(members.id, memberId)).run();
  }

  /** 退订: the contact stops getting marketing (the sender reads opt_outs); the member record says so too. */
  optOut(contactId: string, now: number, source = 'member-command'): void {
    this.tx(() => {
      this.db.insert(optOuts).values({ contactId, at: now, source }).onConflictDoNothing().run();
      this.db
        .update(members)
        .set({ optedOutAt: now, updatedAt: now })
        .where(and(eq(members.contactId, contactId), isNull(members.optedOutAt)))
        .run();
    });
  }

  /** 订阅: marketing to the contact resumes. */
  optIn(contactId: string, now: number): void {
    this.tx(() => {
      this.db.delete(optOuts).where(eq(optOuts.contactId, contactId)).run();
      this.db.update(members).set({ optedOutAt: null, updatedAt: now }).where(eq(members.contactId, contactId)).run();
    });
  }

  /**
   * Brings the rewards table in line with the playbook: new rewards are added with their starting
   * stock; names, costs, limits and validity follow the playbook; rewards no longer listed become
   * inactive (coupons already issued stay valid). Stock: the live stock is kept while the playbook's
   * figure stays the same (a restart does not refill it); when the figure changes, the new figure is
   * the new stock level (a restock, or a cut; omitting it makes the reward unlimited). One
   * transaction, so a redemption sees the stock before or after, never between.
   * @returns the rewards whose stock was set from a changed figure.
   */
  syncRewards(defs: readonly RewardDef[], now: number): { code: string; stock: number | null }[] {
    return this.tx(() => {
      const restocked: { code: string; stock: number | null }[] = [];
      const listed = new Set(defs.map((d) => d.code));
      for (const d of defs) {
        const figure = d.stock ?? UNLIMITED;
        const cur = this.db.select({ stockSet: rewards.stockSet }).from(rewards).where(eq(rewards.code, d.code)).get();
        const common = { name: d.name, cost: d.cost, perMemberLimit: d.perMemberLimit ?? null, validityDays: d.validityDays, active: true, updatedAt: now };
        if (!cur) {
          this.db
            .insert(rewards)
            .values({ code: d.code, ...common, stock: d.stock ?? null, stockSet: figure })
            .run();
        } else if (cur.stockSet === null) {
          // Recorded for the first time (a store from before restocking): the live stock is kept.
          this.db
            .update(rewards)
            .set({ ...common, stockSet: figure })
            .where(eq(rewards.code, d.code))
            .run();
        } else if (cur.stockSet !== figure) {
          this.db
            .update(rewards)
            .set({ ...common, stock: d.stock ?? null, stockSet: figure })
            .where(eq(rewards.code, d.code))
            .run();
          restocked.push({ code: d.code, stock: d.stock ?? null });
        } else {
          this.db.update(rewards).set(common).where(eq(rewards.code, d.code)).run();
        }
      }
      for (const r of this.db.select({ code: rewards.code }).from(rewards).where(eq(rewards.active, true)).all()) {
        if (!listed.has(r.code)) this.db.update(rewards).set({ active: false, updatedAt: now }).where(eq(rewards.code, r.code)).run();
      }
      return restocked;
    });
  }
}
