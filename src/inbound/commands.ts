import type { StaffRole } from '../platform/db/schema.js';
import type { InboundContext } from './router.js';

/**
 * The command registry is the router's dispatch table: which capability answers which words, for whom.
 * Each capability declares its commands when it is installed (`ctx.router.commands.declare(…)`), each
 * with the handler that answers it, and one hint per role for text nobody claims (`hint(…)`):
 *
 * ```
 *  role ╲ word   积分/兑换…  帮助   会员1/我的进度  待处理/已处理 #N  今日/活动/查会员…  确认绑定 N   (unclaimed)
 *  member        members    members    –              –               admin (refused)       –        members hint
 *  guide         members    members  guide-sop        sla             admin (refused)    members     guide-sop hint
 *  manager       members    members    –              sla             admin              members     admin hint
 *  admin         members    members    –              sla             admin              members     admin hint
 * ```
 *
 * The router resolves the sender's role (the directory of people) and gives a private message, or a
 * group message that @-mentions the bot (for commands declared `inGroups`), to the one handler claiming
 * its word for that role. A word claimed twice for one role is refused when it is declared, so the
 * table never holds two answers. The SLA's "a command is not a question" is `isCommand(text)`: no word
 * list in a playbook.
 */

/** Who a command is for. `member` is anyone who is not on the staff roster. */
export type CommandRole = 'member' | 'guide' | 'manager' | 'admin';

export const ALL_ROLES: readonly CommandRole[] = ['member', 'guide', 'manager', 'admin'];
export const STAFF_COMMAND_ROLES: readonly CommandRole[] = ['guide', 'manager', 'admin'];

/**
 * Answers a claimed message. Returning `false` says it was not for this command after all (a
 * `确认绑定 N` with nothing to confirm): the sender's role hint answers instead.
 */
export type CommandHandler = (ctx: InboundContext) => void | boolean | Promise<void | boolean>;

/** One capability's command: what it answers, for whom, where. */
export interface CommandDeclaration {
  /** The capability that answers it (`members`, `sla`, `guide-sop`, `admin`). */
  capability: string;
  /** A name within the capability (`points`, `opt-out`, `list`). */
  command: string;
  /** The words it answers, as a person would type them (for help texts, docs and conflict checks). */
  words: readonly string[];
  /** Who it is for. */
  roles: readonly CommandRole[];
  /** Also answered in a group when the bot is @-mentioned (default: private chats only). */
  inGroups?: boolean;
  /** Whether `text` (as typed) is this command. */
  matches(text: string): boolean;
}

/** A declaration with the handler that answers it: one row of the dispatch table. */
export interface CommandEntry extends CommandDeclaration {
  handle: CommandHandler;
}

/** The hint for text nobody claims, for one or more roles. */
export interface HintEntry {
  capability: string;
  roles: readonly CommandRole[];
  /** Sends the hint (private text only); it may stay silent (a repeat inside the guard's window). */
  handle: (ctx: InboundContext) => void | Promise<void>;
}

/** The sender's role for commands: staff by their roster role, everyone else a member. */
export function commandRoleOf(staffRole: StaffRole | null | undefined): CommandRole {
  if (!staffRole) return 'member';
  if (staffRole === 'guide') return 'guide';
  if (staffRole === 'store-manager') return 'manager';
  return 'admin';
}

/** Re-exported for the capabilities' declarations (it lives in core/ so that light surfaces can use it). */
export { lastParsed } from '../core/memo.js';

export class CommandRegistry {
  private readonly declared: CommandEntry[] = [];
  private readonly hints = new Map<CommandRole, HintEntry>();

  /**
   * Adds commands; returns a function that removes them again (a capability's uninstall).
   * @throws when one of the words is already claimed for one of the roles by another command.
   */
  declare(...entries: CommandEntry[]): () => void {
    for (const d of entries) {
      for (const e of [...this.declared, ...entries.filter((x) => x !== d)]) {
        const role = d.roles.find((r) => e.roles.includes(r));
        if (!role) continue;
        const word = d.words.find((w) => e.matches(w)) ?? e.words.find((w) => d.matches(w));
        if (word !== undefined) {
          throw new Error(`command "${word}" for ${role} is claimed twice: by ${e.capability}/${e.command} and ${d.capability}/${d.command}; a word answers one way per role`);
        }
      }
    }
    this.declared.push(...entries);
    return () => {
      for (const d of entries) {
        const i = this.declared.indexOf(d);
        if (i >= 0) this.declared.splice(i, 1);
      }
    };
  }

  /**
   * Sets the hint for text nobody claims from a sender of these roles; returns its removal.
   * @throws when a role has a hint already (one fallback answer per role).
   */
  hint(entry: HintEntry): () => void {
    for (const r of entry.roles) {
      const had = this.hints.get(r);
      if (had) throw new Error(`the hint for ${r} is set twice: by ${had.capability} and ${entry.capability}; one hint per role`);
    }
    for (const r of entry.roles) this.hints.set(r, entry);
    return () => {
      for (const r of entry.roles) if (this.hints.get(r) === entry) this.hints.delete(r);
    };
  }

  /**
   * The one command that `text` is for a sender of `role`, said privately or (`inGroup`) in a group
   * that @-mentions the bot; undefined when nobody claims it.
   */
  resolve(text: string, role: CommandRole, inGroup = false): CommandEntry | undefined {
    return this.declared.find((d) => d.roles.includes(role) && (!inGroup || d.inGroups === true) && d.matches(text));
  }

  /** The hint for a sender of `role`, if a capability set one. */
  hintFor(role: CommandRole): HintEntry | undefined {
    return this.hints.get(role);
  }

  /** The first declared command that `text` is for a sender of `role` (anywhere), or undefined. */
  claimant(text: string, role: CommandRole): CommandDeclaration | undefined {
    return this.declared.find((d) => d.roles.includes(role) && d.matches(text));
  }

  /** Whether `text` is any capability's command for anyone (the SLA: a command is not a question). */
  isCommand(text: string): boolean {
    return this.declared.some((d) => d.matches(text));
  }

  /** Everything declared, in declaration order (docs, hints, the console, tests). */
  all(): readonly CommandDeclaration[] {
    return this.declared;
  }
}
