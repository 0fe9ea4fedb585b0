import type { Statement } from 'better-sqlite3';
import type { AccountsView } from '../accounts/index.js';
import type { ReachRepo } from '../accounts/index.js';
import { peopleOf } from '../core/directory.js';
import type { Db } from '../platform/db/client.js';
import type { Purpose } from './purposes.js';
import type { AccountShare } from './capacity.rules.js';
import { chooseAccount, type ReachPair, type RouteAccount, type RouteChoice } from './routing.rules.js';

/** The accounts and who they reach: the outbox's one option for routing (the hub implements the view). */
export interface OutboxAccounts {
  /** The registry as running (AccountHub). */
  view: AccountsView;
  /** The account_reach table. */
  reach: ReachRepo;
  /** How long an account is down before its waiting messages re-route or wait (default 60 s). */
  downGraceMs?: number;
}

/** One message to route: why it goes and to whom. */
export interface RouteRequest {
  purpose: Purpose;
  kind: 'contact' | 'room';
  id: string;
}

/** How long the queued-row counts per account are reused before being read again. */
const LOAD_TTL_MS = 5_000;

interface PersonFacts {
  memberId: number | null;
  store: string | null;
  guide: string | null;
  /** Every contact id of the person (the id asked first). */
  ids: string[];
}

/**
 * Routes outbox rows to accounts (the pure choice is routing.rules.ts): reads, per batch of messages,
 * the members behind the contacts (their store, guide and other contact ids), the groups' store and
 * guide, and who reaches all of them, in a few queries of up to 500 ids each.
 */
export class AccountRouting {
  private readonly downSet = new Set<string>();
  private load: { at: number; queued: Map<string, number> } | null = null;
  private readonly queuedStmt: Statement;
  private readonly peopleStmt: Statement;
  private readonly linksStmt: Statement;
  private readonly groupsStmt: Statement;

  constructor(
    private readonly db: Db,
    private readonly opts: OutboxAccounts,
    private readonly now: () => number,
  ) {
    const c = db.$client;
    this.queuedStmt = c.prepare(`select account, count(*) as n from outbox where status = 'queued' group by account`);
    // Each takes the whole batch's ids as one JSON array: one prepared statement, one call, any size.
    // (`in (select value from json_each(?))` keeps SQLite on the tables' indexes.)
    this.peopleStmt = c.prepare(`select m.contact_id as asked, m.id, m.contact_id as main, m.store_code as store, m.guide_code as guide
        from members m where m.contact_id in (select value from json_each(?))
      union all select l.contact_id, m.id, m.contact_id, m.store_code, m.guide_code
        from member_links l join members m on m.id = l.member_id where l.contact_id in (select value from json_each(?))`);
    this.linksStmt = c.prepare(`select member_id as memberId, contact_id as contactId from member_links where member_id in (select value from json_each(?))`);
    this.groupsStmt = c.prepare(`select room_id as id, store_code as store, guide_code as guide from groups where room_id in (select value from json_each(?))`);
  }

  get view(): AccountsView {
    return this.opts.view;
  }

  /** The registry's only account when it has exactly one: everything goes through it, reach unread (today's single-account setups). */
  single(): string | null {
    const all = this.opts.view.list();
    return all.length === 1 ? all[0]!.id : null;
  }

  /** Marks an account down past its grace (passed over while another reaches the target) or back. */
  setDown(account: string, down: boolean): void {
    if (down) this.downSet.add(account);
    else this.downSet.delete(account);
  }

  isDown(account: string): boolean {
    return this.downSet.has(account);
  }

  /**
   * Chooses an account for each request (in order; the load of rows assigned earlier in the batch counts).
   * `dry`: an estimate (nothing is queued): the accounts start empty and the load kept for routing is not touched.
   */
  route(reqs: readonly RouteRequest[], exclude: ReadonlySet<string> = new Set(), opts: { dry?: boolean } = {}): RouteChoice[] {
    const accounts = new Map<string, RouteAccount>();
    for (const s of this.opts.view.list()) {
      if (exclude.has(s.id)) continue;
      const state = s.enabled ? this.opts.view.state(s.id) : 'disabled';
      accounts.set(s.id, {
        id: s.id,
        state,
        role: s.role,
        stores: s.stores,
        ...(s.guide ? { guide: s.guide } : {}),
        ratePerMinute: s.budget.ratePerMinute,
        down: this.downSet.has(s.id),
      });
    }
    const contacts = [...new Set(reqs.filter((r) => r.kind === 'contact').map((r) => r.id))];
    const rooms = [...new Set(reqs.filter((r) => r.kind === 'room').map((r) => r.id))];
    const people = this.people(contacts);
    const groups = this.groups(rooms);
    const reachOf = new Map<string, ReachPair[]>();
    const byId = (kind: 'contact' | 'room', ids: string[]) => {
      const m = new Map<string, ReachPair[]>();
      for (const r of this.opts.reach.accountsReaching(kind, ids)) {
        let l = m.get(r.targetId);
        if (!l) m.set(r.targetId, (l = []));
        l.push({ account: r.account, targetId: r.targetId, lastInboundAt: r.lastInboundAt });
      }
      return m;
    };
    const contactReach = byId('contact', [...new Set([...people.values()].flatMap((p) => p.ids))]);
    const roomReach = byId('room', rooms);
    const queued = opts.dry ? new Map<string, number>() : this.queuedCounts();
    return reqs.map((r) => {
      let ask;
      if (r.kind === 'contact') {
        const p = people.get(r.id)!;
        let reach = reachOf.get(r.id);
        if (!reach) reachOf.set(r.id, (reach = p.ids.flatMap((id) => contactReach.get(id) ?? [])));
        ask = { purpose: r.purpose, kind: r.kind, targetId: r.id, reach, store: p.store, guide: p.guide };
      } else {
        const g = groups.get(r.id);
        ask = { purpose: r.purpose, kind: r.kind, targetId: r.id, reach: roomReach.get(r.id) ?? [], store: g?.store ?? null, guide: g?.guide ?? null };
      }
      const choice = chooseAccount(ask, accounts, (a) => queued.get(a) ?? 0);
      if ('account' in choice) queued.set(choice.account, (queued.get(choice.account) ?? 0) + 1);
      return choice;
    });
  }

  /** Queued rows per account (read again every few seconds; rows routed meanwhile are counted as they go). */
  private queuedCounts(): Map<string, number> {
    const now = this.now();
    if (!this.load || now - this.load.at >= LOAD_TTL_MS || now < this.load.at) {
      const rows = this.queuedStmt.all() as { account: string; n: number }[];
      this.load = { at: now, queued: new Map(rows.map((r) => [r.account, r.n])) };
    }
    return this.load.queued;
  }

  /** The person behind each contact id: the member (by members.contact_id or member_links) and all their contact ids. */
  private people(contacts: readonly string[]): Map<string, PersonFacts> {
    const out = new Map<string, PersonFacts>();
    for (const id of contacts) out.set(id, { memberId: null, store: null, guide: null, ids: [id] });
    const byMember = new Map<number, PersonFacts[]>();
    if (contacts.length) {
      const json = JSON.stringify(contacts);
      const rows = this.peopleStmt.all(json, json) as { asked: string; id: number; main: string | null; store: string | null; guide: string | null }[];
      for (const r of rows) {
        const p = out.get(r.asked)!;
        p.memberId = r.id;
        p.store = r.store;
        p.guide = r.guide;
        if (r.main && !p.ids.includes(r.main)) p.ids.push(r.main);
        let l = byMember.get(r.id);
        if (!l) byMember.set(r.id, (l = []));
        l.push(p);
      }
    }
    if (byMember.size) {
      const links = this.linksStmt.all(JSON.stringify([...byMember.keys()])) as { memberId: number; contactId: string }[];
      for (const l of links) for (const p of byMember.get(l.memberId) ?? []) if (!p.ids.includes(l.contactId)) p.ids.push(l.contactId);
    }
    // Staff (cards, prompts, alerts): their store's account is preferred (the roster is held in memory).
    const directory = peopleOf(this.db);
    for (const [id, p] of out) {
      if (p.memberId !== null) continue;
      const s = directory.staffByContact(id);
      if (s) p.store = s.storeCode;
    }
    return out;
  }

  /** The store and guide of each group the store knows. */
  private groups(rooms: readonly string[]): Map<string, { store: string | null; guide: string | null }> {
    const out = new Map<string, { store: string | null; guide: string | null }>();
    if (rooms.length === 0) return out;
    for (const r of this.groupsStmt.all(JSON.stringify(rooms)) as { id: string; store: string | null; guide: string | null }[]) out.set(r.id, { store: r.store, guide: r.guide });
    return out;
  }
}

/** Where one enqueued message goes: its account and contact id, or why none reaches it. */
export interface Routed {
  account: string;
  targetId: string;
  unreachable?: string;
}

/**
 * The account of each request: the one it names; else, without routing or with a single account in
 * the registry, that account (reach is not read); else the routing's choice (rows of one call routed in one batch).
 */
export function accountsFor(
  routing: AccountRouting | null,
  reqs: readonly { account?: string; purpose: Purpose; target: { kind: 'contact' | 'room'; id: string } }[],
  fallback: string,
): Routed[] {
  const single = routing?.single() ?? null;
  const out: Routed[] = reqs.map((r) => ({ account: r.account ?? single ?? fallback, targetId: r.target.id }));
  // No routing, one account, or (defensively) an empty registry: today's one-account path.
  if (!routing || single !== null || routing.view.list().length === 0) return out;
  const open = reqs.flatMap((r, i) => (r.account === undefined ? [i] : []));
  if (open.length === 0) return out;
  const choices = routing.route(open.map((i) => ({ purpose: reqs[i]!.purpose, kind: reqs[i]!.target.kind, id: reqs[i]!.target.id })));
  open.forEach((i, j) => {
    const c = choices[j]!;
    out[i] = 'account' in c ? { account: c.account, targetId: c.targetId } : { account: '', targetId: reqs[i]!.target.id, unreachable: c.unreachable };
  });
  return out;
}

/**
 * The targets (ids) no enabled account reaches now, as routing would find (nothing queued); null with a
 * single account or an empty registry (reach is not consulted then).
 */
export function unreachableAmong(routing: AccountRouting, targets: readonly RouteRequest[]): Set<string> | null {
  if (routing.single() !== null || routing.view.list().length === 0) return null;
  const choices = routing.route(targets, new Set(), { dry: true });
  return new Set(targets.flatMap((t, i) => ('unreachable' in choices[i]! ? [t.id] : [])));
}

/**
 * Where messages to `targets` would go now, counted per account, without queuing anything (capacity
 * estimates). `perTarget` messages each (a campaign of 2 messages, a card and its images).
 */
export function sharesOf(routing: AccountRouting, targets: readonly RouteRequest[], perTarget = 1): { shares: AccountShare[]; unreachable: number } {
  const specs = new Map(routing.view.list().map((s) => [s.id, s]));
  const counts = new Map<string, number>();
  let unreachable = 0;
  const single = routing.single();
  const choices = single !== null ? targets.map(() => ({ account: single })) : routing.route(targets, new Set(), { dry: true });
  for (const c of choices) {
    if ('account' in c) counts.set(c.account, (counts.get(c.account) ?? 0) + perTarget);
    else unreachable++;
  }
  const shares = [...counts].map(([account, messages]) => {
    const b = specs.get(account)?.budget;
    return { account, messages, budget: { ratePerMinute: b?.ratePerMinute ?? 0, gapMinMs: b?.gapMinMs ?? 0, gapMaxMs: b?.gapMaxMs ?? 0 } };
  });
  return { shares, unreachable };
}
