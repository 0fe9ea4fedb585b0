/**
 * The dashboard: one HTML page per section (`pages/*.ts`), sharing one shell (`pages/layout.ts`).
 * Each page loads ECharts from the bot itself and draws from the JSON API. Chinese labels, laptop-sized.
 */
import { accountsPage } from './pages/accounts.js';
import { campaignsPage } from './pages/campaigns.js';
import { groupsPage } from './pages/groups.js';
import { guidesPage } from './pages/guides.js';
import type { PageOptions, PagePath } from './pages/layout.js';
import { membersPage } from './pages/members.js';
import { outboxPage } from './pages/outbox.js';
import { overviewPage } from './pages/overview.js';
import { settingsPage } from './pages/settings.js';
import { slaPage } from './pages/sla.js';
import { wakeupPage } from './pages/wakeup.js';

/** Every page by its path. */
export const DASHBOARD_PAGES: Record<PagePath, (o: PageOptions) => string> = {
  '/': overviewPage,
  '/guides': guidesPage,
  '/sla': slaPage,
  '/campaigns': campaignsPage,
  '/wakeup': wakeupPage,
  '/members': membersPage,
  '/groups': groupsPage,
  '/outbox': outboxPage,
  '/accounts': accountsPage,
  '/settings': settingsPage,
};

/** The overview page (`/`). */
export function renderDashboard(o: PageOptions = { timezone: 'Asia/Shanghai' }): string {
  return overviewPage(o);
}
