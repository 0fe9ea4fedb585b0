/**
 * The 3+3+3's read-only surface: its report, for the CLI and the console, without loading the capability
 * (no outbox, no queue client): `npm run cli -- report guides` starts in a fraction of a second. Like
 * `index.ts`, other folders may import this file (test/architecture/layers.ts).
 */
export { type GuideReport, guideReport, renderGuideReport } from './report.js';
