/**
 * Binding in chat: a contact not yet linked to a member record becomes that member's contact.
 *
 *   入会/积分/兑换/我的券 from a contact with no member
 *     ├─ a phone in the contact's remark or reported by the provider matches exactly one unlinked member → linked at once
 *     ├─ in a group, or nobody left to find by phone → as before (入会 creates a member; the rest say how to join)
 *     └─ otherwise: "reply your phone" ─┬─ no member with it → 入会: a new member with that phone; else: how to join
 *                                        ├─ its member has another contact → refused; the store manager is told
 *                                        ├─ verify: fact → "reply your birthday / surname" → right: linked; wrong × maxAttempts: refused, manager told
 *                                        └─ verify: guide (or no fact on record) → held; the guide replies 确认绑定 N / 拒绝绑定 N
 *
 * Once linked, the command that started it is answered as for any member.
 */
import type { Logger } from '../../core/logger.js';
import type { InboundMessage } from '../../core/messages.js';
import type { EnqueueRequest, EnqueueResult } from '../../outbox/index.js';
import { BINDING_DECISION, normalizeText, parseMemberCommand, type MemberCommand } from '../commands.rules.js';
import type { MembersRepo } from '../members.repo.js';
import { bindingText, fill, type MembershipPlaybook } from '../playbook.js';
import { BINDING_COMMANDS, decideBySignals, factMatches, factToAsk, phonesIn, type FactKind } from './identity.rules.js';
import type { Binding, IdentityMember, IdentityRepo } from './identity.repo.js';
import type { AutoReplyKind } from '../../inbound/index.js';

/** One message to send in answer: `suffix` tells apart several sends caused by one message. */
export interface Send {
  text: string;
  suffix?: string;
  /** Set on answers that are not the command's result (not a member): sent at most once per guard window. */
  auto?: AutoReplyKind;
}

/** What a binding step answers, and the member command to run now that the contact is linked. */
export interface FlowResult {
  sends: Send[];
  proceed: MemberCommand | null;
}

export interface BindingDeps {
  repo: MembersRepo;
  identity: IdentityRepo;
  outbox: { enqueue(req: EnqueueRequest): Promise<EnqueueResult> };
  logger: Logger;
}

const SKIP = /^(跳过|没有|没登记过?|新会员|skip|no)$/;

const last4 = (phone: string | null) => (phone ?? '').slice(-4);
const displayContact = (m: InboundMessage | Binding) => ('talkerName' in m ? m.talkerName : m.contactName) || '未命名';

/** The phones the bot already knows for a contact: in its remark (alias) and as the provider reports them. */
export function signalPhones(m: Pick<InboundMessage, 'talkerAlias' | 'talkerPhones'>): string[] {
  const phones = [...phonesIn(m.talkerAlias ?? ''), ...(m.talkerPhones ?? []).flatMap((p) => phonesIn(p))];
  return [...new Set(phones)];
}

/**
 * A binding command from a contact with no member. Null: nothing to bind here, answer as before.
 */
export function startBinding(cmd: MemberCommand, m: InboundMessage, deps: BindingDeps, pb: MembershipPlaybook, now: number): FlowResult | null {
  const matches = signalPhones(m)
    .map((p) => deps.identity.memberByPhone(p))
    .filter((x): x is IdentityMember => x !== undefined && x.contactId === null);
  const decision = decideBySignals(matches.map((x) => ({ memberId: x.id })));
  if (decision.kind === 'link') {
    const member = matches.find((x) => x.id === decision.memberId)!;
    if (deps.identity.link(member.id, m.talkerId, 'signal', now)) {
      deps.logger.info({ memberId: member.id, contactId: m.talkerId, by: 'signal' }, 'contact bound to member');
      return { sends: [{ suffix: 'bound', text: fill(bindingText(pb, 'bound'), { last4: last4(member.phone) }) }], proceed: cmd };
    }
  }
  if (m.roomId || !deps.identity.anyoneToBind()) return null;
  deps.identity.save({
    contactId: m.talkerId,
    contactName: m.talkerName,
    command: JSON.stringify(cmd),
    state: 'asked-phone',
    memberId: null,
    attempts: 0,
    createdAt: now,
    updatedAt: now,
  });
  return { sends: [{ text: bindingText(pb, 'askPhone') }], proceed: null };
}

/**
 * The next message of a contact with a binding in progress. Null: not an answer (help, 退订 … go on as
 * usual).
 */
export async function continueBinding(b: Binding, m: InboundMessage, deps: BindingDeps, pb: MembershipPlaybook, now: number): Promise<FlowResult | null> {
  const cmd = parseMemberCommand(m.text);
  if (cmd && ['help', 'opt-out', 'opt-in', 'invite'].includes(cmd.kind)) return null;
  const started = JSON.parse(b.command) as MemberCommand;
  const answer = normalizeText(m.text);
  // Refused lately: binding commands get the same answer until the lock ends; anything else goes on as usual.
  if (b.state === 'refused') return cmd && BINDING_COMMANDS.includes(cmd.kind) ? { sends: [{ text: bindingText(pb, 'failed') }], proceed: null } : null;
  if (b.state === 'held') return { sends: [{ text: bindingText(pb, 'held') }], proceed: null };
  if (b.state === 'asked-phone') return askedPhone(b, started, answer, m, deps, pb, now);
  const member = b.memberId === null ? undefined : deps.identity.memberById(b.memberId);
  if (!member || member.contactId !== null) {
    deps.identity.clear(b.contactId);
    return { sends: [{ text: bindingText(pb, member ? 'phoneTaken' : 'noRecord') }], proceed: null };
  }
  const fact = factToAsk(member, pb.binding.facts);
  if (fact && factMatches(fact, answer, member)) return bind(b, member, started, deps, pb, now, 'fact');
  const attempts = b.attempts + 1;
  if (attempts >= pb.binding.maxAttempts || !fact) {
    deps.identity.save({ ...b, state: 'refused', attempts, updatedAt: now });
    await tellManagers(member, b, m, deps, pb, '身份验证未通过');
    deps.logger.warn({ memberId: member.id, contactId: b.contactId }, 'binding refused: the fact on record was not given');
    return { sends: [{ text: bindingText(pb, 'failed') }], proceed: null };
  }
  deps.identity.save({ ...b, attempts, updatedAt: now });
  return { sends: [{ text: fill(bindingText(pb, 'wrongFact'), { left: pb.binding.maxAttempts - attempts }) }], proceed: null };
}

async function askedPhone(b: Binding, started: MemberCommand, answer: string, m: InboundMessage, deps: BindingDeps, pb: MembershipPlaybook, now: number): Promise<FlowResult> {
  if (SKIP.test(answer.replace(/\s+/g, ''))) {
    deps.identity.clear(b.contactId);
    return started.kind === 'join' ? { sends: [], proceed: started } : { sends: [{ text: pb.texts.notMember }], proceed: null };
  }
  const phone = phonesIn(answer)[0];
  if (!phone) {
    const attempts = b.attempts + 1;
    if (attempts >= pb.binding.maxAttempts) {
      deps.identity.clear(b.contactId);
      return { sends: [{ text: pb.texts.helpHint }], proceed: null };
    }
    deps.identity.save({ ...b, attempts, updatedAt: now });
    return { sends: [{ text: bindingText(pb, 'askPhoneAgain') }], proceed: null };
  }
  const member = deps.identity.memberByPhone(phone);
  if (!member) {
    deps.identity.clear(b.contactId);
    if (started.kind === 'join') return { sends: [], proceed: { ...started, phone } as MemberCommand };
    return { sends: [{ text: bindingText(pb, 'noRecord') }], proceed: null };
  }
  if (member.contactId !== null) {
    deps.identity.clear(b.contactId);
    if (member.contactId === b.contactId) return { sends: [], proceed: started };
    await tellManagers(member, b, m, deps, pb, '该手机号已绑定其他微信');
    deps.logger.warn({ memberId: member.id, contactId: b.contactId }, 'binding refused: the phone belongs to a member bound to another contact');
    return { sends: [{ text: bindingText(pb, 'phoneTaken') }], proceed: null };
  }
  // Someone failed the fact for this record lately: no more guessing, whoever asks; the guide decides.
  const locked = deps.identity.locked(member.id, now, pb.binding.lockHours * 3_600_000);
  const fact: FactKind | null = pb.binding.verify === 'fact' && !locked ? factToAsk(member, pb.binding.facts) : null;
  if (fact) {
    deps.identity.save({ ...b, state: 'asked-fact', memberId: member.id, attempts: 0, updatedAt: now });
    return { sends: [{ text: fill(bindingText(pb, fact === 'birthday' ? 'askBirthday' : 'askSurname'), { last4: last4(member.phone) }) }], proceed: null };
  }
  const guide = deps.identity.guideOf(member);
  if (!guide) {
    deps.identity.clear(b.contactId);
    await tellManagers(
      member,
      b,
      m,
      deps,
      pb,
      locked ? '该会员资料刚有人核对失败，且没有可确认的导购' : pb.binding.verify === 'guide' ? '会员没有可确认的导购' : '资料中没有可核对的生日或姓氏',
    );
    return { sends: [{ text: bindingText(pb, 'failed') }], proceed: null };
  }
  deps.identity.save({ ...b, state: 'held', memberId: member.id, attempts: 0, updatedAt: now });
  await deps.outbox.enqueue({
    key: `bind:${m.id}:guide`,
    target: { kind: 'contact', id: guide.contactId },
    purpose: 'alert',
    content: {
      kind: 'text',
      text: fill(bindingText(pb, 'guideConfirm'), { member: member.name || '（未登记姓名）', last4: last4(member.phone), contact: displayContact(b), id: member.id }),
    },
  });
  return { sends: [{ text: bindingText(pb, 'held') }], proceed: null };
}

function bind(b: Binding, member: IdentityMember, started: MemberCommand, deps: BindingDeps, pb: MembershipPlaybook, now: number, by: string): FlowResult {
  deps.identity.clear(b.contactId);
  if (!deps.identity.link(member.id, b.contactId, 'chat', now)) return { sends: [{ text: bindingText(pb, 'phoneTaken') }], proceed: null };
  deps.logger.info({ memberId: member.id, contactId: b.contactId, by }, 'contact bound to member');
  return { sends: [{ suffix: 'bound', text: fill(bindingText(pb, 'bound'), { last4: last4(member.phone) }) }], proceed: started };
}

async function tellManagers(member: IdentityMember, b: Binding, m: InboundMessage, deps: BindingDeps, pb: MembershipPlaybook, why: string): Promise<void> {
  const managers = deps.identity.managersOf(member);
  if (!managers.length) deps.logger.warn({ memberId: member.id, store: member.storeCode, why }, 'binding alert has no store manager to tell');
  for (const s of managers) {
    await deps.outbox.enqueue({
      key: `bind:${m.id}:manager:${s.code}`,
      target: { kind: 'contact', id: s.contactId },
      purpose: 'alert',
      content: {
        kind: 'text',
        text: fill(bindingText(pb, 'managerAlert'), { member: member.name || `#${member.id}`, last4: last4(member.phone), contact: displayContact(b), why }),
      },
    });
  }
}

/**
 * A guide's (or store manager's) `确认绑定 N` / `拒绝绑定 N` for a binding held for them. Null when the
 * text is not one, or the sender may not decide it (not the member's guide nor a manager of their store).
 * @returns the reply to the staff member, and what the member is told.
 */
export async function staffDecision(
  m: InboundMessage,
  deps: BindingDeps,
  pb: MembershipPlaybook,
  now: number,
): Promise<{ staffReply: string; member: { contactId: string; sends: Send[]; proceed: MemberCommand | null } } | null> {
  const hit = BINDING_DECISION.exec(normalizeText(m.text).replace(/\s+/g, ''));
  if (!hit || m.roomId) return null;
  const staff = deps.identity.staffByContact(m.talkerId);
  const member = deps.identity.memberById(Number(hit[2]));
  if (!staff || !member) return null;
  const allowed = member.guideCode === staff.code || (staff.role === 'store-manager' && staff.storeCode === member.storeCode) || staff.role === 'hq';
  const held = deps.identity.heldFor(member.id);
  if (!allowed || !held) return null;
  const done = fill(bindingText(pb, 'guideDone'), { member: member.name || `#${member.id}`, contact: displayContact(held) });
  if (hit[1] === '拒绝') {
    deps.identity.clear(held.contactId);
    deps.logger.info({ memberId: member.id, contactId: held.contactId, staff: staff.code }, 'binding rejected by staff');
    return { staffReply: done, member: { contactId: held.contactId, sends: [{ text: bindingText(pb, 'rejected') }], proceed: null } };
  }
  const r = bind(held, member, JSON.parse(held.command) as MemberCommand, deps, pb, now, `staff:${staff.code}`);
  return { staffReply: done, member: { contactId: held.contactId, ...r } };
}
