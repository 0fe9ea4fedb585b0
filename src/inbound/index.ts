/** The one way in: the router handlers install on, the command registry, friendship and room events, the repeat guard. Other folders import inbound/ only through this file (test/architecture/layers.ts). */
export { ALL_ROLES, type CommandDeclaration, type CommandHandler, type CommandRegistry, type CommandRole, commandRoleOf, lastParsed, STAFF_COMMAND_ROLES } from './commands.js';
export { type Friendships } from './friendships.js';
export { type AutoReplyKind, type RepeatGuard, repeatGuardOf } from './repeat-guard.js';
export { type RoomEvents } from './rooms.js';
export { type InboundContext, type InboundHandler, type Router } from './router.js';
export { type CommandEntry } from './commands.js';
