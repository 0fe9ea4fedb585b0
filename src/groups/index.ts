/** Group health and spam: the capability, its playbook loader and reports. Other folders import groups/ only through this file (test/architecture/layers.ts). */
export { groupsCapability } from './groups.capability.js';
export { loadGroupsPlaybook } from './playbook.js';
export { groupHealthReport, joinsAndLeaves, renderGroupHealth, renderSpamList, spamList } from './report.js';
