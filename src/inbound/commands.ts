import type { StaffRole } from '../platform/db/schema.js';

/**
 * The command registry: which capability answers which words, for whom. Each capability declares its
 * commands when it is installed (`ctx.router.commands.declare(…)`); handlers ask the registry instead
 * of parsing other capabilities' words again:
 *
 * - a handler leaves a message alone when another capability claims it for the sender's role
 *   (`claimant(text, role)`), so one message gets one answer;
 * - the SLA's "a command is not a question" is `isCommand(text)` (no word list in a playbook);
 * - a wake-up reply that is a command (`积分`, `退订`) is answered by the command's owner.
 */

/** Who a command is for. `member` is anyone who is not on the staff roster. */
export type CommandRole = 'member' | 'guide' | 'manager' | 'admin';

export const ALL_ROLES: readonly CommandRole[] = ['member', 'guide', 'manager', 'admin'];
export const STAFF_COMMAND_ROLES: readonly CommandRole[] = ['guide', 'manager', 'admin'];

/** One capability's command. */
export interface CommandDeclaration {
  /** The capability that answers it (`members`, `sla`, `guide-sop`, `admin`). */
  capability: string;
  /** A name within the capability (`points`, `opt-out`, `list`). */
  command: string;
  /** The words it answers, as a person would type them (for help texts, docs and `words()`). */
  words: readonly string[];
  /** Who it is for. */
  roles: readonly CommandRole[];
  /** Whether `text` (as typed) is this command. */
  matches(text: string): boolean;
}

/** The sender's role for commands: staff by their roster role, everyone else a member. */
export function commandRoleOf(staffRole: StaffRole | null | undefined): CommandRole {
  if (!staffRole) return 'member';
  if (staffRole === 'guide') return 'guide';
  if (staffRole === 'store-manager') return 'manager';
  return 'admin';
}

export class CommandRegistry {
  private readonly declared: CommandDeclaration[] = [];

  /** Adds commands; returns a function that removes them again (a capability's uninstall). */
  declare(...decls: CommandDeclaration[]): () => void {
    this.declared.push(...decls);
    return () => {
      for (const d of decls) {
        const i = this.declared.indexOf(d);
        if (i >= 0) this.declared.splice(i, 1);
      }
    };
  }

  /** The first declared command that `text` is for a sender of `role`, or undefined. */
  claimant(text: string, role: CommandRole): CommandDeclaration | undefined {
    return this.declared.find((d) => d.roles.includes(role) && d.matches(text));
  }

  /** Whether some capability answers `text` for a sender of `role` other than `capability` itself. */
  claimedByOther(capability: string, text: string, role: CommandRole): boolean {
    return this.declared.some((d) => d.capability !== capability && d.roles.includes(role) && d.matches(text));
  }

  /** Whether `text` is any capability's command for anyone (the SLA: a command is not a question). */
  isCommand(text: string): boolean {
    return this.declared.some((d) => d.matches(text));
  }

  /** Everything declared, in declaration order (docs, the console, tests). */
  all(): readonly CommandDeclaration[] {
    return this.declared;
  }
}
