import { and, desc, eq, gt, gte } from 'drizzle-orm';
import type { InboundMessage, OutboundContent } from '../core/messages.js';
import { forMatching } from '../core/sanitize.js';
import type { Db } from '../platform/db/client.js';
import { outbox } from '../platform/db/schema.js';

/** How far back a bot send can be matched to its echo. */
const WINDOW_MS = 10 * 60_000;
const MEMORY = 10_000;
/** Sends to one conversation looked at per echo (more than an account can send there in the window). */
const ROWS = 500;

/**
 * The provider message ids of the bot's own sends, as the send call returned them (the transport
 * records each one, see `createTransport({ ownSends })`). An echo carrying one of these ids is the bot's
 * own, whatever the provider did to its text. Remembers the last 10,000 ids; each matches once.
 */
export class OwnSendIds {
  private ids = new Set<string>();

  /** Records the id a send returned (no-op without one). */
  record(messageId: string | undefined): void {
    if (!messageId) return;
    if (this.ids.size >= MEMORY) this.ids = new Set();
    this.ids.add(messageId);
  }

  /** True (once) when `messageId` was returned by one of the bot's sends. */
  take(messageId: string): boolean {
    return this.ids.delete(messageId);
  }
}

/**
 * Tells the echo of one of the bot's automatic sends from a message a person typed on the bot
 * account's phone. Every automatic send is an outbox row, claimed (`attempts` > 0) before the platform
 * call, so its echo finds it even when it arrives before the send returns: a message of the bot
 * account is automatic when an outbox row to the same conversation, tried within the last 10 minutes
 * and not matched before, has the same content (text contained in the echo, which may carry the
 * `@name` of mentions; or the same kind for images, links and mini-programs). Each row matches one echo.
 * Texts are compared after {@link forMatching} on both sides, so a provider that drops an unpaired
 * surrogate, a control character or a trailing space still hands back a recognisable echo. First of all,
 * an echo whose message id a send returned (`opts.sentIds`) is the bot's own.
 * @example new Ingest(repo, router, clock, logger, { maxAgeMs, isAutomaticSend: automaticSendMatcher(db, { sentIds }) })
 */
export function automaticSendMatcher(db: Db, opts: { windowMs?: number; sentIds?: OwnSendIds } = {}): (m: InboundMessage) => boolean {
  const windowMs = opts.windowMs ?? WINDOW_MS;
  let matched = new Set<number>();
  // Each row's content in the form it is compared in, worked out once.
  let forms = new Map<number, Sent>();
  const formOf = (id: number, content: string): Sent => {
    let f = forms.get(id);
    if (!f) {
      if (forms.size >= MEMORY) forms = new Map();
      const c = JSON.parse(content) as OutboundContent;
      f = c.kind === 'text' ? { kind: 'text', text: forMatching(c.text) } : { kind: c.kind };
      forms.set(id, f);
    }
    return f;
  };
  return (m) => {
    const echo = m.type === 'text' ? forMatching(m.text) : '';
    const byId = opts.sentIds?.take(m.id) ?? false;
    const target = m.roomId ?? m.listenerId;
    // Without a conversation nothing can be compared: treat it as the bot's own, as before.
    if (!target) return true;
    const rows = db
      .select({ id: outbox.id, content: outbox.content })
      .from(outbox)
      .where(and(eq(outbox.targetId, target), gt(outbox.attempts, 0), gte(outbox.updatedAt, m.providerAt - windowMs)))
      .orderBy(desc(outbox.id))
      .limit(ROWS)
      .all();
    // Echoes come back in the order of the sends: the oldest unmatched send with the same content is the one.
    for (let i = rows.length - 1; i >= 0; i--) {
      const r = rows[i]!;
      if (matched.has(r.id) || !sameContent(formOf(r.id, r.content), m, echo)) continue;
      if (matched.size >= MEMORY) matched = new Set();
      matched.add(r.id);
      return true;
    }
    // Known by the id its send returned (its outbox row, if any, could not be told by content).
    return byId;
  };
}

/** A send as compared with echoes: texts in their {@link forMatching} form. */
type Sent = { kind: 'text'; text: string } | { kind: Exclude<OutboundContent['kind'], 'text'> };

function sameContent(c: Sent, m: InboundMessage, echo: string): boolean {
  switch (c.kind) {
    case 'text':
      if (m.type !== 'text') return false;
      return c.text ? echo.includes(c.text) : echo === '';
    case 'image':
      return m.type === 'image' || m.type === 'file' || m.type === 'video';
    case 'link':
      return m.type === 'url';
    case 'mini-program':
      return m.type === 'mini-program';
  }
}
