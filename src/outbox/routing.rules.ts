import type { AccountRole, AccountState } from '../accounts/index.js';
import { PURPOSES, type Purpose } from './purposes.js';

/**
 * Which account sends a message when the capability named none. Pure: the reach rows, the accounts'
 * facts and their load are given.
 *
 * - A reply or an alert goes back through the account the target last wrote to.
 * - Otherwise (and when that account is down) an account that reaches the target, by the contact id
 *   asked or by another contact id of the same member; a group post from an account in the group.
 *   Preferred: the account serving the member's (or group's) store, or the guide's own account; then the
 *   least loaded (queued rows ÷ rate per minute).
 * - Disabled accounts never send. A down account (past its grace) is passed over while another reaches
 *   the target; when only down accounts reach it, the message waits on one of them.
 * - Nobody reaches the target: `unreachable`, with the reason.
 */

/** What routing knows about one account. */
export interface RouteAccount {
  id: string;
  state: AccountState;
  role: AccountRole;
  stores: readonly string[];
  guide?: string;
  /** Sends a minute (0: no budget). */
  ratePerMinute: number;
  /** Down past its grace (see Outbox.accountDown): passed over while another account reaches the target. */
  down: boolean;
}

/** One (account, contact id) pair that reaches the target: a row of account_reach. */
export interface ReachPair {
  account: string;
  targetId: string;
  lastInboundAt: number | null;
}

/** One message to route. */
export interface RouteAsk {
  purpose: Purpose;
  kind: 'contact' | 'room';
  /** The contact or group id asked for. */
  targetId: string;
  /** Every pair reaching the target: by the id asked and by the member's other contact ids. */
  reach: readonly ReachPair[];
  /** The member's (or group's) store and guide, when known. */
  store: string | null;
  guide: string | null;
}

export type RouteChoice = { account: string; targetId: string; why: 'wrote-to' | 'preferred' | 'least-loaded' | 'down-only' } | { unreachable: string };

/** Queued rows ÷ rate: minutes of work ahead of a new row (an account without a budget counts as very fast). */
export function loadOf(queued: number, ratePerMinute: number): number {
  return queued / (ratePerMinute > 0 ? ratePerMinute : 10_000);
}

/** Whether `a` serves the store or is the guide's own account. */
export function prefers(a: RouteAccount, store: string | null, guide: string | null): boolean {
  return (store !== null && a.stores.includes(store)) || (guide !== null && a.role === 'guide' && a.guide === guide);
}

/**
 * Chooses the account (and the contact id it reaches the person by) for one message.
 * `queued(account)` is the account's queued rows now (the caller counts the rows it assigns).
 * @example chooseAccount({ purpose: 'campaign', kind: 'contact', targetId: 'c1', reach: [{ account: 'hz01', targetId: 'c1', lastInboundAt: null }], store: 'HZ01', guide: null }, accounts, () => 0)
 *   // { account: 'hz01', targetId: 'c1', why: 'preferred' }
 */
export function chooseAccount(ask: RouteAsk, accounts: ReadonlyMap<string, RouteAccount>, queued: (account: string) => number): RouteChoice {
  const usable = ask.reach.filter((p) => {
    const a = accounts.get(p.account);
    return a !== undefined && a.state !== 'disabled';
  });
  if (usable.length === 0) return { unreachable: unreachableReason(ask, accounts) };
  const up = usable.filter((p) => !accounts.get(p.account)!.down);
  const pool = up.length ? up : usable;

  if (up.length && PURPOSES[ask.purpose].lane === 'now') {
    // The account the target last wrote to (by any of the member's contact ids).
    let best: ReachPair | null = null;
    for (const p of up)
      if (p.lastInboundAt !== null && (best === null || p.lastInboundAt > best.lastInboundAt! || (p.lastInboundAt === best.lastInboundAt && p.targetId === ask.targetId))) best = p;
    if (best) return { account: best.account, targetId: best.targetId, why: 'wrote-to' };
  }

  let best: { p: ReachPair; pref: boolean; load: number } | null = null;
  for (const p of pool) {
    const a = accounts.get(p.account)!;
    const c = { p, pref: prefers(a, ask.store, ask.guide), load: loadOf(queued(a.id), a.ratePerMinute) };
    if (best === null || better(c, best, ask.targetId)) best = c;
  }
  const why = up.length === 0 ? 'down-only' : best!.pref ? 'preferred' : 'least-loaded';
  return { account: best!.p.account, targetId: best!.p.targetId, why };
}

function better(c: { p: ReachPair; pref: boolean; load: number }, b: { p: ReachPair; pref: boolean; load: number }, asked: string): boolean {
  if (c.pref !== b.pref) return c.pref;
  if (c.load !== b.load) return c.load < b.load;
  // The same account by two contact ids: the id asked for.
  const cAsked = c.p.targetId === asked;
  if (cAsked !== (b.p.targetId === asked)) return cAsked;
  return c.p.account < b.p.account;
}

/** Why no account can send to the target. */
export function unreachableReason(ask: Pick<RouteAsk, 'kind' | 'targetId' | 'reach'>, accounts: ReadonlyMap<string, RouteAccount>): string {
  const disabled = [...new Set(ask.reach.filter((p) => accounts.get(p.account)?.state === 'disabled').map((p) => p.account))].sort();
  const what =
    ask.kind === 'room' ? `no enabled account is in group ${ask.targetId}` : `no enabled account is a friend of contact ${ask.targetId} (nor of the member's other contact ids)`;
  return disabled.length ? `${what}; only disabled: ${disabled.join(', ')}` : what;
}
