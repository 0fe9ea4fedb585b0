import type { Hono } from 'hono';
import { z } from 'zod';
import type { Clock } from '../../../core/clock.js';
import type { Logger } from '../../../core/logger.js';
import type { Db } from '../../../platform/db/client.js';
import type { MembershipPlaybook } from '../../../members/index.js';
import { bindContactAudited, duplicatesOf, mergeMembersAudited } from '../../member-merge.js';
import type { AuditRepo } from '../../audit.repo.js';
import { operatorOf } from '../auth.js';
import { auditApi, readBody } from './common.js';

const id = z
  .number({ error: 'a member id (a positive whole number)' })
  .int({ error: 'a member id (a positive whole number)' })
  .positive({ error: 'a member id (a positive whole number)' });
const mergeBody = z.strictObject({ keep: id, drop: id });
const bindBody = z.strictObject({
  member: id,
  contactId: z
    .string({ error: 'the contact id (微信ID / external_userid) as text' })
    .trim()
    .min(1, { error: 'the contact id (微信ID / external_userid) as text' })
    .max(128, { error: 'at most 128 characters' }),
});

/**
 * `GET /api/members/duplicates`: probable duplicate records (same phone, same contact, same name and
 * birthday, same name joined in chat and imported). `POST /api/members/merge` with `{ "keep": 12,
 * "drop": 345 }`: moves everything of DROP to KEEP (see src/members/identity/merge.ts) and answers
 * what moved; 400 names a bad field, 404 an unknown member, 409 KEEP = DROP. Audited either way.
 * `POST /api/members/bind` with `{ "member": 12, "contactId": "wxid_abc" }`: links that contact to the
 * member (an operator's binding, for a member who cannot bind in chat); 409 when the contact belongs to a
 * member already (merge instead). Audited either way.
 */
export function memberRoutes(app: Hono, d: { db: Db; playbook: () => MembershipPlaybook; clock: Clock; audit: AuditRepo; logger?: Logger }): void {
  app.get('/api/members/duplicates', (c) => c.json({ duplicates: duplicatesOf(d.db) }));
  app.post('/api/members/merge', async (c) => {
    const body = await readBody(c, mergeBody);
    if (!body.ok) {
      auditApi(d.audit, d.clock, c, 'members.merge', null, body.bad.error);
      return c.json(body.bad, 400);
    }
    const r = mergeMembersAudited(d.db, d.playbook(), { ...body.data, actor: operatorOf(c), channel: 'api', now: d.clock.now().getTime() }, d.logger);
    if (r.ok) return c.json(r.summary);
    return c.json({ error: r.message }, r.reason === 'unknown' ? 404 : 409);
  });
  app.post('/api/members/bind', async (c) => {
    const body = await readBody(c, bindBody);
    if (!body.ok) {
      auditApi(d.audit, d.clock, c, 'members.bind', null, body.bad.error);
      return c.json(body.bad, 400);
    }
    const r = bindContactAudited(d.db, { ...body.data, actor: operatorOf(c), channel: 'api', now: d.clock.now().getTime() }, d.logger);
    if (r.ok) return c.json(r);
    return c.json({ error: r.message }, r.reason === 'unknown' ? 404 : 409);
  });
}
