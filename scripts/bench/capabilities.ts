/**
 * The capability benchmarks, each against its issue's target, as lines for `npm run bench`.
 * Each bench builds its own data in temp files; sizes scale with --scale / BENCH_SCALE.
 */
import { benchCampaigns } from './campaigns.js';
import { benchGuideCards } from './guide-cards.js';
import { benchImport } from './import.js';
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

/** Runs every capability bench at `scale` (1 = the sizes the issues name) and returns the checks. */
export async function benchCapabilities(scale: number, redisUrl: string, log: (line: string) => void): Promise<CapabilityCheck[]> {
  const checks: CapabilityCheck[] = [];
  const add = (label: string, shown: string, ok: boolean) => {
    checks.push({ label, shown, ok });
    log(`  … ${label}: ${shown}`);
  };

  const m = await benchMemberCommands(Math.max(1000, Math.round(20_000 * scale)), 2_000, redisUrl);
  add('member command 积分 ≥ 5,000/s', `${n(m.pointsPerSec)}/s`, m.pointsPerSec >= 5000);
  add('member command 兑换 ≥ 5,000/s', `${n(m.redeemPerSec)}/s`, m.redeemPerSec >= 5000);

  const imp = await benchImport({ rows: Math.max(10_000, Math.round(1_000_000 * scale)) });
  add(`CSV import of ${n(imp.count)} members ≥ 100,000 rows/s`, `${n(imp.opsPerSec)} rows/s (raw batched INSERT ${n(imp.rawOpsPerSec)}, ${imp.ratio.toFixed(2)} ×)`, imp.opsPerSec >= 100_000);
  add('CSV import peak RSS < 300 MB', `${n(imp.peakRssMb)} MB`, imp.peakRssMb < 300);

  const g = await benchGuideCards({ guides: Math.max(100, Math.round(10_000 * scale)), members: Math.max(10_000, Math.round(1_000_000 * scale)), redisUrl });
  add(`3+3+3 cards for ${n(g.guides)} guides over ${n(g.members)} members ≤ 5 s`, s(g.seconds), g.seconds <= 5);
  add('3+3+3 planning peak RSS ≤ 400 MB', `${n(g.peakRssMb)} MB`, g.peakRssMb <= 400);

  const c = await benchCampaigns({ groups: Math.max(20, Math.round(2_000 * scale)), members: Math.max(1_000, Math.round(100_000 * scale)), redisUrl });
  add(`campaign occurrence, ${n(c.groups)} groups + ${n(c.members)} members ≤ 2 s`, `${s(c.seconds)} (groups ${s(c.groupSeconds)}, members ${s(c.memberSeconds)})`, c.seconds <= 2);

  const w = await benchWakeup(Math.max(10_000, Math.round(1_000_000 * scale)));
  add(`wake-up daily selection over ${n(w.members)} members ≤ 1 s (first run)`, `${n(w.firstRunMs)} ms (same slot again ${n(w.secondRunMs)} ms, next day ${n(w.nextDayMs)} ms)`, w.firstRunMs <= 1000);
  const sla = await benchSla(redisUrl, { n: Math.max(10_000, Math.round(100_000 * scale)), open: Math.max(10_000, Math.round(100_000 * scale)), deadlines: Math.max(100, Math.round(1000 * scale)) });
  add('SLA tracker on ingest ≥ 20,000 messages/s', `${n(sla.messagesPerSec)}/s`, sla.messagesPerSec >= 20_000);
  add(`SLA ${n(sla.open)} open questions RSS ≤ 300 MB`, `${n(sla.openRssMb)} MB`, sla.openRssMb <= 300);
  add('SLA alert lateness p99 ≤ 2 s', `${n(sla.lateP99Ms ?? 0)} ms`, (sla.lateP99Ms ?? Infinity) <= 2000);
  return checks;
}
