/**
 * Members' light, read-only surface (see test/architecture/layers.ts): what other capabilities' reports
 * need without loading the members capability (no outbox, no queue client).
 */
export { birthdaysOn } from './care.rules.js';
