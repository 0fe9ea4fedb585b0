import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseYamlText, readPlaybookText } from '../core/playbook-file.js';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { describeIssue, firstDuplicate, listVars, unknownVariable } from '../core/playbook-errors.js';
import { PlaybookHolder as CorePlaybookHolder } from '../core/playbook-holder.js';

/**
 * The membership playbook (`sop/membership.yaml`): tiers, points rate, rewards, care rules and every
 * text members see. Validated at load; errors name the file, the path inside it, what was found and
 * what is allowed.
 */

/** The variables each text may use. A text using another `{name}` is refused at load. */
export const TEXT_VARIABLES = {
  help: [],
  helpHint: [],
  notMember: [],
  joinWelcome: ['name', 'tier', 'points', 'code'],
  joinAlready: ['name', 'tier', 'points', 'code'],
  joinGift: ['reward', 'coupon', 'expires'],
  referralAccepted: ['referrer'],
  referralUnknown: ['code'],
  referralSelf: [],
  referralTooLate: [],
  points: ['name', 'points', 'tier', 'growth', 'next', 'expiring'],
  pointsNextTier: ['needed', 'tier'],
  pointsTopTier: [],
  pointsExpiring: ['count'],
  redeemMenu: ['points', 'affordable', 'close', 'example'],
  redeemMenuAffordable: ['lines'],
  redeemMenuNoneAffordable: [],
  redeemMenuClose: ['lines'],
  redeemMenuLine: ['code', 'name', 'cost'],
  redeemMenuCloseLine: ['code', 'name', 'cost', 'short'],
  redeemOk: ['reward', 'coupon', 'expires', 'cost', 'points'],
  redeemNotEnough: ['reward', 'cost', 'points', 'short', 'alternatives'],
  redeemNoStock: ['reward', 'alternatives'],
  redeemOverLimit: ['reward', 'limit', 'alternatives'],
  redeemUnknown: ['code', 'codes'],
  redeemAlternatives: ['lines'],
  redeemNoAlternatives: [],
  coupons: ['lines'],
  couponLine: ['reward', 'coupon', 'expires'],
  couponsNone: [],
  invite: ['code', 'points'],
  birthdaySet: ['date'],
  birthdayInvalid: ['given'],
  optedOut: [],
  optedIn: [],
} as const satisfies Record<string, readonly string[]>;

/** The variables of each care text (`texts.care.<scene>`). */
export const CARE_TEXT_VARIABLES = {
  firstPurchase: ['name', 'points', 'balance'],
  repurchase: ['name', 'count', 'points', 'balance'],
  tierUpgrade: ['name', 'tier', 'multiplier'],
  birthday: ['name', 'reward', 'coupon', 'expires'],
  birthdayNoGift: ['name'],
  festival: ['name', 'festival'],
  memberDay: ['name'],
  referral: ['name', 'friend', 'points', 'balance'],
} as const satisfies Record<string, readonly string[]>;

/**
 * Texts of private answers asked in a group, with defaults (a playbook may leave them out):
 * `privateAck` goes to the group (after the member's @name) when the answer went privately;
 * `privateUnreachable` when the bot cannot write to the member privately ({command}: what to send);
 * `birthdayFuture` answers a birthday after today.
 */
export const PRIVACY_TEXT_VARIABLES = { privateAck: [], privateUnreachable: ['command'], birthdayFuture: ['given'] } as const satisfies Record<string, readonly string[]>;

/** Variables of the optional `texts.care.tierDowngrade` (the yearly review lowered the tier). */
export const TIER_DOWNGRADE_VARIABLES = ['name', 'tier', 'tierBefore', 'growth', 'needed'] as const;

/** The variables of each binding text (`binding.texts.<key>`): members see the first ones, staff the last three. */
export const BINDING_TEXT_VARIABLES = {
  askPhone: [],
  askPhoneAgain: [],
  askBirthday: ['last4'],
  askSurname: ['last4'],
  wrongFact: ['left'],
  bound: ['last4'],
  failed: [],
  phoneTaken: [],
  held: [],
  noRecord: [],
  rejected: [],
  guideConfirm: ['member', 'last4', 'contact', 'id'],
  guideDone: ['member', 'contact'],
  managerAlert: ['member', 'last4', 'contact', 'why'],
} as const satisfies Record<string, readonly string[]>;

/** The shipped binding texts: a playbook may leave any of them out. */
export const BINDING_TEXT_DEFAULTS: Record<keyof typeof BINDING_TEXT_VARIABLES, string> = {
  askPhone: '为找到您在门店登记的会员资料，请回复您的手机号（11 位）。从未登记过？回复"跳过"直接入会。',
  askPhoneAgain: '没有看到手机号：请回复 11 位手机号，或回复"跳过"。',
  askBirthday: '找到了尾号{last4}的会员资料。为确认是您本人，请回复登记的生日（月-日，如 05-20）。',
  askSurname: '找到了尾号{last4}的会员资料。为确认是您本人，请回复登记的姓氏。',
  wrongFact: '与登记的资料不一致，还可以再试 {left} 次。',
  bound: '已为您绑定会员（尾号{last4}），积分、等级和优惠券都已同步。',
  failed: '暂时无法确认是您本人，已请门店工作人员协助，请稍候。',
  phoneTaken: '这个手机号已绑定其他微信。如需更换，我们已通知门店店长，稍后会联系您。',
  held: '已请您的专属导购确认，确认后会通知您。',
  noRecord: '没有找到这个手机号的会员资料，回复"入会"即可免费加入。',
  rejected: '导购未能确认这次绑定，如有疑问请联系门店。',
  guideConfirm: '会员{member}（尾号{last4}）申请绑定微信「{contact}」。是本人请回复：确认绑定 {id}；不是请回复：拒绝绑定 {id}',
  guideDone: '已处理：会员{member} · 微信「{contact}」。',
  managerAlert: '会员绑定提醒：微信「{contact}」用尾号{last4}的手机号申请绑定会员{member}：{why}。请核实后联系会员。',
};

export type TextKey = keyof typeof TEXT_VARIABLES;
export type CareTextKey = keyof typeof CARE_TEXT_VARIABLES;

const posInt = z.number({ error: 'a positive integer' }).int({ error: 'a positive integer' }).min(1, { error: 'a positive integer' });
const nonNegInt = z.number({ error: 'a whole number ≥ 0' }).int({ error: 'a whole number ≥ 0' }).min(0, { error: 'a whole number ≥ 0' });
const hour = z.number({ error: 'an hour 0–23' }).int({ error: 'an hour 0–23' }).min(0, { error: 'an hour 0–23' }).max(23, { error: 'an hour 0–23' });
const text = z.string({ error: 'a text' }).min(1, { error: 'a non-empty text' });
const code = z
  .string({ error: 'a code of 2–16 letters, digits or dashes' })
  .regex(/^[A-Za-z0-9-]{2,16}$/, { error: 'a code of 2–16 letters, digits or dashes' })
  .transform((s) => s.toUpperCase());

const tierSchema = z.strictObject({
  code: z.string({ error: 'a tier code of lowercase letters, digits or dashes' }).regex(/^[a-z0-9-]{1,24}$/, { error: 'a tier code of lowercase letters, digits or dashes' }),
  name: text,
  minGrowth: nonNegInt,
  multiplier: z.number({ error: 'a multiplier between 0 and 10' }).min(0, { error: 'a multiplier between 0 and 10' }).max(10, { error: 'a multiplier between 0 and 10' }),
});

const rewardSchema = z.strictObject({
  code,
  name: text,
  cost: nonNegInt,
  stock: nonNegInt.optional(),
  perMemberLimit: posInt.optional(),
  validityDays: posInt,
  /** Issued by care scenes only; members cannot redeem it. */
  giftOnly: z.boolean({ error: 'true or false' }).default(false),
});

const textsShape = Object.fromEntries(Object.keys(TEXT_VARIABLES).map((k) => [k, text])) as Record<TextKey, typeof text>;
const careTextsShape = Object.fromEntries(Object.keys(CARE_TEXT_VARIABLES).map((k) => [k, text])) as Record<CareTextKey, typeof text>;

const bindingTextsShape = Object.fromEntries(Object.keys(BINDING_TEXT_VARIABLES).map((k) => [k, text.optional()])) as Record<
  keyof typeof BINDING_TEXT_VARIABLES,
  z.ZodOptional<typeof text>
>;

/**
 * How a contact is bound to an existing member record in chat when no signal settles it: the member
 * proves a fact on record (`fact`, the default) or their guide confirms in chat (`guide`).
 */
const bindingSchema = z.strictObject({
  verify: z.enum(['fact', 'guide'], { error: "fact (the member proves a fact on record) or guide (the member's guide confirms in chat)" }).default('fact'),
  facts: z
    .array(z.enum(['birthday', 'surname'], { error: 'birthday or surname' }), { error: 'a list of facts: birthday, surname' })
    .min(1, { error: 'at least one fact' })
    .default(['birthday', 'surname']),
  maxAttempts: posInt.default(3),
  pendingMinutes: posInt.default(30),
  /** After a refused binding, how long that contact and that member record cannot try again. */
  lockHours: posInt.default(24),
  texts: z.strictObject(bindingTextsShape).prefault({}),
});

const enabled = z.strictObject({ enabled: z.boolean({ error: 'true or false' }).default(true) });

export const playbookSchema = z.strictObject({
  tiers: z.array(tierSchema, { error: 'a list of tiers' }).min(1, { error: 'at least one tier' }),
  points: z.strictObject({
    yuanPerPoint: posInt,
    growthPerYuan: nonNegInt.default(1),
  }),
  tierDowngrade: z
    .enum(['never', 'yearly'], { error: "never (tiers are kept once reached) or yearly (reviewed on each anniversary of joining from the last 12 months' growth)" })
    .default('never'),
  rewards: z.array(rewardSchema, { error: 'a list of rewards' }),
  referral: z.strictObject({ referrerPoints: nonNegInt }),
  binding: bindingSchema.prefault({}),
  /**
   * `groupAnswers: private` (default): member-specific answers asked in a group (points, coupons,
   * invite code, a redemption, joining, a birthday) go to the member privately, the group sees only
   * `texts.privateAck`; `group`: answered in the group, as asked.
   */
  privacy: z
    .strictObject({
      groupAnswers: z.enum(['private', 'group'], { error: 'private (answer member-specific questions privately) or group (answer in the group)' }).default('private'),
    })
    .default({ groupAnswers: 'private' }),
  care: z.strictObject({
    /** Orders older than this when credited (history imports) bring no purchase or upgrade care. */
    recentOrderHours: posInt.default(48),
    newMember: z.strictObject({ giftReward: code.optional() }),
    firstPurchase: enabled,
    repurchase: z.strictObject({ onOrderCounts: z.array(posInt.min(2, { error: 'an order count ≥ 2' }), { error: 'a list of order counts' }) }),
    tierUpgrade: enabled,
    birthday: z.strictObject({ hour, giftReward: code.optional() }),
    festivals: z.strictObject({ hour, names: z.array(text, { error: 'a list of festival names' }) }),
    memberDay: z.strictObject({
      weekday: z
        .number({ error: 'a weekday 0 (Sunday) to 6' })
        .int({ error: 'a weekday 0 (Sunday) to 6' })
        .min(0, { error: 'a weekday 0 (Sunday) to 6' })
        .max(6, { error: 'a weekday 0 (Sunday) to 6' }),
      hour,
    }),
    referral: enabled,
  }),
  texts: z.strictObject({
    ...textsShape,
    privateAck: text.default('已私信您'),
    privateUnreachable: text.default('为保护您的隐私，会员信息只在私聊中发送：请先添加我为好友，再私聊发送"{command}"。'),
    birthdayFuture: text.default('"{given}"还没有到呢，生日应是今天或以前的日期。请回复如"生日 1990-05-20"或"农历生日 五月初八"。'),
    // tierDowngrade is optional: without it a yearly review lowers tiers silently.
    care: z.strictObject({ ...careTextsShape, tierDowngrade: text.optional() }),
  }),
});

type Parsed = z.infer<typeof playbookSchema>;

export type Tier = Parsed['tiers'][number];
export type RewardDef = Parsed['rewards'][number];

/** A validated membership playbook. Tiers are sorted by `minGrowth`, lowest first. */
export interface MembershipPlaybook extends Readonly<Parsed> {
  /** The file it was read from (for messages). */
  readonly file: string;
}

/**
 * Reads and validates a membership playbook.
 * @throws ConfigError `sop/membership.yaml: rewards[2].cost: expected a whole number ≥ 0, found "abc"`
 * @example const playbook = loadMembershipPlaybook('sop/membership.yaml')
 */
export function loadMembershipPlaybook(file: string): MembershipPlaybook {
  const source = readPlaybookText(file, 'membership playbook');
  return parseMembershipPlaybook(source, file);
}

/** Validates playbook YAML given as text; `file` is only used in messages. */
export function parseMembershipPlaybook(source: string, file: string): MembershipPlaybook {
  const raw = parseYamlText(source, file);
  const result = playbookSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(`${file}: ${describeIssue(playbookSchema, result.error.issues[0]!, raw)}`);
  const p = result.data;
  const problem = crossCheck(p);
  if (problem) throw new ConfigError(`${file}: ${problem}`);
  return Object.freeze({ ...p, tiers: [...p.tiers].sort((a, b) => a.minGrowth - b.minGrowth), file });
}

/** Rules one field cannot express: order of tiers, unique codes, references, text variables. */
function crossCheck(p: Parsed): string | null {
  if (p.tiers[0]!.minGrowth !== 0) return `tiers[0].minGrowth: expected 0 (the first tier starts at 0), found ${p.tiers[0]!.minGrowth}`;
  for (let i = 1; i < p.tiers.length; i++) {
    if (p.tiers[i]!.minGrowth <= p.tiers[i - 1]!.minGrowth) {
      return `tiers[${i}].minGrowth: expected more than tiers[${i - 1}].minGrowth (${p.tiers[i - 1]!.minGrowth}), found ${p.tiers[i]!.minGrowth}; list tiers lowest first`;
    }
  }
  const dupTier = firstDuplicate(p.tiers.map((t) => t.code));
  if (dupTier !== null) return `tiers[${dupTier}].code: "${p.tiers[dupTier]!.code}" is used twice; tier codes must be unique`;
  const dupReward = firstDuplicate(p.rewards.map((r) => r.code));
  if (dupReward !== null) return `rewards[${dupReward}].code: "${p.rewards[dupReward]!.code}" is used twice; reward codes must be unique`;
  for (const [i, r] of p.rewards.entries()) {
    if (!r.giftOnly && r.cost === 0) return `rewards[${i}].cost: expected a positive integer for a redeemable reward, found 0 (set giftOnly: true for a gift)`;
  }
  const codes = p.rewards.map((r) => r.code);
  for (const [path, ref] of [
    ['care.newMember.giftReward', p.care.newMember.giftReward],
    ['care.birthday.giftReward', p.care.birthday.giftReward],
  ] as const) {
    if (ref !== undefined && !codes.includes(ref)) return `${path}: "${ref}" is not in rewards; allowed: ${codes.join(', ')}`;
  }
  for (const key of Object.keys(TEXT_VARIABLES) as TextKey[]) {
    const bad = unknownVariable(p.texts[key], TEXT_VARIABLES[key]);
    if (bad) return `texts.${key}: unknown variable {${bad}}; allowed: ${listVars(TEXT_VARIABLES[key])}`;
  }
  for (const key of Object.keys(CARE_TEXT_VARIABLES) as CareTextKey[]) {
    const bad = unknownVariable(p.texts.care[key], CARE_TEXT_VARIABLES[key]);
    if (bad) return `texts.care.${key}: unknown variable {${bad}}; allowed: ${listVars(CARE_TEXT_VARIABLES[key])}`;
  }
  for (const key of Object.keys(BINDING_TEXT_VARIABLES) as (keyof typeof BINDING_TEXT_VARIABLES)[]) {
    const t = p.binding.texts[key];
    const bad = t === undefined ? null : unknownVariable(t, BINDING_TEXT_VARIABLES[key]);
    if (bad) return `binding.texts.${key}: unknown variable {${bad}}; allowed: ${listVars(BINDING_TEXT_VARIABLES[key])}`;
  }
  for (const key of Object.keys(PRIVACY_TEXT_VARIABLES) as (keyof typeof PRIVACY_TEXT_VARIABLES)[]) {
    const bad = unknownVariable(p.texts[key], PRIVACY_TEXT_VARIABLES[key]);
    if (bad) return `texts.${key}: unknown variable {${bad}}; allowed: ${listVars(PRIVACY_TEXT_VARIABLES[key])}`;
  }
  const downgrade = p.texts.care.tierDowngrade;
  const badDowngrade = downgrade === undefined ? null : unknownVariable(downgrade, TIER_DOWNGRADE_VARIABLES);
  if (badDowngrade) return `texts.care.tierDowngrade: unknown variable {${badDowngrade}}; allowed: ${listVars(TIER_DOWNGRADE_VARIABLES)}`;
  return null;
}

/** A binding text: the playbook's, or the shipped default. */
export function bindingText(p: Pick<MembershipPlaybook, 'binding'>, key: keyof typeof BINDING_TEXT_VARIABLES): string {
  return p.binding.texts[key] ?? BINDING_TEXT_DEFAULTS[key];
}

/**
 * Fills `{name}` variables of a playbook text. Unknown variables were refused at load; a variable
 * given as undefined is left empty.
 * @example fill('您好，{name}', { name: '王女士' }) // '您好，王女士'
 */
export { fill } from '../core/template.js';

/**
 * Holds the current playbook. `reload()` reads the file again; when the new version is bad, the last
 * good one stays in use and the one-line error is logged and returned.
 * @example
 * const holder = new PlaybookHolder('sop/membership.yaml', logger);
 * holder.current.tiers; holder.reload();
 */
export class PlaybookHolder extends CorePlaybookHolder<MembershipPlaybook> {
  /** @param source a file path (loaded on first use) or an already loaded playbook (tests). */
  constructor(source: string | MembershipPlaybook, logger?: Logger) {
    super(source, { load: loadMembershipPlaybook, name: 'membership playbook' }, logger);
  }
}

/**
 * Tier display names (普卡, 银卡 …) by code from the membership playbook in `sopDir`, for what operators
 * read; empty when the file is missing or bad (callers fall back to the code).
 * @example tierNamesIn('sop').get('regular') // '普卡'
 */
export function tierNamesIn(sopDir: string): Map<string, string> {
  const file = path.join(sopDir, 'membership.yaml');
  try {
    return existsSync(file) ? new Map(loadMembershipPlaybook(file).tiers.map((t) => [t.code, t.name])) : new Map();
  } catch {
    return new Map();
  }
}
