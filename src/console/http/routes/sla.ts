import type { Hono } from 'hono';
import type { Clock } from '../../../core/clock.js';
import type { Db } from '../../../platform/db/client.js';
import { businessMsBetween } from '../../../sla/index.js';
import type { SlaPlaybook } from '../../../sla/index.js';
import { SlaRepo } from '../../../sla/index.js';

/** Questions waiting for a staff reply, with their business-time wait, from the SLA's own store and playbook. */
export function waitingQuestions(db: Db, pb: SlaPlaybook, timezone: string, now: number, limit = 500) {
  const rows = new SlaRepo(db).openQuestions({ all: true }, { limit });
  const open = rows.map((q) => ({
    id: q.id,
    openedAt: q.openedAt,
    memberId: q.memberId,
    memberName: q.memberName,
    roomId: q.roomId,
    conversationName: q.conversationName,
    storeCode: q.storeCode,
    guideCode: q.guideCode,
    preview: q.preview,
    backlog: q.backlogAt <= now,
    waitedBusinessMs: businessMsBetween(q.openedAt, now, pb.hoursFor(q.storeCode), timezone),
    waitedMs: now - q.openedAt,
  }));
  return { open, backlog: open.filter((q) => q.backlog), backlogAfterHours: pb.backlog.afterHours };
}

/** `GET /api/sla/waiting`: open questions (oldest first) and the backlog among them. */
export function slaRoutes(app: Hono, d: { db: Db; playbook: () => SlaPlaybook; timezone: string; clock: Clock }): void {
  app.get('/api/sla/waiting', (c) => c.json(waitingQuestions(d.db, d.playbook(), d.timezone, d.clock.now().getTime())));
}
