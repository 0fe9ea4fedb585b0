/** Response SLA: the capability, its playbook, repo, business time, alert lists and figures. Other folders import sla/ only through this file (test/architecture/layers.ts). */
export { humanDuration, listText, scopeOf } from './alerts.rules.js';
export { addBusinessMs, businessMsBetween, isServiceTime, type ServiceHours } from './business-time.rules.js';
export { slaCapability } from './sla.capability.js';
export { renderSlaReport, slaReport } from './sla.figures.js';
export { lineItems } from './sla.handlers.js';
export { SLA_QUEUE } from './sla.jobs.js';
export { loadSlaPlaybook, type SlaPlaybook, SlaPlaybookHolder } from './sla.playbook.js';
export { type QuestionRow, SlaRepo } from './sla.repo.js';
export { SLA_PLAYBOOK } from './published.js';
