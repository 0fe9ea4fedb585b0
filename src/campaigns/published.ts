import { publishedKey } from '../core/published.js';
import type { CampaignsRepo } from './campaigns.repo.js';
import type { CampaignService } from './campaigns.service.js';

/** The campaigns capability's repo and service, the ones its minute tick runs on (admin commands, console). */
export const CAMPAIGNS = publishedKey<{ repo: CampaignsRepo; service: CampaignService }>('campaigns');
