import type Database from 'better-sqlite3';

/**
 * Bulk loading into an empty table: drops the table's indexes and returns the function that
 * recreates them, from their own `CREATE INDEX` text as stored in the schema, so they come back
 * exactly as the migrations made them. Building an index once over sorted keys is several times
 * faster than updating it row by row: 1,000,000 raw member INSERTs took ~30 s with the 7 indexes
 * live and ~7–10 s with them dropped and rebuilt at the end (scripts/bench/import.ts).
 *
 * Must run inside the caller's transaction: readers in other connections keep seeing the indexed
 * table until commit, and a rollback brings the indexes back. The caller guarantees what the unique
 * indexes would have (no duplicate keys), or recreating them fails and the import rolls back.
 */
export function deferIndexes(sqlite: Database.Database, table: string): () => void {
  if (!sqlite.inTransaction) throw new Error(`deferIndexes(${table}) needs an open transaction`);
  const indexes = sqlite
    .prepare<[string], { name: string; sql: string }>("select name, sql from sqlite_master where type = 'index' and tbl_name = ? and sql is not null order by name")
    .all(table);
  for (const { name } of indexes) sqlite.exec(`drop index "${name.replace(/"/g, '""')}"`);
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    for (const { sql } of indexes) sqlite.exec(sql);
  };
}

/** True when `table` has no row. */
export function isEmptyTable(sqlite: Database.Database, table: string): boolean {
  return sqlite.prepare(`select 1 from "${table}" limit 1`).get() === undefined;
}

/** Page cache of an import into a table that already has rows: 32 MiB instead of 16 (64 MiB is
 * faster still but takes a re-import of 1,000,000 members past 300 MB of RSS). */
export const LOOKUP_CACHE_KIB = 32 * 1024;

/**
 * Gives the connection a larger page cache (it never shrinks it). Imports into a large table insert
 * into its unique indexes in random order (phones, referral codes): with more of the indexes' pages
 * in memory, 200,000 new members go into a 1,000,000-member store about 2.4× faster. The engine
 * restores the connection's cache size after the import.
 */
export function useLookupCache(sqlite: Database.Database): void {
  const current = sqlite.pragma('cache_size', { simple: true }) as number;
  const pageSize = sqlite.pragma('page_size', { simple: true }) as number;
  const kib = current < 0 ? -current : (current * pageSize) / 1024;
  if (kib < LOOKUP_CACHE_KIB) sqlite.pragma(`cache_size = -${LOOKUP_CACHE_KIB}`);
}
