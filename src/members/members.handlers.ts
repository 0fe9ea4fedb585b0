import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { InboundMessage, Target } from '../core/messages.js';
import { quote } from '../core/sanitize.js';
import { localDate, localParts } from '../core/time.js';
import type { InboundContext, InboundHandler } from '../inbound/index.js';
import type { CommandHandler } from '../inbound/index.js';
import type { EnqueueRequest, EnqueueResult } from '../outbox/index.js';
import type { RepeatGuard } from '../inbound/index.js';
import { parseMemberCommand, type MemberCommand } from './commands.rules.js';
import type { MemberRow, MembersRepo, RewardRow } from './members.repo.js';
import { alternativesText, birthdayText, couponsReply, displayName, expiresText, pointsReply, redeemMenuReply, tierName, type RewardView } from './members.replies.js';
import { fill, type MembershipPlaybook } from './playbook.js';
import { BINDING_COMMANDS } from './identity/identity.rules.js';
import type { IdentityRepo } from './identity/identity.repo.js';
import { continueBinding, staffDecision, startBinding, type FlowResult, type Send } from './identity/binding.flow.js';

/** How long a reply may wait for the account (logged out, queue behind) before it is pointless. */
export const REPLY_TTL_MS = 30 * 60_000;

/** What the member command handler needs. */
export interface MemberHandlerDeps {
  repo: MembersRepo;
  /** Linking contacts to member records (identity/): binding in chat. */
  identity: IdentityRepo;
  outbox: { enqueue(req: EnqueueRequest): Promise<EnqueueResult> };
  clock: Clock;
  timezone: string;
  playbook: () => MembershipPlaybook;
  logger: Logger;
  /** Non-command answers (the help hint, not a member) go to one person at most once per window. */
  guard: RepeatGuard;
}

/** The members capability's parts of the router's dispatch (inbound/router.ts). */
export interface MemberInbound {
  /** A conversation, ahead of the commands: records activity; a binding in progress takes its answer. */
  before: InboundHandler;
  /** 入会, 积分, 兑换, 我的券, 邀请, 生日, 退订/订阅, 帮助 (the declarations of commands.rules.ts). */
  command: CommandHandler;
  /** A staff member's 确认绑定 N / 拒绝绑定 N; `false` when there is nothing of theirs to decide. */
  bindingDecision: CommandHandler;
  /** The member hint for private text nobody claims. */
  hint: (ctx: InboundContext) => Promise<void>;
}

/**
 * The member self-service side of the router: commands in a private chat or when the bot is
 * @-mentioned in a group, each reply through the outbox keyed by the message (`reply:<messageId>`), so
 * a redelivery never answers twice; the hint for unknown private text (one per contact per local day;
 * group chatter is left alone); member activity from every message.
 */
export function memberInbound(deps: MemberHandlerDeps): MemberInbound {
  const touch = activityRecorder(deps.repo);
  return {
    before: async (ctx) => {
      const m = ctx.message;
      touch(m.talkerId, Math.min(m.providerAt, ctx.receivedAt));
      if (m.type !== 'text' || m.roomId) return;
      const now = deps.clock.now().getTime();
      const playbook = deps.playbook();
      // A binding in progress (identity/binding.flow.ts): this message may be its answer.
      const pending = deps.identity.pending(m.talkerId, now, bindingAges(playbook));
      const step = pending ? await continueBinding(pending, m, deps, playbook, now) : null;
      if (!step) return;
      // A binding answer (a phone, a birthday) is for the bot: no command, no hint, no question for staff.
      ctx.answered = true;
      await reply(deps, m, step, step.proceed, playbook, now);
    },
    command: async ({ message: m, role }) => {
      const now = deps.clock.now().getTime();
      const playbook = deps.playbook();
      let cmd = parseMemberCommand(m.text);
      let step: FlowResult | null = null;
      if (cmd && BINDING_COMMANDS.includes(cmd.kind) && role === 'member' && !deps.repo.byContact(m.talkerId)) {
        step = startBinding(cmd, m, deps, playbook, now);
        if (step) cmd = step.proceed;
      }
      await reply(deps, m, step, cmd, playbook, now);
    },
    bindingDecision: async ({ message: m }) => staffBindingDecision(m, deps, deps.playbook(), deps.clock.now().getTime()),
    hint: async ({ message: m }) => {
      // A bare 1–5 is a rating (the SLA's survey), not text to explain.
      if (/^\s*[1-5]\s*分?\s*$/.test(m.text)) return;
      await helpHint(deps, m, deps.playbook(), deps.clock.now().getTime());
    },
  };
}

/** Sends what a binding step and the command (if any) answer, privately when the playbook says so. */
async function reply(deps: MemberHandlerDeps, m: InboundMessage, step: FlowResult | null, cmd: MemberCommand | null, playbook: MembershipPlaybook, now: number): Promise<void> {
  const sends = [...(step?.sends ?? []), ...(cmd ? await run(cmd, m, deps, playbook, now) : [])];
  if (!sends.length) return;
  const privately =
    cmd !== null && m.roomId !== null && playbook.privacy.groupAnswers === 'private' && PRIVATE_KINDS.has(cmd.kind) && deps.repo.byContact(m.talkerId) !== undefined;
  if (privately) {
    if (!deps.repo.canWritePrivately(m.talkerId)) {
      // Nothing member-specific in the group: say how to get it privately.
      await sendAll(deps, m, [{ text: fill(playbook.texts.privateUnreachable, { command: quote(COMMAND_WORD[cmd.kind]) }) }], now);
      return;
    }
    await sendAll(deps, { ...m, roomId: null, roomTopic: null }, sends, now, `reply:${m.id}`);
    await sendAll(deps, m, [{ text: playbook.texts.privateAck, suffix: 'ack' }], now);
    return;
  }
  await sendAll(deps, m, sends, now);
}

const bindingAges = (p: MembershipPlaybook) => ({ pendingMs: p.binding.pendingMinutes * 60_000, lockMs: p.binding.lockHours * 3_600_000 });

async function sendAll(deps: MemberHandlerDeps, m: InboundMessage, sends: Send[], now: number, keyPrefix = `reply:${m.id}`): Promise<void> {
  for (const s of sends) {
    if (s.auto && !deps.guard.allow(m.talkerId, s.auto)) {
      deps.logger.debug({ talker: m.talkerId, answer: s.auto }, 'same automatic answer sent to this person recently: not repeated');
      continue;
    }
    await deps.outbox.enqueue({
      key: `${keyPrefix}${s.suffix ? `:${s.suffix}` : ''}`,
      target: replyTarget(m),
      content: m.roomId ? { kind: 'text', text: s.text, mentionIds: [m.talkerId] } : { kind: 'text', text: s.text },
      purpose: 'reply',
      expiresAt: now + REPLY_TTL_MS,
    });
  }
}

/** A guide's 确认绑定 N / 拒绝绑定 N: the guide is answered, and the member gets the reply to what they asked. */
async function staffBindingDecision(m: InboundMessage, deps: MemberHandlerDeps, pb: MembershipPlaybook, now: number): Promise<boolean> {
  const d = await staffDecision(m, deps, pb, now);
  if (!d) return false;
  await sendAll(deps, m, [{ text: d.staffReply }], now);
  const forMember: InboundMessage = { ...m, talkerId: d.member.contactId, roomId: null, roomTopic: null };
  const sends = [...d.member.sends, ...(d.member.proceed ? await run(d.member.proceed, forMember, deps, pb, now) : [])];
  await sendAll(deps, forMember, sends, now, `bind-decided:${m.id}`);
  return true;
}

/**
 * Answers about one member (their figures, coupons, codes) that a group must not read: asked in a group,
 * they go privately (playbook `privacy.groupAnswers`). 帮助, 退订 and 订阅 are answered where asked.
 */
const PRIVATE_KINDS: ReadonlySet<MemberCommand['kind']> = new Set(['points', 'coupons', 'invite', 'redeem', 'join', 'birthday']);

/** What to send privately to get the same answer. */
const COMMAND_WORD: Record<MemberCommand['kind'], string> = {
  points: '积分',
  coupons: '我的券',
  invite: '邀请',
  redeem: '兑换',
  join: '积分',
  birthday: '生日',
  help: '帮助',
  'opt-out': '退订',
  'opt-in': '订阅',
};

/** A birthday after today's local date (a lunar one: only a later year tells). */
function isFuture(b: { calendar: 'solar' | 'lunar'; year: number | null; month: number; day: number }, now: number, timezone: string): boolean {
  if (b.year === null) return false;
  const today = localParts(new Date(now), timezone);
  if (b.year !== today.year || b.calendar === 'lunar') return b.year > today.year;
  return b.month > today.month || (b.month === today.month && b.day > today.day);
}

/** Activity is recorded at most once a minute per contact: a chatty group costs no write per message. */
const ACTIVITY_RESOLUTION_MS = 60_000;
const ACTIVITY_MEMORY = 50_000;

function activityRecorder(repo: MembersRepo): (contactId: string, at: number) => void {
  let recent = new Map<string, number>();
  return (contactId, at) => {
    const last = recent.get(contactId);
    if (last !== undefined && at - last < ACTIVITY_RESOLUTION_MS && at >= last) return;
    if (recent.size >= ACTIVITY_MEMORY) recent = new Map();
    recent.set(contactId, at);
    repo.touchActive(contactId, at);
  };
}

function replyTarget(m: InboundMessage): Target {
  return m.roomId ? { kind: 'room', id: m.roomId } : { kind: 'contact', id: m.talkerId };
}

/** At most one hint per contact per local day: the outbox key is the guarantee. */
async function helpHint(deps: MemberHandlerDeps, m: InboundMessage, playbook: MembershipPlaybook, now: number): Promise<void> {
  if (!deps.guard.allow(m.talkerId, 'help-hint')) return;
  await deps.outbox.enqueue({
    key: `help-hint:${m.talkerId}:${localDate(new Date(now), deps.timezone)}`,
    target: { kind: 'contact', id: m.talkerId },
    content: { kind: 'text', text: playbook.texts.helpHint },
    purpose: 'reply',
    expiresAt: now + REPLY_TTL_MS,
  });
}

async function run(cmd: MemberCommand, m: InboundMessage, deps: MemberHandlerDeps, pb: MembershipPlaybook, now: number): Promise<Send[]> {
  const { repo } = deps;
  const t = pb.texts;
  switch (cmd.kind) {
    case 'help':
      return [{ text: t.help }];
    case 'join':
      return join(cmd.code, m, deps, pb, now, cmd.phone);
    case 'opt-out':
      repo.optOut(m.talkerId, now);
      return [{ text: t.optedOut }];
    case 'opt-in':
      repo.optIn(m.talkerId, now);
      return [{ text: t.optedIn }];
    default:
      break;
  }
  const member = repo.byContact(m.talkerId);
  if (!member) return [{ text: t.notMember, auto: 'not-member' }];
  switch (cmd.kind) {
    case 'points':
      return [{ text: pointsReply(member, repo.usableCoupons(member.id, now), pb, now) }];
    case 'redeem':
      return redeem(cmd, member, m, deps, pb, now);
    case 'coupons':
      return [{ text: couponsReply(repo.usableCoupons(member.id, now), pb, deps.timezone) }];
    case 'invite':
      return [{ text: fill(t.invite, { code: member.referralCode, points: pb.referral.referrerPoints }) }];
    case 'birthday':
      if (!cmd.birthday) return [{ text: fill(t.birthdayInvalid, { given: quote(cmd.given) }) }];
      if (isFuture(cmd.birthday, now, deps.timezone)) return [{ text: fill(t.birthdayFuture, { given: quote(cmd.given) }) }];
      repo.setBirthday(member.id, cmd.birthday, now);
      return [{ text: fill(t.birthdaySet, { date: birthdayText(cmd.birthday) }) }];
  }
}

async function join(code: string | null, m: InboundMessage, deps: MemberHandlerDeps, pb: MembershipPlaybook, now: number, phone?: string): Promise<Send[]> {
  const t = pb.texts;
  const r = deps.repo.join({ contactId: m.talkerId, name: m.talkerName, roomId: m.roomId, referralCode: code, ...(phone ? { phone } : {}) }, pb, now);
  const vars = { name: displayName(r.member.name), tier: tierName(r.member.tier, pb), points: r.member.points, code: r.member.referralCode };
  const referralLine = {
    none: '',
    credited: fill(t.referralAccepted, { referrer: r.referral.status === 'credited' ? displayName(r.referral.referrer.name) : '' }),
    'unknown-code': fill(t.referralUnknown, { code: quote(code ?? '') }),
    self: t.referralSelf,
    'too-late': t.referralTooLate,
  }[r.referral.status];
  const main = r.outcome === 'already' ? fill(t.joinAlready, vars) : fill(t.joinWelcome, vars);
  const sends: Send[] = [{ text: referralLine ? `${main}\n${referralLine}` : main }];
  if (r.gift) {
    const reward = pb.rewards.find((x) => x.code === r.gift!.rewardCode);
    sends.push({
      suffix: 'gift',
      text: fill(t.joinGift, { reward: reward?.name ?? r.gift.rewardCode, coupon: r.gift.code, expires: expiresText(r.gift.expiresAt, deps.timezone) }),
    });
  }
  if (r.referral.status === 'credited' && r.referral.referrer.contactId && pb.care.referral.enabled) {
    await deps.outbox.enqueue({
      key: `care:referral:${r.member.id}`,
      target: { kind: 'contact', id: r.referral.referrer.contactId },
      content: {
        kind: 'text',
        text: fill(t.care.referral, { name: displayName(r.referral.referrer.name), friend: displayName(r.member.name), points: r.referral.points, balance: r.referral.balance }),
      },
      purpose: 'care',
    });
  }
  if (r.outcome !== 'already') deps.logger.info({ memberId: r.member.id, outcome: r.outcome, referral: r.referral.status }, 'member joined');
  return sends;
}

function catalogueFor(member: MemberRow, deps: MemberHandlerDeps, pb: MembershipPlaybook): RewardView[] {
  const held = deps.repo.couponCounts(member.id);
  return deps.repo.redeemable(pb).map((r: RewardRow) => ({ ...r, held: r.perMemberLimit === null ? 0 : (held.get(r.code) ?? 0) }));
}

async function redeem(
  cmd: Extract<MemberCommand, { kind: 'redeem' }>,
  member: MemberRow,
  m: InboundMessage,
  deps: MemberHandlerDeps,
  pb: MembershipPlaybook,
  now: number,
): Promise<Send[]> {
  const t = pb.texts;
  let code = cmd.code;
  if (!code) {
    const catalogue = catalogueFor(member, deps, pb);
    if (!cmd.query) return [{ text: redeemMenuReply(member.points, catalogue, pb) }];
    const q = cmd.query;
    const byName = catalogue.filter((r) => r.name.toLowerCase().includes(q));
    if (byName.length !== 1) return [{ text: fill(t.redeemUnknown, { code: quote(q), codes: catalogue.map((r) => r.code).join('、') }) }];
    code = byName[0]!.code;
  }
  const r = await deps.repo.redeemSoon(member.id, code, `redeem:${m.id}`, pb, now);
  if (r.ok) {
    deps.logger.info({ memberId: member.id, reward: r.reward.code, cost: r.reward.cost, balance: r.balance }, 'reward redeemed');
    return [
      { text: fill(t.redeemOk, { reward: r.reward.name, coupon: r.coupon.code, expires: expiresText(r.coupon.expiresAt, deps.timezone), cost: r.reward.cost, points: r.balance }) },
    ];
  }
  const catalogue = catalogueFor(member, deps, pb);
  if (r.reason === 'unknown-reward') return [{ text: fill(t.redeemUnknown, { code: quote(code), codes: catalogue.map((x) => x.code).join('、') }) }];
  const alternatives = alternativesText(r.balance, catalogue, code, pb);
  switch (r.reason) {
    case 'no-stock':
      return [{ text: fill(t.redeemNoStock, { reward: r.reward.name, alternatives }) }];
    case 'over-limit':
      return [{ text: fill(t.redeemOverLimit, { reward: r.reward.name, limit: r.reward.perMemberLimit ?? 0, alternatives }) }];
    case 'not-enough':
      return [{ text: fill(t.redeemNotEnough, { reward: r.reward.name, cost: r.reward.cost, points: r.balance, short: r.reward.cost - r.balance, alternatives }) }];
    case 'duplicate':
      return [];
  }
}
