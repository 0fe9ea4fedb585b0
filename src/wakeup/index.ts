/** Dormant-member wake-up: the capability, its playbook, selection runs and report. Other folders import wakeup/ only through this file (test/architecture/layers.ts). */
export { loadWakeupPlaybook, WakeupPlaybookHolder } from './playbook.js';
export { renderWakeupReport, wakeupReport } from './report.js';
export { wakeupCapability, wakeupDeps } from './wakeup.capability.js';
export { previewSelection, runSelection, type StageSelection } from './wakeup.jobs.js';
