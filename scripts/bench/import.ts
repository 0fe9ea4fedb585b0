/**
 * Import benchmark: a generated members CSV (default 1,000,000 rows, UTF-8 with BOM, Chinese headers,
 * random phone order) through the real engine (`runImport`: for a file this size, parsing and checks
 * in a worker thread, writes in this one) into a fresh store, beside raw better-sqlite3 batched
 * INSERTs of the same rows into an identical `members` table (same indexes), in the same run, once
 * with the indexes maintained row by row and once with them dropped and rebuilt at the end (what the
 * engine does on a first load, so the fairer of the two raw limits).
 * Peak RSS is sampled during the engine's import. Everything lives in a temp dir removed at the end.
 *
 *   npx tsx scripts/bench/import.ts --rows 1000000 [--reimport] [--more 200000]
 *
 * `--reimport` also imports the same file a second time (every row unchanged: the lookup path);
 * `--more N` then imports N new members into the store the first load filled (the incremental path:
 * per-row lookups and live unique indexes).
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { runImport } from '../../src/members/import/engine.js';
import { encodeReferral, REFERRAL_SPACE } from '../../src/members/import/referral-code.js';
import { loadMembershipPlaybook } from '../../src/members/playbook.js';
import { closeDb, openDb, type Db } from '../../src/platform/db/client.js';

const MB = 1024 * 1024;
const STORES = 20;
const GUIDES = 200;
const BATCH = 5000;
const TIME_ZONE = 'Asia/Shanghai';

/** The figures of one run. `ratio` = engine rows/s ÷ raw rows/s. */
export interface ImportBenchResult {
  name: string;
  count: number;
  seconds: number;
  opsPerSec: number;
  rawOpsPerSec: number;
  ratio: number;
  peakRssMb: number;
  /** More figures from the same run, for the notes under the table. */
  details: {
    fileMb: number;
    /** RSS just before the engine's import (the process, the CSV generation's leftovers collected). */
    rssBeforeMb: number;
    /** CPU seconds (user + system) of this process during each measurement: on a busy machine
     * rows per CPU second says more than rows per wall-clock second. */
    cpuSeconds: number;
    rawSeconds: number;
    rawCpuSeconds: number;
    /** Raw INSERTs with the indexes dropped first and rebuilt at the end (the engine's first-load path). */
    rawDeferredOpsPerSec: number;
    /** Second import of the same file (all unchanged), when asked for. */
    reimportOpsPerSec?: number;
    reimportPeakRssMb?: number;
    /** `more` new members into the filled store, when asked for. */
    moreRows?: number;
    moreOpsPerSec?: number;
    morePeakRssMb?: number;
  };
}

// ── Data ───────────────────────────────────────────────────────────────────────────

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈';
const GIVEN = ['丽娜', '芳', '思琪', '雪', '丹丹', '敏', '倩', '慧', '悦', '莉', '琳', '蓉', '佳', '雨桐', '洁', '晓', '欣', '婉婷', '静怡', '文'];
const TAGS = ['', 'VIP', '宝妈', 'VIP,宝妈', '新客', '老客', ''];

/** A unique, scrambled 11-digit mobile for row i (a bijection on 30 bits, so no repeats up to 2^30 rows). */
function phoneOf(i: number): string {
  let x = Math.imul(i, 0x9e3779b1) & 0x3fffffff;
  x ^= x >>> 13;
  return String(13_000_000_000 + x);
}

/** The members of the benchmark, as the generated CSV has them and the raw baseline inserts them. */
export function memberOf(i: number): { phone: string; name: string; store: string; guide: string; month: number; day: number; year: number; tags: string } {
  return {
    phone: phoneOf(i),
    name: SURNAMES[i % SURNAMES.length]! + GIVEN[(i >> 3) % GIVEN.length]!,
    store: `S${String(i % STORES).padStart(2, '0')}`,
    guide: `G${String(i % GUIDES).padStart(3, '0')}`,
    year: 1960 + (i % 46),
    month: 1 + (i % 12),
    day: 1 + (i % 28),
    tags: TAGS[i % TAGS.length]!,
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Writes the members CSV (rows `from` to `from + rows - 1` of {@link memberOf}), streamed with
 * backpressure, as Excel would save "CSV UTF-8".
 */
export async function writeMembersCsv(file: string, rows: number, from = 0): Promise<void> {
  const out = createWriteStream(file);
  out.write('\uFEFF手机号,姓名,门店,导购工号,生日,标签,入会时间\n');
  let chunk = '';
  for (let i = from; i < from + rows; i++) {
    const m = memberOf(i);
    const tags = m.tags.includes(',') ? `"${m.tags}"` : m.tags;
    chunk += `${m.phone},${m.name},${m.store},${m.guide},${m.year}-${pad(m.month)}-${pad(m.day)},${tags},2023-${pad(m.month)}-${pad(m.day)} 10:${pad(i % 60)}:00\n`;
    if (chunk.length > 64 * 1024) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.write(chunk);
  out.end();
  await once(out, 'finish');
}

/** A fresh store with the stores and guides the members refer to. */
function freshStore(file: string): Db {
  const db = openDb(file);
  const s = db.$client;
  const store = s.prepare('insert into stores (code, name, city, created_at) values (?, ?, ?, 0)');
  const guide = s.prepare("insert into staff (code, name, role, store_code, created_at, updated_at) values (?, ?, 'guide', ?, 0, 0)");
  s.transaction(() => {
    for (let i = 0; i < STORES; i++) store.run(`S${pad(i)}`, `门店${i}`, '杭州');
    for (let i = 0; i < GUIDES; i++) guide.run(`G${String(i).padStart(3, '0')}`, `导购${i}`, `S${pad(i % STORES)}`);
  })();
  return db;
}

// ── Measurements ───────────────────────────────────────────────────────────────────

/** A full garbage collection, so the RSS peak measured is the import's and not earlier garbage's. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const cpuSince = (start: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
};

/** Samples the process RSS every 20 ms (and on demand) and keeps the peak, in MB. */
class PeakRss {
  private peak = process.memoryUsage.rss();
  private readonly timer = setInterval(() => this.sample(), 20);
  sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
  }
  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peak / MB;
  }
}

/**
 * The raw baseline: the same rows into an identical members table (fresh migrated file, same
 * pragmas), one prepared INSERT per row, 5,000 rows per transaction. With `deferIndexes`, the
 * table's indexes are dropped first and rebuilt at the end (what the engine does on a first load).
 */
function rawInsert(file: string, rows: number, deferIndexes: boolean): { seconds: number; cpuSeconds: number } {
  const db = freshStore(file);
  const s = db.$client;
  try {
    const insert = s.prepare(`insert into members (phone, name, store_code, guide_code, tags, tier,
      birthday_kind, birth_month, birth_day, birth_year, joined_at, referral_code, created_at, updated_at)
      values (?, ?, ?, ?, ?, 'regular', 'solar', ?, ?, ?, ?, ?, ?, ?)`);
    const batch = s.transaction((from: number, to: number, now: number) => {
      for (let i = from; i < to; i++) {
        const m = memberOf(i);
        const tags = JSON.stringify(m.tags ? m.tags.split(',') : []);
        // Unique codes without a lookup: a fixed odd stride through the code space.
        insert.run(m.phone, m.name, m.store, m.guide, tags, m.month, m.day, m.year, now, encodeReferral((i * 7_919 + 12_345) % REFERRAL_SPACE), now, now);
      }
    });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let restore: Array<{ sql: string }> = [];
    if (deferIndexes) {
      s.exec('begin immediate');
      restore = s.prepare("select sql from sqlite_master where type = 'index' and tbl_name = 'members' and sql is not null").all() as { sql: string }[];
      for (const { name } of s.prepare("select name from sqlite_master where type = 'index' and tbl_name = 'members' and sql is not null").all() as { name: string }[]) {
        s.exec(`drop index ${name}`);
      }
    }
    for (let i = 0; i < rows; i += BATCH) batch(i, Math.min(rows, i + BATCH), Date.now());
    if (deferIndexes) {
      for (const { sql } of restore) s.exec(sql);
      s.exec('commit');
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpuSeconds = cpuSince(cpu0);
    const n = s.prepare('select count(*) from members').pluck().get() as number;
    if (n !== rows) throw new Error(`raw baseline inserted ${n} rows, expected ${rows}`);
    return { seconds, cpuSeconds };
  } finally {
    closeDb(db);
  }
}

interface EngineRun {
  seconds: number;
  cpuSeconds: number;
  rssBeforeMb: number;
  peakRssMb: number;
  created: number;
  unchanged: number;
  bad: number;
}

async function engineImport(db: Db, file: string, now: Date): Promise<EngineRun> {
  const playbook = loadMembershipPlaybook('sop/membership.yaml');
  collectGarbage();
  const rssBeforeMb = process.memoryUsage.rss() / MB;
  const rss = new PeakRss();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await runImport(db, { kind: 'members', file, timeZone: TIME_ZONE, now, playbook, onProgress: () => rss.sample() });
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, cpuSeconds: cpuSince(cpu0), rssBeforeMb, peakRssMb: rss.stop(), created: r.created, unchanged: r.unchanged, bad: r.bad };
}

/**
 * Runs the import benchmark: generate, import through the engine, insert raw, compare.
 * @example const r = await benchImport({ rows: 1_000_000 }) // r.opsPerSec, r.rawOpsPerSec, r.peakRssMb
 */
export async function benchImport(options: { rows: number; reimport?: boolean; more?: number; dir?: string }): Promise<ImportBenchResult> {
  const { rows } = options;
  const dir = options.dir ?? mkdtempSync(path.join(os.tmpdir(), 'siyu-bench-import-'));
  try {
    const csv = path.join(dir, 'members.csv');
    await writeMembersCsv(csv, rows);
    const fileMb = statSync(csv).size / MB;

    const db = freshStore(path.join(dir, 'engine.db'));
    let engine;
    let second;
    let more;
    try {
      engine = await engineImport(db, csv, new Date());
      if (engine.created !== rows || engine.bad !== 0) throw new Error(`engine created ${engine.created} of ${rows} rows (${engine.bad} bad)`);
      if (options.reimport) {
        second = await engineImport(db, csv, new Date());
        if (second.unchanged !== rows) throw new Error(`re-import left ${second.unchanged} of ${rows} rows unchanged`);
      }
      if (options.more) {
        const moreCsv = path.join(dir, 'more.csv');
        await writeMembersCsv(moreCsv, options.more, rows);
        more = await engineImport(db, moreCsv, new Date());
        if (more.created !== options.more) throw new Error(`incremental import created ${more.created} of ${options.more} rows`);
      }
    } finally {
      closeDb(db);
    }
    const raw = rawInsert(path.join(dir, 'raw.db'), rows, false);
    const rawDeferred = rawInsert(path.join(dir, 'raw-deferred.db'), rows, true);
    const opsPerSec = rows / engine.seconds;
    const rawOpsPerSec = rows / raw.seconds;
    return {
      name: 'import: members CSV (runImport, first load)',
      count: rows,
      seconds: engine.seconds,
      opsPerSec,
      rawOpsPerSec,
      ratio: opsPerSec / rawOpsPerSec,
      peakRssMb: engine.peakRssMb,
      details: {
        fileMb,
        rssBeforeMb: engine.rssBeforeMb,
        cpuSeconds: engine.cpuSeconds,
        rawSeconds: raw.seconds,
        rawCpuSeconds: raw.cpuSeconds,
        rawDeferredOpsPerSec: rows / rawDeferred.seconds,
        ...(second ? { reimportOpsPerSec: rows / second.seconds, reimportPeakRssMb: second.peakRssMb } : {}),
        ...(more && options.more ? { moreRows: options.more, moreOpsPerSec: options.more / more.seconds, morePeakRssMb: more.peakRssMb } : {}),
      },
    };
  } finally {
    if (!options.dir) rmSync(dir, { recursive: true, force: true });
  }
}

function parseArgs(argv: string[]): { rows: number; reimport: boolean; more: number } {
  let rows = 1_000_000;
  let more = 0;
  let reimport = false;
  const count = (flag: string, v: string | undefined) => {
    const n = Number(String(v).replace(/_/g, ''));
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} takes a positive whole number, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    if (flag === '--reimport') reimport = true;
    else if (flag === '--rows') rows = count(flag, inline ?? argv[++i]);
    else if (flag === '--more') more = count(flag, inline ?? argv[++i]);
    else throw new Error(`unknown argument ${argv[i]} (known: --rows N, --reimport, --more N)`);
  }
  return { rows, reimport, more };
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const args = parseArgs(process.argv.slice(2));
  benchImport(args).then(
    (r) => {
      const lines = [
        `rows                 ${int(r.count)} (${r.details.fileMb.toFixed(0)} MB CSV, UTF-8 with BOM)`,
        `engine (runImport)   ${r.seconds.toFixed(2)} s  ${int(r.opsPerSec)} rows/s  (${int(r.count / r.details.cpuSeconds)} rows per CPU s)  peak RSS ${r.peakRssMb.toFixed(0)} MB (${r.details.rssBeforeMb.toFixed(0)} MB before)`,
        `raw batched INSERT   ${r.details.rawSeconds.toFixed(2)} s  ${int(r.rawOpsPerSec)} rows/s  (${int(r.count / r.details.rawCpuSeconds)} rows per CPU s; indexes maintained row by row)`,
        `raw, indexes after   ${int(r.details.rawDeferredOpsPerSec)} rows/s  (indexes dropped, rebuilt at the end)`,
        `ratio engine/raw     ${r.ratio.toFixed(2)}  (engine/raw with indexes after: ${(r.opsPerSec / r.details.rawDeferredOpsPerSec).toFixed(2)})`,
        ...(r.details.reimportOpsPerSec ? [`re-import (unchanged) ${int(r.details.reimportOpsPerSec)} rows/s  peak RSS ${r.details.reimportPeakRssMb!.toFixed(0)} MB`] : []),
        ...(r.details.moreOpsPerSec
          ? [`+${int(r.details.moreRows!)} new members  ${int(r.details.moreOpsPerSec)} rows/s into the filled store  peak RSS ${r.details.morePeakRssMb!.toFixed(0)} MB`]
          : []),
        `targets              ≥ 100,000 rows/s: ${r.opsPerSec >= 100_000 ? 'met' : 'MISSED'}; peak RSS < 300 MB: ${r.peakRssMb < 300 ? 'met' : 'MISSED'}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    },
    (err: unknown) => {
      process.stderr.write(`bench import failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
