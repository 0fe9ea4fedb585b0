/** The operator console (CLI, HTTP API, dashboard): what the composition root and the admin commands use. Other folders import console/ only through this file (test/architecture/layers.ts). */
export { AuditRepo } from './audit.repo.js';
export { type CampaignView, campaignView } from './campaign-view.js';
export { ConsoleRepo } from './console.repo.js';
export { createConsoleApp, type HealthReport, startConsoleServer } from './http/server.js';
export { slaMetrics } from './metrics-sources.js';
export { accountsReporter } from './accounts-view.js';
export { SOP_ROOT } from './playbooks.js';
export { consoleReports } from './reports.js';
export { wakeupOps, wakeupOpsOn } from './wakeup-ops.js';
export { consoleCampaigns, consoleQueues, reloadPlaybooks } from './wiring.js';
