import { cleanText } from '../core/sanitize.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { InboundMessage } from '../core/messages.js';
import { formatLocal, localDate, localParts, zonedTime } from '../core/time.js';
import { staffLabel, staffLabels } from '../core/people.js';
import type { Db } from '../platform/db/client.js';
import { tierName } from '../members/index.js';
import type { InboundContext } from '../inbound/index.js';
import type { CommandHandler, CommandRole } from '../inbound/index.js';
import type { EnqueueRequest, EnqueueResult } from '../outbox/index.js';
import type { RepeatGuard } from '../inbound/index.js';
import { guideReport } from '../guide-sop/index.js';
import type { CampaignsRepo } from '../campaigns/index.js';
import type { CampaignService } from '../campaigns/index.js';
import { listText, scopeOf } from '../sla/index.js';
import { lineItems } from '../sla/index.js';
import type { SlaPlaybook } from '../sla/index.js';
import { SlaRepo } from '../sla/index.js';
import type { AuditRepo } from '../console/index.js';
import { campaignView } from '../console/index.js';
import type { MembershipPlaybook } from '../members/index.js';
import { isAdminRole, parseAdminCommand, type AdminCommand } from './admin.rules.js';
import type { AdminRepo, Sender } from './admin.repo.js';
import { USAGE, campaignsText, membersText, staffHintText, todayText, transitionText } from './admin.replies.js';

/** A reply to an operator is pointless after this. */
const REPLY_TTL_MS = 30 * 60_000;

export interface AdminHandlerDeps {
  repo: AdminRepo;
  audit: AuditRepo;
  db: Db;
  /** The campaigns capability's repo and service (published by it; read at each command). */
  campaigns: () => { repo: CampaignsRepo; service: CampaignService };
  outbox: { enqueue(req: EnqueueRequest): Promise<EnqueueResult> };
  clock: Clock;
  timezone: string;
  /** The SLA capability's playbook (its list texts answer 待回复). */
  sla: () => SlaPlaybook;
  /** The members capability's playbook (its help text answers non-admins). */
  membership: () => MembershipPlaybook;
  logger: Logger;
  /** The member help answering a non-admin goes to one person at most once per window. */
  guard: RepeatGuard;
}

/** The admin capability's parts of the router's dispatch (inbound/router.ts). */
export interface AdminInbound {
  /** An admin command from a store manager, community admin or HQ: run, audited (channel `chat`). */
  command: CommandHandler;
  /** The same words from anyone else: the member help instead, nothing else happens; audited as refused. */
  refused: CommandHandler;
  /** The hint for a manager's or admin's private text nobody claims: the commands they have. */
  hint: (ctx: InboundContext) => Promise<void>;
}

/**
 * Admin commands in a private chat with the bot, for roster store managers, community admins and HQ
 * (`今日`, `待回复`, `活动`, `暂停活动 id`, `恢复活动 id`, `查会员 …`). Anyone else who writes one gets the
 * member help instead and nothing else happens; every attempt is audited (channel `chat`).
 * @param commandWords the words a role may send (the dispatch table), for the hint.
 */
export function adminInbound(deps: AdminHandlerDeps, commandWords: (role: CommandRole) => string[]): AdminInbound {
  const attempt = (m: InboundMessage) => {
    const cmd = parseAdminCommand(m.text)!;
    return { cmd, action: `chat.${cmd.kind}`, target: 'id' in cmd ? cmd.id : 'query' in cmd ? cmd.query : null, now: deps.clock.now().getTime() };
  };
  const send = (m: InboundMessage, text: string, now: number) =>
    deps.outbox.enqueue({
      key: `admin-reply:${m.id}`,
      target: { kind: 'contact', id: m.talkerId },
      content: { kind: 'text', text },
      purpose: 'reply',
      expiresAt: now + REPLY_TTL_MS,
    });
  return {
    command: async ({ message: m }) => {
      const { cmd, action, target, now } = attempt(m);
      const sender = deps.repo.staffByContact(m.talkerId);
      if (!sender || !isAdminRole(sender.role)) return false;
      const { text, result } = await run(deps, cmd, sender, now);
      deps.audit.record({ at: now, actor: `chat:${sender.code}`, channel: 'chat', action, target, result });
      // Member names (WeChat nicknames) and the query are outside input: cleaned like every reply.
      await send(m, cleanText(text), now);
    },
    refused: async ({ message: m }) => {
      const { cmd, action, target, now } = attempt(m);
      const sender = deps.repo.staffByContact(m.talkerId);
      const help = deps.guard.allow(m.talkerId, 'admin-refused');
      const answer = help ? 'member help sent' : 'member help already sent recently, not repeated';
      deps.audit.record({
        at: now,
        actor: sender ? `chat:${sender.code}` : `chat:${m.talkerId}`,
        channel: 'chat',
        action,
        target,
        result: `refused: not an admin (${sender ? sender.role : 'not on the staff roster'}); ${answer}`,
      });
      deps.logger.info({ talker: m.talkerId, command: cmd.kind }, `admin command from a non-admin: ${answer}`);
      if (help) await send(m, deps.membership().texts.help, now);
    },
    hint: async ({ message: m, role }) => {
      if (!deps.guard.allow(m.talkerId, 'admin-hint')) return;
      await send(m, staffHintText(commandWords(role ?? 'admin')), deps.clock.now().getTime());
    },
  };
}

function stores(sender: Sender): string[] | null {
  const scope = scopeOf(sender);
  return scope.all ? null : [...scope.stores];
}

async function run(deps: AdminHandlerDeps, cmd: AdminCommand, sender: Sender, now: number): Promise<{ text: string; result: string }> {
  const by = `chat:${sender.code}`;
  switch (cmd.kind) {
    case 'today':
      return { text: today(deps, sender, now), result: 'ok' };
    case 'waiting': {
      const pb = deps.sla();
      const rows = new SlaRepo(deps.db).openQuestions(scopeOf(sender), { limit: 500 });
      return { text: listText(pb, lineItems({ timezone: deps.timezone }, pb, rows, now)), result: 'ok' };
    }
    case 'campaigns': {
      const { repo } = deps.campaigns();
      const list = repo.list().map((r) => campaignView(repo, r, { now: new Date(now), timezone: deps.timezone }));
      return { text: campaignsText(list), result: 'ok' };
    }
    case 'pause':
    case 'resume': {
      if (!cmd.id) return { text: USAGE[cmd.kind], result: 'refused: no campaign id given' };
      const { service } = deps.campaigns();
      const r = cmd.kind === 'pause' ? service.pause(cmd.id, by) : await service.resume(cmd.id, by);
      return { text: transitionText(cmd.kind, cmd.id, r), result: r.ok ? 'ok' : `refused: ${r.message}` };
    }
    case 'member': {
      if (!cmd.query) return { text: USAGE.member, result: 'refused: no phone or name given' };
      const found = deps.repo.findMembers(cmd.query, stores(sender));
      const pb = deps.membership();
      const labels = staffLabels(deps.db);
      const rows = found.map((r) => ({
        ...r,
        tier: tierName(r.tier, pb),
        store: r.storeCode ? (deps.repo.storeName(r.storeCode) ?? r.storeCode) : null,
        guide: r.guideCode ? staffLabel(labels, r.guideCode) : null,
      }));
      const last = (ms: number | null) => (ms ? formatLocal(ms, deps.timezone, 'date') : '无');
      return { text: membersText(cmd.query, rows, last), result: `ok: ${rows.length} found` };
    }
  }
}

function today(deps: AdminHandlerDeps, sender: Sender, now: number): string {
  const date = localDate(new Date(now), deps.timezone);
  const p = localParts(new Date(now), deps.timezone);
  const midnight = zonedTime(p.year, p.month, p.day, 0, 0, deps.timezone).getTime();
  const scope = scopeOf(sender);
  const store = scope.all ? null : (scope.stores[0] ?? null);
  const sla = new SlaRepo(deps.db);
  const list = deps.campaigns().repo.list();
  return todayText({
    date,
    scope: store ? (deps.repo.storeName(store) ?? store) : '全部门店',
    guides: guideReport(deps.db, { from: date, to: date, store }),
    waiting: sla.countOpen(scope, now),
    outbox: deps.repo.outboxSince(midnight),
    campaigns: {
      running: list.filter((c) => c.status === 'running').length,
      scheduled: list.filter((c) => c.status === 'scheduled').length,
      paused: list.filter((c) => c.status === 'paused').length,
    },
  });
}
