/**
 * Merging two member records from the console and the CLI: one service, one audit line. The merge
 * itself is the members capability's (src/members/identity/merge.ts).
 */
import type { Db } from '../platform/db/client.js';
import type { Logger } from '../core/logger.js';
import { mergeMembers, type MergeResult } from '../members/identity/merge.js';
import { probableDuplicates, type ProbableDuplicate } from '../members/identity/duplicates.js';
import type { MembershipPlaybook } from '../members/playbook.js';
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
    at: req.now, actor: req.actor, channel: req.channel, action: 'members.merge', target: `${req.keep}<-${req.drop}`,
    result: result.ok ? 'ok' : result.message,
  });
  if (result.ok) logger?.info({ keep: req.keep, drop: req.drop, by: req.actor, moved: result.summary.moved }, 'members merged');
  return result;
}

/** Probable duplicates, for the console's members page and `doctor`. */
export function duplicatesOf(db: Db): ProbableDuplicate[] {
  return probableDuplicates(db);
}
