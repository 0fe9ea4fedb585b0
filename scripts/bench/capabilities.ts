/**
 * The capability benchmarks, each against its issue's target, for `npm run bench`. Each runs in a
 * process of its own (`tsx scripts/bench/capabilities.ts --one NAME --scale S --redis URL`), so the
 * peak RSS it reports is its own, not what earlier benchmarks left behind. Sizes scale with --scale.
 */
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { benchCampaigns } from './campaigns.js';
import { benchGuideCards } from './guide-cards.js';
import { benchMemberCommands } from './members.js';
import { benchSla } from './sla.js';
import { benchWakeup } from './wakeup.js';

export interface CapabilityCheck {
  label: string;
  shown: string;
  ok: boolean;
}

const n = (v: number) => Math.round(v).toLocaleString('en-US');
const s = (v: number) => `${v.toFixed(2)} s`;
const at = (base: number, scale: number, min: number) => Math.max(min, Math.round(base * scale));

const BENCHES: Record<string, (scale: number, redisUrl: string) => Promise<CapabilityCheck[]>> = {
  async members(scale, redisUrl) {
    const m = await benchMemberCommands(at(20_000, scale, 1000), 2_000, redisUrl);
    return [
      { label: 'member command 积分 ≥ 5,000/s', shown: `${n(m.pointsPerSec)}/s`, ok: m.pointsPerSec >= 5000 },
      { label: 'member command 兑换 ≥ 5,000/s', shown: `${n(m.redeemPerSec)}/s`, ok: m.redeemPerSec >= 5000 },
    ];
  },
  async import(scale) {
    const rows = at(1_000_000, scale, 10_000);
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/bench/import.ts', '--rows', String(rows)], { encoding: 'utf8' });
    const num = (re: RegExp) => Number((re.exec(out)?.[1] ?? 'NaN').replace(/,/g, ''));
    const rate = num(/engine \(runImport\)\s+[\d.]+ s\s+([\d,]+) rows\/s/);
    const peak = num(/engine \(runImport\).*peak RSS (\d+) MB/);
    const raw = num(/raw batched INSERT\s+[\d.]+ s\s+([\d,]+) rows\/s/);
    const rawAfter = num(/raw, indexes after\s+([\d,]+) rows\/s/);
    return [
      {
        label: `CSV import of ${n(rows)} members ≥ 100,000 rows/s`,
        shown: `${n(rate)} rows/s (raw batched INSERT ${n(raw)}: ${(rate / raw).toFixed(2)} ×; raw with indexes built after ${n(rawAfter)}: ${(rate / rawAfter).toFixed(2)} ×)`,
        ok: rate >= 100_000,
      },
      { label: 'CSV import peak RSS < 300 MB', shown: `${n(peak)} MB`, ok: peak < 300 },
    ];
  },
  async 'guide-cards'(scale, redisUrl) {
    const g = await benchGuideCards({ guides: at(10_000, scale, 100), members: at(1_000_000, scale, 10_000), redisUrl });
    return [
      { label: `3+3+3 cards for ${n(g.guides)} guides over ${n(g.members)} members ≤ 5 s`, shown: s(g.seconds), ok: g.seconds <= 5 },
      { label: '3+3+3 planning peak RSS ≤ 400 MB', shown: `${n(g.peakRssMb)} MB`, ok: g.peakRssMb <= 400 },
    ];
  },
  async campaigns(scale, redisUrl) {
    const c = await benchCampaigns({ groups: at(2_000, scale, 20), members: at(100_000, scale, 1_000), redisUrl });
    return [
      {
        label: `campaign occurrence, ${n(c.groups)} groups + ${n(c.members)} members ≤ 2 s`,
        shown: `${s(c.seconds)} (groups ${s(c.groupSeconds)}, members ${s(c.memberSeconds)}; cpu ${s(c.cpuSeconds)}; ${(c.seconds / c.rawSeconds).toFixed(2)} × the raw floor ${s(c.rawSeconds)})`,
        ok: c.seconds <= 2,
      },
    ];
  },
  async wakeup(scale) {
    const w = await benchWakeup(at(1_000_000, scale, 10_000));
    return [
      {
        label: `wake-up daily selection over ${n(w.members)} members ≤ 1 s (first run)`,
        shown: `${n(w.firstRunMs)} ms (cpu ${n(w.firstRunCpuMs)} ms; same slot again ${n(w.secondRunMs)} ms, next day ${n(w.nextDayMs)} ms; peak RSS ${n(w.peakRssMb)} MB)`,
        ok: w.firstRunMs <= 1000,
      },
    ];
  },
  async sla(scale, redisUrl) {
    const r = await benchSla(redisUrl, { n: at(100_000, scale, 10_000), open: at(100_000, scale, 10_000), deadlines: at(1000, scale, 100) });
    return [
      { label: 'SLA tracker on ingest ≥ 20,000 messages/s', shown: `${n(r.messagesPerSec)}/s`, ok: r.messagesPerSec >= 20_000 },
      { label: `SLA ${n(r.open)} open questions RSS ≤ 300 MB`, shown: `${n(r.openRssMb)} MB`, ok: r.openRssMb <= 300 },
      { label: 'SLA alert lateness p99 ≤ 2 s', shown: `${n(r.lateP99Ms ?? 0)} ms`, ok: (r.lateP99Ms ?? Infinity) <= 2000 },
    ];
  },
};

/** Runs every capability bench at `scale` (1 = the sizes the issues name), each in its own process. */
export async function benchCapabilities(scale: number, redisUrl: string, log: (line: string) => void): Promise<CapabilityCheck[]> {
  const checks: CapabilityCheck[] = [];
  for (const name of Object.keys(BENCHES)) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/bench/capabilities.ts', '--one', name, '--scale', String(scale), '--redis', redisUrl], {
      encoding: 'utf8',
    });
    const lastLine = out.trim().split('\n').pop() ?? '[]';
    for (const c of JSON.parse(lastLine) as CapabilityCheck[]) {
      checks.push(c);
      log(`  … ${c.label}: ${c.shown}`);
    }
  }
  return checks;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (k: string) => process.argv[process.argv.indexOf(`--${k}`) + 1] ?? '';
  const bench = BENCHES[arg('one')];
  if (!bench) {
    process.stderr.write(`--one takes one of ${Object.keys(BENCHES).join(', ')}\n`);
    process.exit(2);
  }
  bench(Number(arg('scale') || '1'), arg('redis')).then(
    (checks) => {
      process.stdout.write(`\n${JSON.stringify(checks)}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`bench ${arg('one')} failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
