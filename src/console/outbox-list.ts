/**
 * The outbox as people read it: pages of rows newest first (keyset paging by id, so a list of any
 * length is read in pages of at most 500 rows), each with its message as text (or a short description
 * of a card or image) and its target by name. Read-only; the outbox's own files stay the sender's.
 */
import { maskPhones } from '../core/mask.js';
import type { Db } from '../platform/db/client.js';
import type { OutboxStatus } from '../platform/db/schema.js';
import { displayStatus } from '../outbox/index.js';
import { whyText } from './outbox-why.js';

/** Rows per page at most (API and each CLI round trip). */
export const OUTBOX_PAGE_MAX = 500;

export interface OutboxListQuery {
  status?: OutboxStatus;
  purpose?: string;
  /** Only rows older than this id (the `next` of the previous page). */
  before?: number;
  limit: number;
}

/** One outbox row for people: the message as text, the target by name. */
export interface OutboxListRow {
  id: number;
  key: string;
  account: string;
  targetKind: 'contact' | 'room';
  targetId: string;
  /** The member, staff member, contact or group name (phones masked); the id when none is known. */
  targetName: string;
  purpose: string;
  priority: number;
  status: string;
  /** The status as an operator reads it: `deferred until 08:30 (quiet hours)`, `scheduled for 11-26 10:00`, else the status (the sender's wording). */
  state: string;
  expiresAt: number | null;
  reason: string | null;
  why: string;
  attempts: number;
  createdAt: number;
  notBefore: number | null;
  sentAt: number | null;
  /** Held back until (quiet hours, a retry …) and why; null when not deferred (the sender's fields). */
  deferredUntil: number | null;
  deferredWhy: string | null;
  /** The message as text: a text's words, or `[图片] a.png`, `[链接] 标题`, `[小程序] 标题` (phones masked). */
  text: string;
  /** The stored JSON (phones masked). */
  content: string;
}

/**
 * The message of an outbox row in words.
 * @example describeContent('{"kind":"link","url":"https://x","title":"会员日"}') // '[链接] 会员日'
 */
export function describeContent(json: string): string {
  let c: Record<string, unknown>;
  try {
    c = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return maskPhones(json);
  }
  const s = (k: string) => (typeof c[k] === 'string' ? (c[k] as string) : '');
  switch (c['kind']) {
    case 'text':
      return maskPhones(s('text'));
    case 'image':
      return `[图片] ${s('name') || (s('path') || s('url')).split('/').pop() || ''}`.trim();
    case 'link':
      return `[链接] ${s('title')}${s('description') ? ` · ${s('description')}` : ''}`;
    case 'mini-program':
      return `[小程序] ${s('title')}`;
    default:
      return maskPhones(json);
  }
}

/**
 * A page of the outbox, newest first, with `next` (the `before` of the following page; null at the end).
 * @example listOutbox(db, { limit: 500 }, Date.now(), 'Asia/Shanghai') // { rows: [...500], next: 10234 }
 */
export function listOutbox(db: Db, q: OutboxListQuery, now: number, tz: string): { rows: OutboxListRow[]; next: number | null } {
  const limit = Math.max(1, Math.min(OUTBOX_PAGE_MAX, q.limit));
  const rows = db.$client
    .prepare(
      `
    select o.id, o.key, o.expires_at as expiresAt, o.account, o.target_kind as targetKind, o.target_id as targetId, o.purpose, o.priority, o.status, o.reason,
      o.attempts, o.created_at as createdAt, o.not_before as notBefore, o.sent_at as sentAt,
      o.deferred_until as deferredUntil, o.deferred_why as deferredWhy, o.content,
      case o.target_kind
        when 'room' then coalesce((select g.name from groups g where g.room_id = o.target_id), (select nullif(r.topic, '') from rooms r where r.id = o.target_id))
        else coalesce((select nullif(m.name, '') from members m where m.contact_id = o.target_id limit 1),
                      (select nullif(s.name, '') from staff s where s.contact_id = o.target_id limit 1),
                      (select nullif(c.name, '') from contacts c where c.id = o.target_id))
      end as targetName
    from outbox o
    where (@before is null or o.id < @before) and (@status is null or o.status = @status) and (@purpose is null or o.purpose = @purpose)
    order by o.id desc limit @limit`,
    )
    .all({ before: q.before ?? null, status: q.status ?? null, purpose: q.purpose ?? null, limit }) as (Omit<OutboxListRow, 'why' | 'text' | 'targetName' | 'state'> & {
    targetName: string | null;
  })[];
  return {
    rows: rows.map((r) => ({
      ...r,
      state: displayStatus(r, now, tz),
      targetName: maskPhones(r.targetName ?? r.targetId),
      why: whyText(r.status, r.reason),
      text: describeContent(r.content),
      content: maskPhones(r.content),
    })),
    next: rows.length === limit ? rows[rows.length - 1]!.id : null,
  };
}
