/** Dormant-member wake-up: the capability, its playbook, selection runs and report. Other folders import wakeup/ only through this file (test/architecture/layers.ts). */
export { loadWakeupPlaybook, type WakeupPlaybook, WakeupPlaybookHolder } from './playbook.js';
export { renderWakeupReport, wakeupReport } from './report.js';
export { wakeupCapability, wakeupDeps } from './wakeup.capability.js';
export { previewSelection, runSelection, type StageSelection, type WakeupDeps } from './wakeup.jobs.js';
export { WAKEUP } from './published.js';
