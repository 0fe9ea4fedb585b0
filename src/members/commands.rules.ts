import { ALL_ROLES, STAFF_COMMAND_ROLES, lastParsed, type CommandDeclaration } from '../inbound/index.js';
import { normalizeTyped } from '../core/text.js';
/**
 * What a member's message asks for. Pure: text in, command out. Tolerant of spaces, full-width
 * characters, punctuation, @mentions and letter case; Chinese words first, English aliases too.
 */

/** A birthday as the member gave it. `year` is optional (`生日 5月20日`). */
export interface BirthdayInput {
  calendar: 'solar' | 'lunar';
  month: number;
  day: number;
  year: number | null;
  /** A lunar leap month (闰五月); stored as the month itself. */
  leap?: boolean;
}

export type MemberCommand =
  | { kind: 'join'; code: string | null; /** The phone given while binding (identity/binding.flow.ts): the new member's. */ phone?: string }
  | { kind: 'points' }
  | { kind: 'redeem'; code: string | null; query: string | null }
  | { kind: 'coupons' }
  | { kind: 'invite' }
  | { kind: 'birthday'; birthday: BirthdayInput | null; given: string }
  | { kind: 'opt-out' }
  | { kind: 'opt-in' }
  | { kind: 'help' };

export type MemberCommandKind = MemberCommand['kind'];

/** Words that start each command, longest first within a command. `arg` commands take what follows. */
const KEYWORDS: { kind: MemberCommandKind; words: string[]; arg: boolean }[] = [
  { kind: 'birthday', words: ['农历生日', '阴历生日', '设置生日', '我的生日', '生日', 'lunarbirthday', 'birthday'], arg: true },
  { kind: 'join', words: ['我要入会', '加入会员', '注册会员', '入会', 'join'], arg: true },
  { kind: 'redeem', words: ['积分兑换', '兑换礼品', '兑换', 'redeem'], arg: true },
  { kind: 'points', words: ['查询积分', '积分查询', '查积分', '我的积分', '积分', 'points', 'balance'], arg: false },
  { kind: 'coupons', words: ['我的优惠券', '我的券', '优惠券', '查券', 'coupons', 'coupon'], arg: false },
  { kind: 'invite', words: ['我的邀请码', '邀请好友', '邀请码', '邀请', 'invite'], arg: false },
  { kind: 'opt-out', words: ['取消订阅', '退订', 'unsubscribe', 'stop', 'td'], arg: false },
  { kind: 'opt-in', words: ['恢复订阅', '重新订阅', '订阅', 'subscribe'], arg: false },
  { kind: 'help', words: ['帮助', '菜单', '功能', 'help', 'menu', '?'], arg: false },
];

/**
 * The member commands for the command registry (inbound/commands.ts): one declaration per kind, for
 * everyone (staff may check their own points too), matched by this parser.
 */
export function memberCommandDeclarations(): CommandDeclaration[] {
  const kindOf = lastParsed((text) => parseMemberCommand(text)?.kind);
  return KEYWORDS.map((k) => ({
    capability: 'members',
    command: k.kind,
    words: k.words,
    roles: ALL_ROLES,
    inGroups: true,
    matches: (text: string) => kindOf(text) === k.kind,
  }));
}

/** A staff member's answer to a held binding (`确认绑定 12`, `拒绝绑定 #12`), private only. */
export const BINDING_DECISION = /^(确认|拒绝)绑定\s*#?(\d+)$/;

/** The staff's 确认绑定 N / 拒绝绑定 N for the command registry (answered by identity/binding.flow.ts). */
export function bindingDecisionDeclaration(): CommandDeclaration {
  return {
    capability: 'members',
    command: 'binding-decision',
    words: ['确认绑定 N', '拒绝绑定 N'],
    roles: STAFF_COMMAND_ROLES,
    matches: (text: string) => BINDING_DECISION.test(normalizeText(text).replace(/\s+/g, '')),
  };
}

const ALL_WORDS = KEYWORDS.flatMap((k) => k.words.map((w) => ({ kind: k.kind, word: w, arg: k.arg }))).sort((a, b) => b.word.length - a.word.length);

/** Punctuation and symbols that carry no meaning in a command. */
const NOISE = /[\s?"'“”‘’「」『』《》【】()（）[\]{}<>,，.。!！:：;；~～、·…—_-]+/gu;

/**
 * Text as typed → the form commands are matched in: NFKC (full-width letters, digits, the ideographic
 * space), @mentions removed, lower case, trimmed.
 */
export function normalizeText(text: string): string {
  return normalizeTyped(text);
}

/**
 * Parses a member's message.
 * @returns the command, or null when the text is not one (chatter, questions).
 * @example parseMemberCommand('兑换\u3000Ｃ００１') // { kind: 'redeem', code: 'C001', query: null }
 * @example parseMemberCommand('农历生日 五月初八') // { kind: 'birthday', birthday: { calendar: 'lunar', month: 5, day: 8, year: null }, … }
 */
export function parseMemberCommand(text: string): MemberCommand | null {
  const norm = normalizeText(text);
  if (!norm) return null;
  // The question mark alone (？ becomes ? under NFKC) asks for help.
  if (/^\?+$/.test(norm)) return { kind: 'help' };
  const compact = norm.replace(/\s+/g, '');
  for (const { kind, word, arg } of ALL_WORDS) {
    if (!compact.startsWith(word)) continue;
    const latin = /^[a-z?]+$/.test(word);
    // An English keyword must stand alone: "stopover" is not "stop".
    if (latin && !new RegExp(`^${escape(word)}(?![a-z])`).test(norm)) continue;
    const rest = restAfter(norm, word);
    const restClean = rest.replace(NOISE, '');
    if (!arg) {
      if (restClean === '' || (kind === 'opt-out' && /^(了|吧|谢谢)$/.test(restClean))) return simple(kind);
      continue;
    }
    return withArgument(kind, rest, restClean, word);
  }
  return null;
}

function simple(kind: MemberCommandKind): MemberCommand {
  return { kind } as MemberCommand;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The text after `word`, where `word` may have spaces inside it in the original (`兑 换`). */
function restAfter(norm: string, word: string): string {
  let i = 0;
  let matched = 0;
  while (i < norm.length && matched < word.length) {
    if (/\s/.test(norm[i]!)) {
      i++;
      continue;
    }
    i++;
    matched++;
  }
  return norm.slice(i).trim();
}

const CODE = /^[a-z0-9]{2,16}$/;

function withArgument(kind: MemberCommandKind, rest: string, restClean: string, word: string): MemberCommand | null {
  switch (kind) {
    case 'join': {
      const code = restClean.replace(/^(邀请码|推荐码|code)/, '');
      if (code === '' || /^[\p{Script=Han}]+$/u.test(code)) return { kind: 'join', code: null };
      return { kind: 'join', code: code.toUpperCase() };
    }
    case 'redeem': {
      if (restClean === '') return { kind: 'redeem', code: null, query: null };
      if (CODE.test(restClean)) return { kind: 'redeem', code: restClean.toUpperCase(), query: null };
      return { kind: 'redeem', code: null, query: restClean };
    }
    case 'birthday': {
      const lunarWord = word.startsWith('农历') || word.startsWith('阴历') || word === 'lunarbirthday';
      const given = rest.trim();
      return { kind: 'birthday', birthday: parseBirthday(given, lunarWord ? 'lunar' : 'solar'), given };
    }
    default:
      return null;
  }
}

const CN_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 };
const LUNAR_MONTHS: Record<string, number> = { 正: 1, 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10, 十一: 11, 冬: 11, 十二: 12, 腊: 12, 臘: 12 };

/** `初八` → 8, `十五` → 15, `廿三` → 23, `三十` → 30; null when not a lunar day. */
export function parseLunarDay(s: string): number | null {
  if (/^\d{1,2}$/.test(s)) return Number(s);
  const m = /^(初|十|廿|二十|卅|三十)?([一二三四五六七八九十])?$/.exec(s);
  if (!m || (!m[1] && !m[2])) return null;
  const [, head, tail] = m;
  const unit = tail ? CN_DIGITS[tail]! : 0;
  switch (head) {
    case '初':
      return tail ? unit : null;
    case '十':
      return tail ? (tail === '十' ? null : 10 + unit) : 10;
    case '廿':
    case '二十':
      return tail ? (tail === '十' ? null : 20 + unit) : 20;
    case '卅':
    case '三十':
      return tail ? null : 30;
    default:
      return tail && tail !== '十' ? null : unit || null; // bare 十 handled by head
  }
}

/** A year written as digits or Chinese numerals (`一九九〇`). */
function parseYear(s: string): number | null {
  if (/^\d{4}$/.test(s)) return Number(s);
  if (/^[零〇一二三四五六七八九]{4}$/.test(s)) return Number([...s].map((c) => CN_DIGITS[c]).join(''));
  return null;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/**
 * Parses a birthday in the usual ways people write one. Solar: `1990-05-20`, `1990/5/20`,
 * `1990.5.20`, `19900520`, `1990年5月20日`, `5月20日`, `05-20`. Lunar (with `calendar: 'lunar'`, or a
 * leading 农历/阴历): `五月初八`, `1990年五月初八`, `闰四月十五`, `腊月廿三`, `5-8`.
 * @returns null when the text is not a valid date (month 1–12, a day that exists in that month).
 */
export function parseBirthday(given: string, calendar: 'solar' | 'lunar'): BirthdayInput | null {
  let s = given.normalize('NFKC').replace(/\s+/g, '');
  if (/^(农历|阴历)/.test(s)) {
    calendar = 'lunar';
    s = s.slice(2);
  } else if (/^(公历|阳历|新历)/.test(s)) {
    calendar = 'solar';
    s = s.slice(2);
  }
  s = s.replace(/[日号號]$/, '');
  let year: number | null = null;
  let month: number | null;
  let day: number | null;
  let leap = false;

  let m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})$/.exec(s) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (m) [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else if ((m = /^(\d{1,2})[-/.月](\d{1,2})$/.exec(s))) [month, day] = [Number(m[1]), Number(m[2])];
  else if ((m = /^(?:([\d零〇一二三四五六七八九]{4})年)?(闰)?(正|一|二|三|四|五|六|七|八|九|十一|十二|十|冬|腊|臘|\d{1,2})月(.+)$/.exec(s))) {
    if (m[1]) year = parseYear(m[1]);
    if (m[1] && year === null) return null;
    leap = Boolean(m[2]);
    month = /^\d+$/.test(m[3]!) ? Number(m[3]) : (LUNAR_MONTHS[m[3]!] ?? null);
    day = /^\d+$/.test(m[4]!) ? Number(m[4]) : parseLunarDay(m[4]!);
    // Chinese-numeral dates without 农历 are still most likely lunar (五月初八).
    if (/[初廿卅]/.test(m[4]!) || (!/^\d+$/.test(m[3]!) && calendar === 'solar' && !/^\d+$/.test(m[4]!))) calendar = 'lunar';
  } else return null;

  if (month === null || day === null || month < 1 || month > 12 || day < 1) return null;
  if (calendar === 'lunar') {
    if (day > 30) return null;
  } else {
    const max = month === 2 && year !== null && !isLeapYear(year) ? 28 : DAYS_IN_MONTH[month - 1]!;
    if (day > max) return null;
  }
  if (year !== null && (year < 1900 || year > 2100)) return null;
  return leap ? { calendar, month, day, year, leap } : { calendar, month, day, year };
}
