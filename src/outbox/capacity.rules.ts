/**
 * How fast accounts send paced messages (cards, campaigns), and when the last of a batch spread over
 * several accounts goes out. Pure arithmetic over the budgets; replies and alerts go first, so real days
 * are slower, never faster.
 */

/** The parts of an account's budget that decide its pace. */
export interface PaceBudget {
  /** Sends in any sliding minute (0: no budget). */
  ratePerMinute: number;
  gapMinMs: number;
  gapMaxMs: number;
}

/** Messages routed to one account. */
export interface AccountShare {
  account: string;
  messages: number;
  budget: PaceBudget;
}

/**
 * Paced messages a minute one account sends: its budget less the one slot the paced lane leaves for
 * replies (outbox/sender.ts), or its pauses, whichever is slower; Infinity with neither.
 * @example pacedPerMinute({ ratePerMinute: 20, gapMinMs: 1000, gapMaxMs: 3000 }) // 19
 */
export function pacedPerMinute(b: PaceBudget): number {
  const byBudget = b.ratePerMinute > 1 ? b.ratePerMinute - 1 : b.ratePerMinute > 0 ? b.ratePerMinute : Infinity;
  const avgGap = (b.gapMinMs + b.gapMaxMs) / 2;
  const byGap = avgGap > 0 ? 60_000 / avgGap : Infinity;
  return Math.min(byBudget, byGap);
}

/** When the last of the shares goes out, each account at its own pace, all starting together. */
export interface SpreadEstimate {
  /** Accounts with at least one message. */
  accounts: number;
  messages: number;
  /** Minutes until the busiest account sends its last. */
  minutesNeeded: number;
  /** Sum of the paces of the accounts used (null: no budget at all). */
  perMinute: number | null;
  /** The account that finishes last (null when none sends). */
  busiest: string | null;
}

/**
 * @example spreadOver([{ account: 'a', messages: 95, budget }, { account: 'b', messages: 38, budget }]) // a finishes last: 5 min at 19/min
 */
export function spreadOver(shares: readonly AccountShare[]): SpreadEstimate {
  let minutesNeeded = 0;
  let busiest: string | null = null;
  let perMinute = 0;
  let messages = 0;
  let accounts = 0;
  for (const s of shares) {
    if (s.messages <= 0) continue;
    accounts++;
    messages += s.messages;
    const pace = pacedPerMinute(s.budget);
    perMinute += pace;
    const m = Number.isFinite(pace) ? Math.ceil(s.messages / pace) : 0;
    if (busiest === null || m > minutesNeeded) {
      minutesNeeded = m;
      busiest = s.account;
    }
  }
  return { accounts, messages, minutesNeeded, perMinute: Number.isFinite(perMinute) && accounts > 0 ? perMinute : null, busiest };
}

/** `10,000` */
export function countText(n: number): string {
  return n.toLocaleString('en-US');
}
