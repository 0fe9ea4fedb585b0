import { activitySql } from '../core/activity.js';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../platform/db/client.js';
import type { ChatRule } from './playbook.js';
import { DAY_MS, addDays, birthdayWindow, matchChatRule, toPick, type ChatPick, type GroupFacts, type MemberFacts, type RuleContext } from './selection.rules.js';

/**
 * The SQL side of card planning: for every guide at once, each rule's best `perGuide` members and
 * every group with its quietness. Queries run over the whole store in one pass per rule (indexes where
 * the rule has one), never member by member, and rank within each guide in SQL (window functions), so
 * only a few rows per guide reach JavaScript. The pure `matchChatRule` then confirms each row and
 * writes its reason; it is the reference these queries are tested against.
 */

const MEMBER_COLUMNS = `m.id, m.guide_code as guideCode, m.name, m.phone, m.birthday_kind as birthdayKind,
  m.birth_month as birthMonth, m.birth_day as birthDay, m.last_active_at as lastActiveAt,
  m.last_purchase_at as lastPurchaseAt, m.growth, m.opted_out_at as optedOutAt, coalesce(m.joined_at, m.created_at) as joinedAt`;

/** The member's last activity (core/activity.ts), the one definition the wake-up reads too. */
const ACTIVITY = activitySql('m');

// `+m.guide_code` and `partition by m.guide_code || ''` keep SQLite from walking members_guide_idx
// (a million random row reads) where one sequential scan and a sort of the few matches are much faster.

/** Members of active guides not named to the same guide since `@since`, opted-out excluded for marketing. */
const BASE = `+m.guide_code in (select code from staff where role = 'guide' and active = 1 and contact_id is not null)
  and (@marketing = 0 or m.opted_out_at is null)
  and not exists (select 1 from guide_chat_picks p where p.member_id = m.id and p.guide_code = m.guide_code and p.date >= @since)`;

/** Per guide, per rule (in playbook order), the candidates with their reasons. */
export type CandidatesByGuide = Map<string, ChatPick[][]>;

export class SelectionRepo {
  constructor(private readonly db: Db) {}

  /**
   * Every rule's candidates for every active guide.
   * @param perGuide how many to keep per guide and rule (the chats quota is enough: a member can only
   *   be taken from a later rule's top `quota` if fewer than `quota` were taken before).
   */
  chatCandidates(rules: readonly (ChatRule & { marketing: boolean })[], ctx: RuleContext & { notAgainWithinDays: number }, perGuide: number): CandidatesByGuide {
    const out: CandidatesByGuide = new Map();
    const since = ctx.notAgainWithinDays > 0 ? addDays(ctx.today, -Math.max(0, ctx.notAgainWithinDays - 1)) : '9999-12-31';
    const add = (index: number, rows: MemberFacts[], birthdays?: Map<string, { offset: number; date: string }>) => {
      const rule = rules[index]!;
      for (const row of rows) {
        // The SQL window is a little wider than the rule (whole days, local dates): the pure rule decides.
        const match = matchChatRule(row, rule, ctx, birthdays);
        if (!match) continue;
        let lists = out.get(row.guideCode);
        if (!lists) out.set(row.guideCode, (lists = rules.map(() => [])));
        lists[index]!.push(toPick(row, rule, match));
      }
    };
    /** Rules answered by a scan of members (no index fits them). */
    const scans: { index: number; cond: string; key: string; params: Record<string, number | string | null> }[] = [];
    rules.forEach((rule, index) => {
      const base = { marketing: rule.marketing ? 1 : 0, since, limit: perGuide };
      switch (rule.rule) {
        case 'birthday': {
          const birthdays = birthdayWindow(ctx.today, rule.withinDays);
          const stmt = this.db.$client.prepare(`select ${MEMBER_COLUMNS} from members m
            where m.birthday_kind = @kind and m.birth_month = @month and m.birth_day = @day and ${BASE}`);
          const rows: MemberFacts[] = [];
          for (const key of birthdays.keys()) {
            const [kind, month, day] = key.split(':');
            rows.push(...(stmt.all({ ...base, kind, month: Number(month), day: Number(day) }) as MemberFacts[]));
          }
          add(index, rows, birthdays);
          break;
        }
        case 'open-question':
          add(
            index,
            this.db.$client
              .prepare(
                `select * from (select ${MEMBER_COLUMNS}, q.asked_at as questionAt, q.text as questionText,
              row_number() over (partition by m.guide_code || '' order by q.asked_at, m.id) as rn
            from guide_questions q join members m on m.contact_id = q.contact_id
            where q.answered_at is null and q.asked_at >= @askedSince and q.asked_at <= @now and ${BASE}) where rn <= @limit`,
              )
              .all({ ...base, askedSince: ctx.now - rule.withinHours * 3_600_000, now: ctx.now }) as MemberFacts[],
          );
          break;
        case 'silent':
          scans.push({
            index,
            cond: `${ACTIVITY} > @oldest${index} and ${ACTIVITY} <= @newest${index}`,
            key: ACTIVITY,
            params: { [`oldest${index}`]: ctx.now - (rule.maxDays + 1) * DAY_MS, [`newest${index}`]: ctx.now - rule.minDays * DAY_MS },
          });
          break;
        case 'high-value':
          scans.push({
            index,
            key: '-m.growth',
            cond: `m.growth >= @minGrowth${index} and ${ACTIVITY} <= @cut${index}
              and (@quietSince${index} is null or ${ACTIVITY} > @quietSince${index})
              and not exists (select 1 from guide_chat_picks p2 where p2.member_id = m.id and p2.guide_code = m.guide_code and p2.date >= @contactSince${index})`,
            params: {
              [`quietSince${index}`]: rule.maxSilentDays === undefined ? null : ctx.now - (rule.maxSilentDays + 1) * DAY_MS,
              [`minGrowth${index}`]: rule.minGrowth,
              [`cut${index}`]: ctx.now - rule.notContactedDays * DAY_MS,
              [`contactSince${index}`]: addDays(ctx.today, -rule.notContactedDays),
            },
          });
          break;
        case 'recent-purchase':
          scans.push({
            index,
            cond: `m.last_purchase_at >= @from${index} and m.last_purchase_at <= @now`,
            key: '-m.last_purchase_at',
            params: { [`from${index}`]: ctx.now - (rule.withinDays + 1) * DAY_MS },
          });
          break;
        case 'keep-in-touch':
          break; // per guide, only for cards the other rules left short: keepInTouch()
      }
    });
    // One pass per rule, ranked per guide in SQL: only `perGuide` rows per guide and rule come back.
    for (const x of scans) {
      const rows = this.db.$client
        .prepare(
          `select * from (select ${MEMBER_COLUMNS},
          row_number() over (partition by m.guide_code || '' order by ${x.key}, m.id) as rn
        from members m where ${x.cond} and ${BASE}) where rn <= @limit`,
        )
        .all({ since, limit: perGuide, now: ctx.now, marketing: rules[x.index]!.marketing ? 1 : 0, ...x.params }) as MemberFacts[];
      add(x.index, rows);
    }
    return out;
  }

  /**
   * The keep-in-touch rule for one guide: their members quiet the longest (never active first), up to
   * `limit`, not named to them recently, and (with `maxDays`) not silent so long that they belong to the
   * wake-up sequence, whose holdout must hear from nobody (silence counted from joining when never active). Runs only for cards the other rules left short (index on guide).
   */
  keepInTouch(
    guideCode: string,
    rule: Extract<ChatRule, { rule: 'keep-in-touch' }> & { marketing: boolean },
    ctx: RuleContext & { notAgainWithinDays: number },
    limit: number,
  ): ChatPick[] {
    const since = ctx.notAgainWithinDays > 0 ? addDays(ctx.today, -Math.max(0, ctx.notAgainWithinDays - 1)) : '9999-12-31';
    this.keepStmt ??= this.db.$client.prepare(`select ${MEMBER_COLUMNS} from members m
      where m.guide_code = @guide and ${ACTIVITY} <= @cut
        and (@quietSince is null or ${ACTIVITY} > @quietSince)
        and (@marketing = 0 or m.opted_out_at is null)
        and not exists (select 1 from guide_chat_picks p where p.member_id = m.id and p.guide_code = m.guide_code and p.date >= @since)
      order by ${ACTIVITY}, m.id limit @limit`);
    const quietSince = rule.maxDays === undefined ? null : ctx.now - (rule.maxDays + 1) * DAY_MS;
    const rows = this.keepStmt.all({ guide: guideCode, cut: ctx.now - rule.minDays * DAY_MS, quietSince, marketing: rule.marketing ? 1 : 0, since, limit }) as MemberFacts[];
    return rows.flatMap((row) => {
      const match = matchChatRule(row, rule, ctx);
      return match ? [toPick(row, rule, match)] : [];
    });
  }

  private keepStmt: Statement | undefined;

  /**
   * Every brand group with its owner, store, messages in the last 24 h and last staff post.
   * Groups with no owning guide are offered to the guides of their store.
   */
  groups(now: number): (GroupFacts & { guideCode: string | null; storeCode: string | null })[] {
    return this.db.$client
      .prepare(
        `select g.room_id as roomId, g.name, g.guide_code as guideCode, g.store_code as storeCode,
        (select count(*) from inbound_messages i where i.conversation_id = g.room_id and i.provider_at >= @since) as recent,
        a.last_staff_post_at as lastStaffPostAt
      from groups g left join guide_room_activity a on a.room_id = g.room_id`,
      )
      .all({ since: now - DAY_MS }) as never;
  }
}
