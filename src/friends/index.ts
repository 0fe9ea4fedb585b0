/** Friend requests and attribution: the capability, its playbook loader and report. Other folders import friends/ only through this file (test/architecture/layers.ts). */
export { friendAttributionOf } from './attribution.js';
export { friendsCapability } from './friends.capability.js';
export { loadFriendsPlaybook } from './playbook.js';
export { friendsReport, renderFriendsReport } from './report.js';
