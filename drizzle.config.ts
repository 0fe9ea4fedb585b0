import { defineConfig } from 'drizzle-kit';

/**
 * The spine's tables live in src/platform/db/schema.ts; each capability keeps its own in
 * src/<capability>/<capability>.schema.ts. `npm run db:generate -- --name <what>` writes the next migration.
 */
export default defineConfig({
  dialect: 'sqlite',
  schema: ['./src/platform/db/schema.ts', './src/*/*.schema.ts'],
  out: './src/platform/db/migrations',
});
