import { lastParsed, type CommandDeclaration, type CommandRole } from '../inbound/index.js';
/**
 * Admin chat commands, pure. Roster admins, store managers and HQ write them in a private chat with
 * the bot (spaces, full-width characters and a trailing punctuation mark are tolerated):
 *
 * | writes | means |
 * |---|---|
 * | `今日` / `今日概况` | today's summary: 3+3+3 completion, questions waiting, outbox |
 * | `待回复` | the questions waiting for a reply in my stores (the SLA's list, as `待处理`) |
 * | `活动` / `活动列表` | the campaigns with status and delivery |
 * | `暂停活动 <id>` / `恢复活动 <id>` | pause / resume a campaign |
 * | `查会员 <phone or name>` | member lookup (phones masked) |
 */
import type { StaffRole } from '../platform/db/schema.js';

export type AdminCommand =
  | { kind: 'today' }
  | { kind: 'waiting' }
  | { kind: 'campaigns' }
  | { kind: 'pause'; id: string | null }
  | { kind: 'resume'; id: string | null }
  | { kind: 'member'; query: string | null };

/** Roles that may use the admin commands. */
export const ADMIN_ROLES: readonly StaffRole[] = ['store-manager', 'community-admin', 'hq'];

/** Each admin command with the words it answers (the command registry, inbound/commands.ts). */
export const ADMIN_COMMAND_WORDS: readonly [AdminCommand['kind'], readonly string[]][] = [
  ['today', ['今日', '今天', '今日概况', '今日汇总']],
  ['waiting', ['待回复', '待回复列表']],
  ['campaigns', ['活动', '活动列表']],
  ['pause', ['暂停活动 <id>']],
  ['resume', ['恢复活动 <id>']],
  ['member', ['查会员 <手机号或姓名>']],
];

const WORDS: [RegExp, (arg: string) => AdminCommand][] = [
  [/^(?:今日|今天|今日概况|今日汇总)$/u, () => ({ kind: 'today' })],
  [/^(?:待回复|待回复列表)$/u, () => ({ kind: 'waiting' })],
  [/^(?:活动|活动列表)$/u, () => ({ kind: 'campaigns' })],
  [/^暂停活动[\s:：#]*(.*)$/u, (a) => ({ kind: 'pause', id: a || null })],
  [/^恢复活动[\s:：#]*(.*)$/u, (a) => ({ kind: 'resume', id: a || null })],
  [/^查会员[\s:：]*(.*)$/u, (a) => ({ kind: 'member', query: a || null })],
];

/** Full-width letters, digits and spaces to ASCII. */
function halfWidth(s: string): string {
  return s.replace(/[\uFF01-\uFF5E]/gu, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/gu, ' ');
}

/**
 * @example parseAdminCommand('暂停活动 member-day') // { kind: 'pause', id: 'member-day' }
 * @example parseAdminCommand('查会员 138 0000 0001') // { kind: 'member', query: '13800000001' }
 * @example parseAdminCommand('积分') // null
 */
export function parseAdminCommand(text: string): AdminCommand | null {
  const t = halfWidth(text)
    .replace(/@\S+\s*/gu, '')
    .trim()
    .replace(/[。.!！?？~～]+$/u, '')
    .trim();
  for (const [re, make] of WORDS) {
    const m = re.exec(t);
    if (!m) continue;
    let arg = (m[1] ?? '').trim();
    if (/^[\d\s-]+$/u.test(arg)) arg = arg.replace(/[\s-]/gu, '');
    return make(arg);
  }
  return null;
}

/** Whether a staff role may use the admin commands. */
export function isAdminRole(role: StaffRole | null | undefined): boolean {
  return role !== null && role !== undefined && ADMIN_ROLES.includes(role);
}

/**
 * The admin commands for the command registry (inbound/commands.ts), private only: `run` for store
 * managers and admins, and the same words as `refused` for everyone else (answered with the member help).
 */
export function adminCommandDeclarations(): { run: CommandDeclaration[]; refused: CommandDeclaration[] } {
  const kindOf = lastParsed((t) => parseAdminCommand(t)?.kind);
  const of = (roles: readonly CommandRole[], suffix: string) =>
    ADMIN_COMMAND_WORDS.map(([command, words]): CommandDeclaration => ({
      capability: 'admin',
      command: `${command}${suffix}`,
      words,
      roles,
      matches: (t: string) => kindOf(t) === command,
    }));
  return { run: of(['manager', 'admin'], ''), refused: of(['member', 'guide'], ':refused') };
}
