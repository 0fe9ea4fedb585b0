import { peopleOf } from '../core/directory.js';
import { activitySql } from '../core/activity.js';
import type { Database, Statement } from 'better-sqlite3';
import type { Db } from '../platform/db/client.js';
import { MARKETING_PURPOSES } from '../outbox/index.js';
import type { WakeupPlaybook } from './playbook.js';
import { DAY_MS, holdoutDraw, seedHash, type Arm, type StopFacts } from './wakeup.rules.js';

/**
 * The SQL side of the wake-up. Selection runs over the whole store in a few statements (one
 * INSERT…SELECT over `members` for new dormant episodes, with the holdout draw as a cheap SQL
 * function; the active episodes for due stages), never member by member in JavaScript: the outbox
 * channel reads due episodes in priority order along an index and stops at the budget, the per-guide
 * quota is a window function, so only the rows that will be acted on reach JavaScript.
 */

/** One stage due for one episode, as selection hands it on. */
export interface DueStep {
  episodeId: number;
  memberId: number;
  arm: Arm;
  /** The 1-based stage it enters. */
  stage: number;
  tier: string;
  guideCode: string | null;
  anchorAt: number;
  contactId: string | null;
  name: string;
  channel: 'outbox' | 'guide';
}

/** An active episode whose member came back or opted out (sweep). */
export interface StopCandidate extends StopFacts {
  episodeId: number;
  memberId: number;
  anchorAt: number;
}

/** The active episode of a contact, for the reply handler. */
export interface ActiveEpisode {
  id: number;
  memberId: number;
  arm: Arm;
  stage: number;
  tier: string;
  anchorAt: number;
  name: string;
  guideCode: string | null;
  optedOutAt: number | null;
}

/** A wake-up suggestion for a guide's 3+3+3 card: a dormant member who is not a contact of the bot account. */
export interface WakeupSuggestion {
  memberId: number;
  name: string;
  phone: string | null;
  tier: string;
  stage: number;
  /** Days silent when the stage was decided. */
  days: number;
  /** The text the guide may send (with the coupon code at a coupon stage). */
  text: string;
  couponCode: string | null;
}

/** A treatment step whose message still has to be queued in the outbox. */
export interface PendingSend {
  episodeId: number;
  stage: number;
  memberId: number;
  contactId: string;
  account: string;
  outboxKey: string;
  text: string;
  notBefore: number;
  expiresAt: number;
}

const ACTIVE_DRAW_FN = new WeakSet<Database>();

/**
 * The dormancy anchor of `m`: its last activity as core/activity.ts defines it (message, purchase,
 * redemption, else joined, else recorded), the same the 3+3+3 card reads. The playbook's `activity`
 * list decides only what ends an episode.
 */
export function anchorSql(_pb?: Pick<WakeupPlaybook, 'activity'>, m = 'm'): string {
  return activitySql(m);
}

/** Outbox key of a stage message: `wakeup:<memberId>:<stage>:<episodeId>` (an episode per silence). */
export function wakeupKey(memberId: number, stage: number, episodeId: number): string {
  return `wakeup:${memberId}:${stage}:${episodeId}`;
}

export class WakeupRepo {
  private readonly c: Database;
  private readonly hasSla: boolean;

  constructor(private readonly db: Db) {
    this.c = db.$client;
    if (!ACTIVE_DRAW_FN.has(this.c)) {
      // The seed arrives hashed (an integer, see seedHash) so the text is not hashed again per row.
      this.c.function('wakeup_draw', { deterministic: true }, (seed: unknown, memberId: unknown, anchorAt: unknown) =>
        holdoutDraw(typeof seed === 'number' ? seed : String(seed), Number(memberId), Number(anchorAt)),
      );
      ACTIVE_DRAW_FN.add(this.c);
    }
    this.hasSla = this.st("select 1 from sqlite_master where type = 'table' and name = 'sla_questions'").pluck().get() !== undefined;
  }

  private readonly statements = new Map<string, Statement>();

  /** A statement prepared once per repo (the SQL texts are a small fixed set). */
  private st(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.c.prepare(sql)));
    return s;
  }

  /** Runs `fn` in one immediate transaction (a savepoint when nested). */
  tx<T>(fn: () => T): T {
    return this.c.transaction(fn).immediate();
  }

  /**
   * Starts an episode, assigned to an arm with `seed`, for every member silent at least
   * `stages[0].days` (at most `maxSilentDays`), not opted out, not new, reachable (a contact of the
   * bot or an owning guide), without an active episode nor an earlier one about the same silence.
   * @returns how many episodes started, per arm.
   */
  startEpisodes(pb: WakeupPlaybook, now: number, seed: string): { treatment: number; holdout: number } {
    const anchor = anchorSql(pb);
    const insert = this.st(
      `insert into wakeup_episodes
        (member_id, anchor_at, started_at, tier, guide_code, arm, holdout_seed, holdout_draw, holdout_share, stage, status)
      select id, anchor, @now, tier, guide_code, case when draw < @share then 'holdout' else 'treatment' end, @seed, draw, @share, 0, 'active'
      from (
        select c.*, wakeup_draw(@seedHash, c.id, c.anchor) as draw from (
          select m.id, m.tier, m.guide_code, ${anchor} as anchor from members m
          where m.opted_out_at is null
            and (m.joined_at is null or m.joined_at <= @newBefore)
            and (m.contact_id is not null or m.guide_code is not null)
        ) c
        where c.anchor <= @dormantBefore and c.anchor >= @tooOldBefore
          and not exists (select 1 from wakeup_episodes e where e.member_id = c.id and (e.status = 'active' or e.anchor_at >= c.anchor))
      )
      returning arm = 'holdout'`,
    ).pluck();
    let started = 0;
    let holdout = 0;
    for (const h of insert.iterate({
      now,
      seed,
      seedHash: seedHash(seed),
      share: pb.holdout.share,
      newBefore: now - pb.exclusions.newMemberDays * DAY_MS,
      dormantBefore: now - pb.stages[0]!.days * DAY_MS,
      tooOldBefore: now - pb.exclusions.maxSilentDays * DAY_MS,
    }) as IterableIterator<number>) {
      started++;
      holdout += h;
    }
    return { treatment: started - holdout, holdout };
  }

  /**
   * Active episodes whose member opted out or shows activity after the anchor (message, purchase,
   * redemption); the pure `stopReason` decides which counts.
   */
  stopCandidates(): StopCandidate[] {
    return this.st(
      `select e.id as episodeId, e.member_id as memberId, e.anchor_at as anchorAt,
        m.opted_out_at is not null as optedOut, m.last_active_at as lastMessageAt,
        coalesce((select min(o.ordered_at) from orders o where o.member_id = e.member_id and o.ordered_at > e.anchor_at),
          case when m.last_purchase_at > e.anchor_at then m.last_purchase_at end) as lastPurchaseAt,
        (select min(l.created_at) from points_ledger l where l.member_id = e.member_id and l.reason = 'redeem' and l.created_at > e.anchor_at) as lastRedemptionAt
      from wakeup_episodes e indexed by wakeup_episodes_active_uq join members m on m.id = e.member_id
      where e.status = 'active' and (m.opted_out_at is not null or m.last_active_at > e.anchor_at or m.last_purchase_at > e.anchor_at
        or exists (select 1 from points_ledger l where l.member_id = e.member_id and l.reason = 'redeem' and l.created_at > e.anchor_at))`,
    )
      .all()
      .map((r) => {
        const row = r as Omit<StopCandidate, 'optedOut'> & { optedOut: number };
        return { ...row, optedOut: row.optedOut === 1 };
      });
  }

  /**
   * Ends an active episode. `at` is when the member came back (the reactivation instant).
   * @returns false when it was not active any more (already stopped: nothing changes).
   */
  stop(episodeId: number, reason: 'message' | 'purchase' | 'redemption' | 'opt-out', at: number, text: string | null = null): boolean {
    return (
      this.st(
        `update wakeup_episodes set status = 'stopped', ended_at = ?, end_reason = ?, end_text = ?
      where id = ? and status = 'active'`,
      ).run(at, reason, text, episodeId).changes === 1
    );
  }

  /** Marks the hand-over to the guide as done (queued). */
  handedOver(episodeId: number, at: number): void {
    this.st('update wakeup_episodes set handed_over_at = ? where id = ?').run(at, episodeId);
  }

  /** Episodes past their last stage by `lapseAfterDays` become `lapsed`. @returns how many. */
  lapse(pb: WakeupPlaybook, now: number): number {
    return this.st(
      `update wakeup_episodes set status = 'lapsed', ended_at = @now, end_reason = 'lapsed'
      where status = 'active' and stage >= @last and last_step_at <= @before`,
    ).run({ now, last: pb.stages.length, before: now - pb.lapseAfterDays * DAY_MS }).changes;
  }

  /** The active episode of the member linked to `contactId`, if any. */
  activeByContact(contactId: string): ActiveEpisode | undefined {
    return this.st(
      `select e.id, e.member_id as memberId, e.arm, e.stage, e.tier, e.anchor_at as anchorAt, m.name,
        m.guide_code as guideCode, m.opted_out_at as optedOutAt
      from members m join wakeup_episodes e on e.member_id = m.id and e.status = 'active' where m.contact_id = ?`,
    ).get(contactId) as ActiveEpisode | undefined;
  }

  /** Outbox rows of an episode's stage messages (to settle the queued ones when it stops). */
  outboxIds(episodeId: number): number[] {
    return this.st('select outbox_id from wakeup_steps where episode_id = ? and outbox_id is not null').pluck().all(episodeId) as number[];
  }

  /** The guide's own contact (staff.contact_id), for hand-overs. */
  guideContact(guideCode: string): { contactId: string; name: string } | undefined {
    return peopleOf(this.db).contactOf(guideCode);
  }

  /** Treatment wake-ups of the outbox channel already decided on local `date` for `account` (the budget used). */
  usedToday(date: string, account: string): number {
    return this.st("select count(*) from wakeup_steps where date = ? and channel = 'outbox' and arm = 'treatment' and account = ?").pluck().get(date, account) as number;
  }

  /**
   * The stages due now, both arms, exclusions applied (opted out, recent marketing, open question):
   * - outbox channel (members who are contacts of the bot): in priority order (later stages first,
   *   then the longest silent) until `allowance` treatment rows; the holdout rows met on the way are
   *   taken too, so both arms are throttled alike. Read stage by stage along
   *   `wakeup_episodes_due_idx` (status, stage, anchor) and stopped once the allowance is reached, so
   *   a big backlog of dormant members costs only the rows taken;
   * - guide channel: the same per guide, up to `perGuide` treatment rows per guide and day
   *   (minus those already suggested on `date`), ranked in SQL with a window function. The active
   *   episodes are read in member order (`wakeup_episodes_active_uq`), so the member rows are read
   *   in the order they are stored rather than at random.
   */
  dueSteps(pb: WakeupPlaybook, now: number, opts: { date: string; allowance: number; perGuide: number }): DueStep[] {
    const params = {
      stages: pb.stages.length,
      gapBefore: now - pb.minDaysBetweenStages * DAY_MS,
      mktSince: now - pb.exclusions.marketingWithinDays * DAY_MS,
      date: opts.date,
      perGuide: opts.perGuide,
    };
    const out: DueStep[] = [];
    if (opts.allowance > 0) {
      const outboxDue = this.st(`select e.id as episodeId, e.member_id as memberId, e.arm, e.stage + 1 as stage, e.tier, e.guide_code as guideCode,
          e.anchor_at as anchorAt, m.contact_id as contactId, m.name, 'outbox' as channel
        from wakeup_episodes e indexed by wakeup_episodes_due_idx join members m on m.id = e.member_id
        where e.status = 'active' and e.stage = @stage and e.anchor_at <= @dueBefore
          and (e.last_step_at is null or e.last_step_at <= @gapBefore)
          and m.contact_id is not null and m.opted_out_at is null ${this.stepExclusionsSql(pb)}
        order by e.anchor_at, e.id`);
      let taken = 0;
      for (let stage = pb.stages.length - 1; stage >= 0 && taken < opts.allowance; stage--) {
        for (const row of outboxDue.iterate({ ...params, stage, dueBefore: now - pb.stages[stage]!.days * DAY_MS }) as IterableIterator<DueStep>) {
          out.push(row);
          if (row.arm === 'treatment' && ++taken >= opts.allowance) break;
        }
      }
    }
    if (opts.perGuide > 0) {
      const stageCase = pb.stages.map((_, i) => `when ${i} then @d${i}`).join(' ');
      const guideDue = this.st(`with due as (
          select e.id as episodeId, e.member_id as memberId, e.arm, e.stage + 1 as stage, e.tier, e.guide_code as guideCode,
            e.anchor_at as anchorAt, m.contact_id as contactId, m.name, 'guide' as channel
          from wakeup_episodes e indexed by wakeup_episodes_active_uq join members m on m.id = e.member_id
          where e.status = 'active' and e.stage < @stages
            and e.anchor_at <= (case e.stage ${stageCase} end)
            and (e.last_step_at is null or e.last_step_at <= @gapBefore)
            and m.contact_id is null and m.opted_out_at is null ${this.stepExclusionsSql(pb)}
        ),
        used as (select guide_code, count(*) as n from wakeup_steps where date = @date and channel = 'guide' and arm = 'treatment' group by guide_code),
        ranked as (
          select d.*, sum(d.arm = 'treatment') over (partition by d.guideCode order by d.stage desc, d.anchorAt, d.episodeId rows unbounded preceding) as t,
            @perGuide - coalesce(u.n, 0) as room
          from due d left join used u on u.guide_code = d.guideCode
        )
        select episodeId, memberId, arm, stage, tier, guideCode, anchorAt, contactId, name, channel from ranked
        where (arm = 'treatment' and t <= room) or (arm = 'holdout' and t < room)`);
      out.push(...(guideDue.all({ ...params, ...Object.fromEntries(pb.stages.map((st, i) => [`d${i}`, now - st.days * DAY_MS])) }) as DueStep[]));
    }
    return out;
  }

  /**
   * The exclusions checked before every stage, as SQL on `m` (members): recent marketing (bot
   * contacts: the outbox tells), an open question (when the SLA capability's table exists).
   */
  private stepExclusionsSql(pb: WakeupPlaybook): string {
    const marketing =
      pb.exclusions.marketingWithinDays > 0
        ? `and (m.contact_id is null or not exists (select 1 from outbox o where o.target_id = m.contact_id and o.sent_at >= @mktSince
           and o.purpose in (${MARKETING_PURPOSES.map((p) => `'${p}'`).join(', ')})))`
        : '';
    const question =
      pb.exclusions.openQuestion && this.hasSla
        ? "and (m.contact_id is null or not exists (select 1 from sla_questions q where q.member_id = m.contact_id and q.status = 'open'))"
        : '';
    return `${marketing} ${question}`;
  }

  /**
   * Records one stage of one episode and advances the episode; false when that stage was recorded
   * before (a second run of the same slot): nothing changes.
   */
  recordStep(s: {
    episodeId: number;
    stage: number;
    memberId: number;
    arm: Arm;
    tier: string;
    date: string;
    at: number;
    channel: 'outbox' | 'guide';
    account: string | null;
    guideCode: string | null;
    outboxKey: string | null;
    notBefore: number | null;
    expiresAt: number | null;
    couponCode: string | null;
    text: string | null;
  }): boolean {
    const ins = this.st(
      `insert into wakeup_steps (episode_id, stage, member_id, arm, tier, date, at, channel, account, guide_code,
        outbox_key, not_before, expires_at, coupon_code, text)
      values (@episodeId, @stage, @memberId, @arm, @tier, @date, @at, @channel, @account, @guideCode, @outboxKey, @notBefore, @expiresAt, @couponCode, @text)
      on conflict do nothing`,
    ).run(s);
    if (ins.changes === 0) return false;
    this.st("update wakeup_episodes set stage = @stage, last_step_at = @at where id = @episodeId and status = 'active' and stage = @stage - 1").run(s);
    return true;
  }

  /** Sets the coupon and text of a recorded step (the coupon is issued after the step is recorded, in the same transaction). */
  setStepContent(episodeId: number, stage: number, couponCode: string | null, text: string): void {
    this.st('update wakeup_steps set coupon_code = ?, text = ? where episode_id = ? and stage = ?').run(couponCode, text, episodeId, stage);
  }

  /** Treatment messages recorded but not yet queued whose window is still open (after a crash, or just recorded). */
  pendingSends(now: number): PendingSend[] {
    return this.st(
      `select s.episode_id as episodeId, s.stage, s.member_id as memberId, m.contact_id as contactId, s.account,
        s.outbox_key as outboxKey, s.text, s.not_before as notBefore, s.expires_at as expiresAt
      from wakeup_steps s join wakeup_episodes e on e.id = s.episode_id join members m on m.id = s.member_id
      where s.outbox_id is null and s.arm = 'treatment' and s.channel = 'outbox' and s.expires_at > ? and e.status = 'active'
        and m.contact_id is not null and s.text is not null`,
    ).all(now) as PendingSend[];
  }

  /** Links a step to its outbox row. */
  setOutboxId(episodeId: number, stage: number, outboxId: number): void {
    this.st('update wakeup_steps set outbox_id = ? where episode_id = ? and stage = ?').run(outboxId, episodeId, stage);
  }

  /**
   * A wake-up no account can send (its outbox row is unreachable) goes to the member's guide instead: a
   * suggestion on their next card, as for members who are not contacts of the bot. Only with a guide.
   */
  toGuideChannel(episodeId: number, stage: number): void {
    this.st("update wakeup_steps set channel = 'guide' where episode_id = ? and stage = ? and guide_code is not null").run(episodeId, stage);
  }

  /** True while the episode is active. */
  isActive(episodeId: number): boolean {
    return this.st("select 1 from wakeup_episodes where id = ? and status = 'active'").pluck().get(episodeId) !== undefined;
  }

  /**
   * Wake-up suggestions for one guide's 3+3+3 card on local `date`: treatment members of the guide
   * channel (not contacts of the bot account) whose stage was decided that day and who have not come
   * back since, later stages first. For the guide-sop capability's card.
   * @example new WakeupRepo(db).wakeupSuggestionsFor('G001', '2026-11-25')
   */
  wakeupSuggestionsFor(guideCode: string, date: string): WakeupSuggestion[] {
    return (
      this.st(
        `select s.member_id as memberId, m.name, m.phone, s.tier, s.stage, s.at, e.anchor_at as anchorAt, s.text, s.coupon_code as couponCode
      from wakeup_steps s join wakeup_episodes e on e.id = s.episode_id join members m on m.id = s.member_id
      where s.guide_code = ? and s.date = ? and s.channel = 'guide' and s.arm = 'treatment' and e.status = 'active'
      order by s.stage desc, e.anchor_at, s.member_id`,
      ).all(guideCode, date) as SuggestionRow[]
    ).map(toSuggestion);
  }

  /**
   * The same for every guide at once (one query along `wakeup_steps_budget_idx`), for the card run.
   * @example new WakeupRepo(db).suggestionsByGuide('2026-11-24').get('G001')
   */
  suggestionsByGuide(date: string): Map<string, WakeupSuggestion[]> {
    const out = new Map<string, WakeupSuggestion[]>();
    const rows = this.st(
      `select s.guide_code as guideCode, s.member_id as memberId, m.name, m.phone, s.tier, s.stage, s.at, e.anchor_at as anchorAt,
        s.text, s.coupon_code as couponCode
      from wakeup_steps s join wakeup_episodes e on e.id = s.episode_id join members m on m.id = s.member_id
      where s.date = ? and s.channel = 'guide' and s.arm = 'treatment' and s.guide_code is not null and e.status = 'active'
      order by s.guide_code, s.stage desc, e.anchor_at, s.member_id`,
    ).all(date) as (SuggestionRow & { guideCode: string })[];
    for (const { guideCode, ...r } of rows) {
      let list = out.get(guideCode);
      if (!list) out.set(guideCode, (list = []));
      list.push(toSuggestion(r));
    }
    return out;
  }
}

type SuggestionRow = Omit<WakeupSuggestion, 'days' | 'text'> & { at: number; anchorAt: number; text: string | null };

const toSuggestion = ({ at, anchorAt, ...r }: SuggestionRow): WakeupSuggestion => ({ ...r, text: r.text ?? '', days: Math.floor((at - anchorAt) / DAY_MS) });

/**
 * Wake-up suggestions for one guide's 3+3+3 card on local `date` (see `WakeupRepo.wakeupSuggestionsFor`).
 * @example wakeupSuggestionsFor(db, 'G001', '2026-11-25')
 */
export function wakeupSuggestionsFor(db: Db, guideCode: string, date: string): WakeupSuggestion[] {
  return new WakeupRepo(db).wakeupSuggestionsFor(guideCode, date);
}
