import { and, desc, eq, gt, gte } from 'drizzle-orm';
import type { InboundMessage, OutboundContent } from '../core/messages.js';
import type { Db } from '../platform/db/client.js';
import { outbox } from '../platform/db/schema.js';

/** How far back a bot send can be matched to its echo. */
const WINDOW_MS = 10 * 60_000;
const MEMORY = 10_000;

/**
 * Tells the echo of one of the bot's automatic sends from a message a person typed on the bot
 * account's phone. Every automatic send is an outbox row, claimed (`attempts` > 0) before the platform
 * call, so its echo finds it even when it arrives before the send returns: a message of the bot
 * account is automatic when an outbox row to the same conversation, tried within the last 10 minutes
 * and not matched before, has the same content (text contained in the echo, which may carry the
 * `@name` of mentions; or the same kind for images, links and mini-programs). Each row matches one echo.
 * @example new Ingest(repo, router, clock, logger, { maxAgeMs, isAutomaticSend: automaticSendMatcher(db) })
 */
export function automaticSendMatcher(db: Db, opts: { windowMs?: number } = {}): (m: InboundMessage) => boolean {
  const windowMs = opts.windowMs ?? WINDOW_MS;
  let matched = new Set<number>();
  return (m) => {
    const target = m.roomId ?? m.listenerId;
    // Without a conversation nothing can be compared: treat it as the bot's own, as before.
    if (!target) return true;
    const rows = db.select({ id: outbox.id, content: outbox.content }).from(outbox)
      .where(and(eq(outbox.targetId, target), gt(outbox.attempts, 0), gte(outbox.updatedAt, m.providerAt - windowMs)))
      .orderBy(desc(outbox.id)).limit(50).all();
    for (const r of rows) {
      if (matched.has(r.id) || !sameContent(JSON.parse(r.content) as OutboundContent, m)) continue;
      if (matched.size >= MEMORY) matched = new Set();
      matched.add(r.id);
      return true;
    }
    return false;
  };
}

function sameContent(c: OutboundContent, m: InboundMessage): boolean {
  switch (c.kind) {
    case 'text':
      return m.type === 'text' && m.text.includes(c.text.trim());
    case 'image':
      return m.type === 'image' || m.type === 'file' || m.type === 'video';
    case 'link':
      return m.type === 'url';
    case 'mini-program':
      return m.type === 'mini-program';
  }
}
