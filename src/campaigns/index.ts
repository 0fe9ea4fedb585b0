/** Group campaigns: the capability, its service and repo, the campaign file checks, preview, builder options and reports. Other folders import campaigns/ only through this file (test/architecture/layers.ts). */
export { type BuilderOptions, builderOptions } from './builder-options.js';
export { type CampaignProblem, checkCampaign, problemText } from './campaign.file.js';
export { campaignsCapability } from './campaigns.capability.js';
export { type CampaignRow, CampaignsRepo } from './campaigns.repo.js';
export { CampaignService, DEFAULT_CAMPAIGNS_DIR, saveCampaign } from './campaigns.service.js';
export { campaignKeyPrefix } from './content.rules.js';
export { type CampaignPreview, previewCampaign } from './preview.js';
export { campaignReport, renderReport } from './report.js';
export { nextSlot } from './schedule.rules.js';
export { checkWorld } from './world-check.rules.js';
export { CAMPAIGNS } from './published.js';
export { selectAudience } from './audience.rules.js';
export { type CampaignDef } from './campaign.file.js';
export { campaignCapacity } from './capacity.rules.js';
export { type CampaignCapacity } from './capacity.rules.js';
