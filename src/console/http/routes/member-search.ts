import type { Hono } from 'hono';
import type { MembershipPlaybook } from '../../../members/index.js';
import type { Db } from '../../../platform/db/client.js';
import { memberCard, searchMembers } from '../../member-card.js';

/**
 * `GET /api/members?q=` (phone, its last four digits, name or contact id) and `GET /api/members/:id`
 * (the member's card). Tiers are shown by the names of sop/membership.yaml.
 */
export function memberSearchRoutes(app: Hono, d: { db: Db; membership: (() => MembershipPlaybook) | null }): void {
  const tierName = (code: string) => {
    try {
      return d.membership?.().tiers.find((t) => t.code === code)?.name ?? code;
    } catch {
      return code;
    }
  };
  app.get('/api/members', (c) => c.json({ members: searchMembers(d.db, c.req.query('q') ?? '', tierName) }));
  app.get('/api/members/tiers', (c) =>
    c.json({
      tiers: (d.db.$client.prepare('select tier, count(*) as n from members group by tier order by n desc').all() as { tier: string; n: number }[]).map((r) => ({
        ...r,
        name: tierName(r.tier),
      })),
    }),
  );
  app.get('/api/members/:id{[0-9]+}', (c) => {
    const card = memberCard(d.db, Number(c.req.param('id')), tierName);
    return card ? c.json(card) : c.json({ error: `no member #${c.req.param('id')}` }, 404);
  });
}
