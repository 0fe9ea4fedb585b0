/** `campaign list | show | run | pause | resume | cancel | schedule`: group campaigns from the command line (src/campaigns/). */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../core/logger.js';
import type { Outbox } from '../outbox/outbox.js';
import { CampaignsRepo } from '../campaigns/campaigns.repo.js';
import { CampaignService } from '../campaigns/campaigns.service.js';
import { campaignReport, renderReport } from '../campaigns/report.js';
import { nextSlot } from '../campaigns/schedule.rules.js';
import { EXIT, UsageError, openStore, type CliCommand, type CliIo } from './cli-io.js';

/** The shipped campaigns folder (`sop/campaigns` at the project root). */
export const CAMPAIGNS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'sop', 'campaigns');

const USAGE = `Usage: npm run cli -- campaign <list | show | run | pause | resume | cancel | schedule> [ID] [--json]

  campaign list                 every campaign: status, schedule, next slot, last occurrence
  campaign show ID [--json]     definition, transitions (who, when) and the report of each occurrence:
                                targeted, sent, failed, skipped by reason, expired, replies within 1 h / 24 h
  campaign run ID               run an occurrence now (the bot plans it at its next minute tick)
  campaign pause ID             stop sending at once: queued messages are held (skipped, reason paused)
  campaign resume ID            send the held messages (never one already sent); the bot queues them within 30 s
  campaign cancel ID            stop for good: what is left is skipped (reason cancelled)
  campaign schedule ID          a draft starts following its schedule

Campaign files live in sop/campaigns/ (CAMPAIGNS_DIR=path for another folder); they are read now and by the bot.
Exit codes: 0 done, 1 refused (the reason is printed), 2 wrong command line or configuration.`;

/** Who is acting, recorded on transitions: `cli:<user>`. */
function who(io: CliIo): string {
  return `cli:${io.env['USER'] ?? io.env['LOGNAME'] ?? safeUser()}`;
}

function safeUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** The `campaign` command. */
export const campaignCommand: CliCommand = {
  name: 'campaign',
  synopsis: 'campaign <list | show | run | pause | resume | cancel | schedule> [ID]',
  summary: 'group campaigns: list, show (report), run now, pause, resume, cancel',
  usage: USAGE,
  run: (args, io) => runCampaignCli(args, io),
};

/**
 * Runs `campaign …` and resolves to the exit code. Pause, resume and cancel act on the store directly
 * (the sender honours them within seconds); run is planned by the bot's next tick.
 * @example await runCampaignCli(['pause', 'member-day'], io) // 0
 */
export async function runCampaignCli(args: readonly string[], io: CliIo): Promise<number> {
  const [sub, id, ...rest] = args;
  const json = rest.includes('--json');
  const needId = () => {
    if (!id) throw new UsageError(`campaign ${sub ?? ''}: which campaign? give its ID (campaign list shows them)`);
    return id;
  };
  if (!['list', 'show', 'run', 'pause', 'resume', 'cancel', 'schedule'].includes(sub ?? '')) {
    throw new UsageError(`${sub === undefined ? 'which one?' : `unknown campaign command "${sub}"`}: campaign commands are list, show, run, pause, resume, cancel, schedule`);
  }
  const store = openStore(io);
  try {
    const repo = new CampaignsRepo(store.db);
    const tz = store.config.TIMEZONE;
    const now = () => io.now();
    // The CLI never sends: the outbox is not used (run is planned by the bot).
    const service = new CampaignService({ repo, outbox: null as unknown as Outbox, clock: { now }, timezone: tz, logger: silentLogger(), queues: null });
    for (const p of service.syncDir(io.env['CAMPAIGNS_DIR'] ?? CAMPAIGNS_DIR)) io.stderr.write(`campaign file refused: ${p}\n`);
    const by = who(io);
    const done = (r: { ok: boolean; message: string }) => {
      (r.ok ? io.stdout : io.stderr).write(`${r.message}\n`);
      return r.ok ? EXIT.ok : EXIT.invalid;
    };
    switch (sub) {
      case 'list': {
        const rows = repo.list();
        if (json) io.stdout.write(`${JSON.stringify(rows.map((r) => ({ id: r.id, name: r.name, status: r.status })))}\n`);
        else if (rows.length === 0) io.stdout.write('no campaigns\n');
        else for (const r of rows) {
          const def = repo.definition(r);
          const next = r.status === 'scheduled' || r.status === 'running' ? nextSlot(def, now(), tz) : null;
          const last = repo.occurrences(r.id)[0];
          io.stdout.write(`${r.id.padEnd(16)} ${r.status.padEnd(9)} ${r.name}  ${def.schedule.cron ? `cron "${def.schedule.cron}"` : `at ${def.schedule.at}`}`
            + `${next ? `  next ${next.toLocaleString('sv-SE', { timeZone: tz }).slice(0, 16)}` : ''}${last ? `  last ${last.occurrence}` : ''}\n`);
        }
        return EXIT.ok;
      }
      case 'show': {
        const row = repo.get(needId());
        if (!row) return done({ ok: false, message: `no campaign "${id}"` });
        const reports = campaignReport(repo, row.id);
        if (json) {
          io.stdout.write(`${JSON.stringify({ id: row.id, status: row.status, definition: repo.definition(row), transitions: repo.transitions(row.id), occurrences: reports })}\n`);
          return EXIT.ok;
        }
        io.stdout.write(`${row.id}: ${row.name} (${row.status}; ${row.source}${row.file ? ` ${row.file}` : ''})\n`);
        io.stdout.write('transitions:\n');
        for (const t of repo.transitions(row.id)) io.stdout.write(`  ${new Date(t.at).toLocaleString('sv-SE', { timeZone: tz }).slice(0, 19)} ${t.from} → ${t.to} by ${t.by}${t.reason ? ` (${t.reason})` : ''}\n`);
        io.stdout.write(`occurrences:\n${renderReport(reports, tz)}\n`);
        return EXIT.ok;
      }
      case 'run': return done(service.requestRun(needId(), by));
      case 'pause': return done(service.pause(needId(), by));
      case 'resume': return done(await service.resume(needId(), by));
      case 'cancel': return done(service.cancel(needId(), by));
      case 'schedule': return done(service.schedule(needId(), by));
      default: return EXIT.usage;
    }
  } finally {
    store.close();
  }
}
