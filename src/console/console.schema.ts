import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Every operator action (API, CLI, chat): who, when, what, and the result. */
export const operatorActions = sqliteTable(
  'operator_actions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    actor: text('actor').notNull(),
    channel: text('channel', { enum: ['api', 'cli', 'chat'] }).notNull(),
    action: text('action').notNull(),
    target: text('target'),
    /** `ok`, or why it was refused. */
    result: text('result').notNull(),
  },
  (t) => [index('operator_actions_at_idx').on(t.at)],
);
