/** The one way out: enqueue requests, the outbox, its repo, purposes and status labels. Other folders import outbox/ only through this file (test/architecture/layers.ts). */
export { displayStatus } from './outbox.describe.js';
export { type EnqueueRequest, type EnqueueResult, type Outbox } from './outbox.js';
export { OutboxRepo } from './outbox.repo.js';
export { isPurpose, MARKETING_PURPOSES, type Purpose, PURPOSES } from './purposes.js';
export { type OutboxFeed, outboxOperations, recordOnlyOutbox } from './operations.js';
export { loadSendingPlaybook } from './sending.playbook.js';
export { Sender } from './sender.js';
export { OutboxOperations } from './operations.js';
export { countText } from './capacity.rules.js';
export { spreadOver } from './capacity.rules.js';
export { type AccountShare } from './capacity.rules.js';
export { sharesOf } from './routing.js';
export { AccountRouting } from './routing.js';
export { quietHoursInForce } from './sending.playbook.js';
export { pacedPerMinute } from './capacity.rules.js';
