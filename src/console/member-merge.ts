/**
 * Merging two member records from the console and the CLI: one service, one audit line. The merge
 * itself is the members capability's (src/members/identity/merge.ts).
 */
import type { Db } from '../platform/db/client.js';
import type { Logger } from '../core/logger.js';
import { mergeMembers, type MergeResult } from '../members/index.js';
import { probableDuplicates, type ProbableDuplicate } from '../members/index.js';
import type { MembershipPlaybook } from '../members/index.js';
import { IdentityRepo } from '../members/index.js';
import { AuditRepo } from './audit.repo.js';

export interface MergeRequest {
  keep: number;
  drop: number;
  /** Who asked (`cli:lin`, the console operator's name) and through what. */
  actor: string;
  channel: 'api' | 'cli' | 'chat';
  now: number;
}

/**
 * Merges DROP into KEEP and records it in the audit trail (`members.merge`, target `KEEP<-DROP`,
 * `ok` or why it was refused), refused attempts included.
 */
export function mergeMembersAudited(db: Db, playbook: MembershipPlaybook, req: MergeRequest, logger?: Logger): MergeResult {
  const result = mergeMembers(db, req.keep, req.drop, playbook, req.now);
  new AuditRepo(db).record({
    at: req.now,
    actor: req.actor,
    channel: req.channel,
    action: 'members.merge',
    target: `${req.keep}<-${req.drop}`,
    result: result.ok ? 'ok' : result.message,
  });
  if (result.ok) logger?.info({ keep: req.keep, drop: req.drop, by: req.actor, moved: result.summary.moved }, 'members merged');
  return result;
}

export interface BindRequest {
  member: number;
  contactId: string;
  actor: string;
  channel: 'api' | 'cli' | 'chat';
  now: number;
}

export type BindResult = { ok: true; member: number; contactId: string } | { ok: false; reason: 'unknown' | 'taken'; message: string };

/**
 * Links a WeChat/WeCom contact id to a member by an operator (the console's members page): the member's
 * own contact when it has none, otherwise a further link. A contact that already belongs to a member is
 * refused (merge the two records instead). Audited (`members.bind`, target `MEMBER<-contact`), refusals
 * included.
 */
export function bindContactAudited(db: Db, req: BindRequest, logger?: Logger): BindResult {
  const identity = new IdentityRepo(db);
  let result: BindResult;
  if (!identity.memberById(req.member)) result = { ok: false, reason: 'unknown', message: `no member ${req.member}` };
  else {
    const owner = identity.memberByContact(req.contactId);
    if (owner) {
      result = {
        ok: false,
        reason: 'taken',
        message:
          owner.id === req.member
            ? `contact ${req.contactId} is already linked to member ${req.member}`
            : `contact ${req.contactId} belongs to member ${owner.id}: merge the two records instead`,
      };
    } else if (!identity.link(req.member, req.contactId, `console:${req.actor}`, req.now)) {
      result = { ok: false, reason: 'taken', message: `contact ${req.contactId} was linked meanwhile; look again` };
    } else result = { ok: true, member: req.member, contactId: req.contactId };
  }
  new AuditRepo(db).record({
    at: req.now,
    actor: req.actor,
    channel: req.channel,
    action: 'members.bind',
    target: `${req.member}<-${req.contactId}`,
    result: result.ok ? 'ok' : result.message,
  });
  if (result.ok) logger?.info({ member: req.member, by: req.actor }, 'contact bound to member by an operator');
  return result;
}

/** Probable duplicates, for the console's members page and `doctor`. */
export function duplicatesOf(db: Db): ProbableDuplicate[] {
  return probableDuplicates(db);
}
