import { countText, pacedPerMinute, spreadOver, type AccountShare } from '../outbox/index.js';
import { minutesOf } from './playbook.js';

/**
 * Capacity honesty: with one sending account at ~20 messages a minute, 10,000 cards take more than
 * eight hours. Pure arithmetic over the configured budgets.
 */

/** What decides how fast cards can go out. */
export interface CapacityInput {
  /** Cards to send on the day (guides working that day). */
  cards: number;
  /** Moments images sent after each card (`moments.sendImages`); default 0. */
  imagesPerCard?: number;
  /** SEND_RATE_PER_MINUTE (0 = no budget). */
  ratePerMinute: number;
  /** SEND_GAP_MIN_MS / SEND_GAP_MAX_MS: the random pause between two sends. */
  gapMinMs: number;
  gapMaxMs: number;
  /** The card time and the time every card should be out by (`HH:MM`). */
  cardTime: string;
  cardsBy: string;
  /**
   * With several accounts: the cards (and their images) each account would send, as routed (the
   * outbox's routeShares); the budget fields above are then unused.
   */
  accounts?: readonly AccountShare[];
  /** Guides no enabled account reaches (their cards are recorded unreachable, never sent). */
  unreachable?: number;
}

/** The estimate, as shown at load and in /healthz. */
export interface CapacityEstimate {
  cards: number;
  /** Messages a minute the account can actually send: the budget or the pauses, whichever is slower. */
  perMinute: number | null;
  minutesNeeded: number;
  /** Local time of the last card (`HH:MM`, `+1d` when past midnight). */
  lastCardAt: string;
  cardsBy: string;
  /** Accounts sending cards (1 without routing). */
  accounts: number;
  /** Guides no account reaches. */
  unreachable: number;
  ok: boolean;
  /** One line for logs and /healthz. */
  message: string;
}

const hhmm = (minutes: number) => {
  const day = Math.floor(minutes / 1440);
  const m = Math.round(minutes) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}${day > 0 ? ` +${day}d` : ''}`;
};

/**
 * When the last card of the day goes out if the account sends nothing else, and whether that is
 * within the window. Replies and alerts go first, so real days are slower, never faster.
 * @example estimateCapacity({ cards: 10000, ratePerMinute: 20, gapMinMs: 1000, gapMaxMs: 3000, cardTime: '09:30', cardsBy: '11:30' })
 *   // { perMinute: 19, minutesNeeded: 527, lastCardAt: '18:17', ok: false, … }
 */
export function estimateCapacity(i: CapacityInput): CapacityEstimate {
  if (i.accounts) return estimateAcrossAccounts(i, i.accounts);
  // The paced lane (cards, campaigns) leaves one slot of the window free for replies (outbox/sender.ts).
  const perMinute = pacedPerMinute(i);
  const images = i.imagesPerCard ?? 0;
  const minutesNeeded = Number.isFinite(perMinute) ? Math.ceil((i.cards * (1 + images)) / perMinute) : 0;
  const start = minutesOf(i.cardTime);
  const last = start + minutesNeeded;
  const ok = last <= minutesOf(i.cardsBy);
  const rate = Number.isFinite(perMinute) ? `${Math.round(perMinute * 10) / 10}/min` : 'no send budget';
  const what = images > 0 ? `${i.cards} guide cards (each followed by ${images} image${images > 1 ? 's' : ''})` : `${i.cards} guide cards`;
  const message = ok
    ? `${what} at ${rate}: the last goes out about ${hhmm(last)}, within ${i.cardsBy}`
    : `${what} at ${rate} take ${minutesNeeded} min: the last goes out about ${hhmm(last)}, after ${i.cardsBy}. ` +
      'Add sending accounts (split stores across ACCOUNT_IDs) or a staff-notification channel; do not raise SEND_RATE_PER_MINUTE past what the account tolerates';
  return {
    cards: i.cards,
    perMinute: Number.isFinite(perMinute) ? perMinute : null,
    minutesNeeded,
    lastCardAt: hhmm(last),
    cardsBy: i.cardsBy,
    accounts: 1,
    unreachable: 0,
    ok,
    message,
  };
}

/**
 * The same over several accounts, each sending the cards routed to it at its own budget: the last card
 * goes out when the busiest account is done. Unreachable guides are named, not counted as sent.
 * @example estimateCapacity({ cards: 10000, accounts: shares, unreachable: 0, cardTime: '09:00', cardsBy: '11:30', … })
 *   // message '10,000 guide cards via 120 accounts: the last goes out about 09:38, within 11:30'
 */
function estimateAcrossAccounts(i: CapacityInput, shares: readonly AccountShare[]): CapacityEstimate {
  const images = i.imagesPerCard ?? 0;
  const s = spreadOver(shares);
  const start = minutesOf(i.cardTime);
  const last = start + s.minutesNeeded;
  const ok = last <= minutesOf(i.cardsBy);
  const unreachable = i.unreachable ?? 0;
  const via = `via ${countText(s.accounts)} account${s.accounts === 1 ? '' : 's'}`;
  const what = `${countText(i.cards)} guide cards${images > 0 ? ` (each followed by ${images} image${images > 1 ? 's' : ''})` : ''} ${via}`;
  const lost = unreachable > 0 ? `; ${countText(unreachable)} guide${unreachable === 1 ? '' : 's'} no enabled account reaches: their cards are recorded unreachable, not sent` : '';
  const message = ok
    ? `${what}: the last goes out about ${hhmm(last)}, within ${i.cardsBy}${lost}`
    : `${what} take ${s.minutesNeeded} min: the last goes out about ${hhmm(last)}, after ${i.cardsBy} (busiest: ${s.busiest}). ` +
      `Add sending accounts or spread the guides over more of them${lost}`;
  return { cards: i.cards, perMinute: s.perMinute, minutesNeeded: s.minutesNeeded, lastCardAt: hhmm(last), cardsBy: i.cardsBy, accounts: s.accounts, unreachable, ok, message };
}
