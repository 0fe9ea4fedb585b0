import type { Logger } from '../core/logger.js';
import type { InboundMessage } from '../core/messages.js';
import type { StaffRole } from '../platform/db/schema.js';
import { CommandRegistry, commandRoleOf, type CommandEntry, type CommandRole } from './commands.js';

/** What a handler gets: the accepted message and when the bot received it, and what the router decided. */
export interface InboundContext {
  message: InboundMessage;
  receivedAt: number;
  /** The sender's role (the directory of people); unset for messages typed on the bot account's phone. */
  role?: CommandRole;
  /** The command claiming this message for the sender's role (the dispatch table), if any. */
  command?: CommandEntry;
  /**
   * Set when the bot answered this message itself: by a command's handler (set by the router), or by a
   * conversation the bot started (a binding answer, a wake-up reply). No hint follows; the SLA opens no
   * question for it.
   */
  answered?: boolean;
  /**
   * Set by a conversation that replied to this message but leaves it open for a person (a wake-up reply
   * that is a question): no hint follows, the SLA still tracks it.
   */
  acknowledged?: boolean;
}

export type InboundHandler = (ctx: InboundContext) => void | Promise<void>;

/** Who is staff, for the sender's role (core/directory.ts). */
export interface RoleSource {
  staffByContact(contactId: string): { role: StaffRole } | undefined;
}

interface Installed {
  name: string;
  fn: InboundHandler;
  self: boolean;
}

/**
 * One way in for the capabilities. Each accepted message goes, in this order, to:
 *
 * 1. the conversations the bot started (`use(…, { before: true })`): a wake-up reply, a binding answer.
 *    They may answer the message themselves (`answered`) or acknowledge it (`acknowledged`);
 * 2. exactly one answer: the command claiming the word for the sender's role (`commands`, the dispatch
 *    table), or, for private text nobody claims, the one hint set for that role;
 * 3. the observers (`use(…)`): activity, group posts, the SLA's question clock, group rules. They see
 *    every message with the router's decision (`role`, `command`, `answered`).
 *
 * Messages typed on the bot account's phone (`message.self`) reach only handlers installed with
 * `{ self: true }`, and no command. Every handler runs inside its own error boundary: a throw is logged
 * and the rest still runs.
 */
export class Router {
  private readonly before: Installed[] = [];
  private readonly after: Installed[] = [];
  private errors = 0;
  /** The dispatch table: commands by word and role, and one hint per role (inbound/commands.ts). */
  readonly commands = new CommandRegistry();

  /** @param people who is staff (the directory of people); without it everyone is a member. */
  constructor(
    private readonly logger: Logger,
    private readonly people?: RoleSource,
  ) {}

  /**
   * Installs a handler; returns a function that removes it. `{ before: true }`: a conversation, run
   * ahead of the command dispatch; `{ first: true }` puts it ahead of those installed before it.
   */
  use(name: string, fn: InboundHandler, opts: { self?: boolean; before?: boolean; first?: boolean } = {}): () => void {
    const entry = { name, fn, self: opts.self === true };
    const list = opts.before ? this.before : this.after;
    if (opts.first) list.unshift(entry);
    else list.push(entry);
    return () => {
      const i = list.indexOf(entry);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** The sender's role for commands: staff by their roster role, everyone else a member. */
  roleOf(contactId: string): CommandRole {
    return commandRoleOf(this.people?.staffByContact(contactId)?.role);
  }

  async dispatch(ctx: InboundContext): Promise<void> {
    const m = ctx.message;
    if (!m.self) {
      ctx.role = this.roleOf(m.talkerId);
      const addressed = m.type === 'text' && (!m.roomId || m.mentionSelf);
      ctx.command = addressed ? this.commands.resolve(m.text, ctx.role, m.roomId !== null) : undefined;
    }
    await this.run(this.before, ctx);
    if (!m.self) await this.answer(ctx);
    await this.run(this.after, ctx);
  }

  /** The one answer: the claiming command's, else the role's hint for private text. */
  private async answer(ctx: InboundContext): Promise<void> {
    const m = ctx.message;
    if (ctx.answered) return;
    const cmd = ctx.command;
    let hint = !cmd && !ctx.acknowledged && m.type === 'text' && !m.roomId;
    if (cmd) {
      const r = await this.guarded(cmd.capability, ctx, () => cmd.handle(ctx));
      if (r === false) hint = !m.roomId;
      else ctx.answered = true;
    }
    const h = hint ? this.commands.hintFor(ctx.role!) : undefined;
    if (h) await this.guarded(`${h.capability} hint`, ctx, () => h.handle(ctx));
  }

  private async run(list: readonly Installed[], ctx: InboundContext): Promise<void> {
    for (const h of [...list]) {
      if (ctx.message.self && !h.self) continue;
      await this.guarded(h.name, ctx, () => h.fn(ctx));
    }
  }

  private async guarded<T>(name: string, ctx: InboundContext, fn: () => T | Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      this.errors++;
      this.logger.error({ err, handler: name, messageId: ctx.message.id }, 'inbound handler failed; message kept, next handler runs');
      return undefined;
    }
  }

  /** Handler failures since start, for /healthz. */
  get failureCount(): number {
    return this.errors;
  }
}
