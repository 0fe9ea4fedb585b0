/**
 * The identity model's pure rules: one person is one member record; the contact ids that reach them
 * are linked to it. No store, no clock.
 *
 * A contact not yet linked is bound in chat (see binding.flow.ts) by a signal the bot already has (a
 * phone in the contact's remark, a phone the provider reports) or by the phone the member gives, which
 * must then be proven with a fact on record (birthday month-day, surname) or confirmed by the guide.
 */
import type { MemberCommandKind } from '../commands.rules.js';

/** The member commands that start a binding when the contact is not linked yet. */
export const BINDING_COMMANDS: readonly MemberCommandKind[] = ['join', 'points', 'redeem', 'coupons'];

const MOBILE = /(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)/g;

/**
 * The mainland mobile numbers written in a text (a remark `张丽娜 138 0013 8000`, a reply
 * `我的手机是13800138000`), normalised to 11 digits, each once, in order.
 * @example phonesIn('王女士 138-0013-8000') // ['13800138000']
 */
export function phonesIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.normalize('NFKC').matchAll(MOBILE)) {
    const p = `${m[1]}${m[2]}${m[3]}`;
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

/** A fact on record a member can be asked to prove who they are. */
export type FactKind = 'birthday' | 'surname';

/** What a member record holds that a fact check can use. */
export interface FactSource {
  name: string;
  birthMonth: number | null;
  birthDay: number | null;
}

/**
 * The first fact of `order` the record holds (a birthday needs month and day; a surname needs a
 * name in Chinese characters or a Latin name of two words or more), or null when it holds none.
 */
export function factToAsk(member: FactSource, order: readonly FactKind[]): FactKind | null {
  for (const f of order) {
    if (f === 'birthday' && member.birthMonth !== null && member.birthDay !== null) return f;
    if (f === 'surname' && surnameOf(member.name) !== null) return f;
  }
  return null;
}

/** Two-character surnames common enough to matter (欧阳娜娜 → 欧阳). */
const COMPOUND_SURNAMES = ['欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '尉迟', '公孙', '慕容', '长孙', '宇文', '司徒', '夏侯', '轩辕', '令狐', '端木', '南宫'];

/**
 * The surname of a name on record: the first Chinese character (or a known two-character surname);
 * for a Latin name of two words or more, the last word. Null when the name cannot tell.
 */
export function surnameOf(name: string): string | null {
  const n = name.normalize('NFKC').trim();
  if (/^\p{Script=Han}{2,}/u.test(n)) {
    const compound = COMPOUND_SURNAMES.find((s) => n.startsWith(s) && n.length > s.length);
    return compound ?? n[0]!;
  }
  const words = n.split(/\s+/).filter((w) => /^[a-z]+$/i.test(w));
  return words.length >= 2 ? words[words.length - 1]!.toLowerCase() : null;
}

/** Month and day in an answer: `05-20`, `5/20`, `0520`, `5月20日`, `1990-05-20`, `生日 5.20`. */
export function monthDayIn(text: string): { month: number; day: number } | null {
  const t = text.normalize('NFKC').replace(/\s+/g, '');
  const patterns = [/(?:^|\D)(?:\d{4}[-/.年])?(\d{1,2})[-/.月](\d{1,2})日?(?:$|\D)/, /^(?:生日)?(\d{2})(\d{2})$/];
  for (const p of patterns) {
    const m = p.exec(t);
    if (!m) continue;
    const month = Number(m[1]);
    const day = Number(m[2]);
    if (month >= 1 && month <= 12 && day >= 1 && day <= 31) return { month, day };
  }
  return null;
}

/**
 * Does the answer prove the fact? Birthday: the same month and day (any of the usual ways of writing
 * them). Surname: the answer starts with the surname (`王`, `王女士`, `王晓燕`), case-insensitive.
 */
export function factMatches(kind: FactKind, answer: string, member: FactSource): boolean {
  if (kind === 'birthday') {
    const md = monthDayIn(answer);
    return md !== null && md.month === member.birthMonth && md.day === member.birthDay;
  }
  const surname = surnameOf(member.name);
  if (surname === null) return false;
  const a = answer
    .normalize('NFKC')
    .trim()
    .replace(/^(我姓|姓)/, '')
    .trim()
    .toLowerCase();
  return a.startsWith(surname.toLowerCase()) || a.split(/\s+/).at(-1) === surname.toLowerCase();
}

/** What to do with a contact writing a binding command, given the signal phones' matches. */
export type SignalOutcome = { kind: 'link'; memberId: number } | { kind: 'ask-phone' };

/**
 * A signal binds at once only when exactly one unlinked member matches all the signal phones
 * together; none, or more than one, and the bot asks.
 */
export function decideBySignals(matches: readonly { memberId: number }[]): SignalOutcome {
  const ids = [...new Set(matches.map((m) => m.memberId))];
  return ids.length === 1 ? { kind: 'link', memberId: ids[0]! } : { kind: 'ask-phone' };
}
