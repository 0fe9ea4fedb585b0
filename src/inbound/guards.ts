import type { InboundMessage, InboundType } from '../core/messages.js';

/** Why a message was not passed on. `duplicate` is decided by the store, the rest here. */
export type RejectReason = 'self' | 'too-old' | 'unsupported-type' | 'duplicate' | 'malformed' | 'store-error';

export type Verdict = { accept: true } | { accept: false; reason: RejectReason };

/** Types no capability acts on: they are neither logged nor counted as activity. */
export const UNHANDLED_TYPES: ReadonlySet<InboundType> = new Set(['recalled', 'system', 'unknown']);

export interface GuardOptions {
  /** Messages older than this (provider time vs now) are history replayed at start-up. */
  maxAgeMs: number;
  /**
   * Tells the bot's own automatic sends (their echoes: dropped) from messages a person typed on the bot
   * account's phone (passed on, `self` set). Unset: every message of the bot account is dropped.
   */
  isAutomaticSend?: (m: InboundMessage) => boolean;
}

/**
 * The pure part of the inbound guards. Duplicates are checked against the log by the caller.
 * @example checkMessage(msg, Date.now(), { maxAgeMs: 600_000 }) // { accept: true }
 */
export function checkMessage(m: InboundMessage, now: number, opts: GuardOptions): Verdict {
  if (!m.id || !m.talkerId || !Number.isFinite(m.providerAt)) return { accept: false, reason: 'malformed' };
  if (m.self && (opts.isAutomaticSend?.(m) ?? true)) return { accept: false, reason: 'self' };
  if (UNHANDLED_TYPES.has(m.type)) return { accept: false, reason: 'unsupported-type' };
  if (opts.maxAgeMs > 0 && now - m.providerAt > opts.maxAgeMs) return { accept: false, reason: 'too-old' };
  return { accept: true };
}
