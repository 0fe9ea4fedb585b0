/** The one way out: enqueue requests, the outbox, its repo, purposes and status labels. Other folders import outbox/ only through this file (test/architecture/layers.ts). */
export { displayStatus } from './outbox.describe.js';
export { type EnqueueRequest, type EnqueueResult, type Outbox } from './outbox.js';
export { OutboxRepo } from './outbox.repo.js';
export { isPurpose, MARKETING_PURPOSES, type Purpose, PURPOSES } from './purposes.js';
