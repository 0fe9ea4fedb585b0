/** The brand's accounts: the registry, who reaches whom, the hub. Other folders import accounts/ only through this file (test/architecture/layers.ts). */
export { loadAccountsRegistry, type RegistryDefaults } from './registry.js';
export { type AccountHub } from './hub.js';
export { ReachRepo, type ReachChange } from './reach.repo.js';
export type { AccountSpec, AccountState, AccountsView, EdgeFactory, EdgeHandlers } from './types.js';
export { type AccountRole } from './types.js';
export { type DownPolicy } from './types.js';
export { envAccountOf } from './registry.js';
export { healthOk } from './health.rules.js';
