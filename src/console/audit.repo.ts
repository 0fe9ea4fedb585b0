import { desc } from 'drizzle-orm';
import type { Db } from '../platform/db/client.js';
import { operatorActions } from './console.schema.js';

export type OperatorAction = typeof operatorActions.$inferSelect;

/** The audit trail of operator actions. Append-only. */
export class AuditRepo {
  constructor(private readonly db: Db) {}

  record(a: Omit<OperatorAction, 'id'>): void {
    this.db.insert(operatorActions).values(a).run();
  }

  recent(limit = 50): OperatorAction[] {
    return this.db.select().from(operatorActions).orderBy(desc(operatorActions.id)).limit(limit).all();
  }
}
