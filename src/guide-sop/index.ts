/** The guides' daily 3+3+3: the capability, its playbook loader and report. Other folders import guide-sop/ only through this file (test/architecture/layers.ts). */
export { guideSopCapability } from './guide-sop.capability.js';
export { loadGuidePlaybook } from './playbook.js';
export { type GuideReport, guideReport, renderGuideReport } from './report.js';
