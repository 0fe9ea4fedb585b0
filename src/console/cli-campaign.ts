/** `campaign list | show | create | edit | check | run | pause | resume | cancel | schedule`: group campaigns from the command line (src/campaigns/). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import { parseYamlText, readPlaybookText } from '../core/playbook-file.js';
import type { Outbox } from '../outbox/index.js';
import { checkCampaign, problemText, type CampaignProblem } from '../campaigns/index.js';
import { CampaignsRepo } from '../campaigns/index.js';
import { CampaignService, DEFAULT_CAMPAIGNS_DIR, saveCampaign } from '../campaigns/index.js';
import { campaignReport, renderReport } from '../campaigns/index.js';
import { nextSlot } from '../campaigns/index.js';
import { checkWorld } from '../campaigns/index.js';
import { checkCapacity } from './campaign-capacity.js';
import { AuditRepo } from './audit.repo.js';
import { cliActor } from './cli-actor.js';
import { EXIT, UsageError, openStore, type CliCommand, type CliIo } from './cli-io.js';
import { formatLocal } from '../core/time.js';
import { quietHoursInForce } from '../outbox/index.js';

/** The shipped campaigns folder (`sop/campaigns` at the project root). */
export const CAMPAIGNS_DIR = DEFAULT_CAMPAIGNS_DIR;
/** The sending playbook beside the campaigns folder: its quiet hours over QUIET_HOURS for the quiet-hours warning. */
const SENDING_FILE = path.join(DEFAULT_CAMPAIGNS_DIR, '..', 'sending.yaml');

const SUBCOMMANDS = ['list', 'show', 'create', 'edit', 'check', 'run', 'pause', 'resume', 'cancel', 'schedule'] as const;

const USAGE = `Usage: npm run cli -- campaign <${SUBCOMMANDS.join(' | ')}> [ID] [FILE] [--json]

  campaign list                 every campaign: status, source, schedule, next slot, last occurrence
  campaign show ID [--json]     definition, transitions (who, when) and the report of each occurrence:
                                targeted, sent, failed, skipped by reason, expired, replies within 1 h / 24 h
  campaign create FILE          store a new campaign from a YAML or JSON file written like sop/campaigns/*.yaml
  campaign create --from-json '{"id":"…",…}'
                                the same from JSON text (the console's POST /api/campaigns takes the same object)
  campaign edit ID FILE         change a campaign created from the CLI or console (same file format; --from-json too).
                                Refused while it runs (pause it first) and once done or cancelled; a campaign
                                from sop/campaigns/ is changed by editing its file. The file's status is
                                ignored on edit: schedule, pause, resume and cancel change it
  campaign check FILE           validate a campaign file: every problem with its path and what is allowed; stores nothing.
                                Then the capacity line: its messages routed to the accounts that reach the
                                targets, when the last goes out at their budgets, and how many are unreachable
  campaign run ID               run an occurrence now (the bot plans it at its next minute tick)
  campaign pause ID             stop sending at once: queued messages are held (skipped, reason paused)
  campaign resume ID            send the held messages (never one already sent); the bot queues them within 30 s
  campaign cancel ID            stop for good: what is left is skipped (reason cancelled)
  campaign schedule ID          a draft starts following its schedule

Campaign files live in sop/campaigns/ (CAMPAIGNS_DIR=path for another folder); they are read now and by the bot.
Campaigns made with create live in the database (same checks, same lifecycle); every create, edit and
state change is recorded with who did it (cli:<user>).
Exit codes: 0 done, 1 refused (the reason is printed), 2 wrong command line or configuration.`;

/** Who is acting, recorded on transitions and in the audit trail: `cli:<user>`. */
const who = cliActor;

/** The `campaign` command. */
export const campaignCommand: CliCommand = {
  name: 'campaign',
  synopsis: 'campaign <list | show | create | edit | check | run | pause | resume | cancel | schedule> [ID]',
  summary: 'group campaigns: list, show (report), create, edit, check a file, run now, pause, resume, cancel',
  usage: USAGE,
  run: (args, io) => runCampaignCli(args, io),
};

/** A campaign definition given on the command line: a file (YAML or JSON) or `--from-json TEXT`. */
interface CampaignInput {
  /** How problems name it: the file, or `--from-json`. */
  label: string;
  file?: string;
  raw: unknown;
}

/** Reads FILE or `--from-json TEXT` from `args`; a file that cannot be read or parsed is a refusal, not a usage error. */
function readInput(args: readonly string[], io: CliIo, what: string): CampaignInput | { refused: string } {
  const j = args.indexOf('--from-json');
  if (j >= 0) {
    const text = args[j + 1];
    if (text === undefined) throw new UsageError(`campaign ${what}: --from-json needs the campaign as JSON text, e.g. --from-json '{"id":"flash","name":"闪购",…}'`);
    try {
      return { label: '--from-json', raw: JSON.parse(text) as unknown };
    } catch (err) {
      return { refused: `--from-json: not valid JSON (${errorMessage(err)})` };
    }
  }
  const given = args.find((a) => !a.startsWith('--'));
  if (!given) throw new UsageError(`campaign ${what}: which file? give a YAML or JSON campaign FILE, or --from-json '{…}'`);
  const file = path.resolve(io.cwd, given);
  if (!existsSync(file)) return { refused: `${given}: no such file` };
  try {
    return { label: given, file, raw: parseYamlText(readPlaybookText(file, 'campaign file'), given) };
  } catch (err) {
    return { refused: errorMessage(err) };
  }
}

function printProblems(io: CliIo, label: string, problems: readonly CampaignProblem[]): number {
  for (const p of problems) io.stderr.write(`${label}: ${problemText(p)}\n`);
  io.stderr.write(`${label}: refused (${problems.length} problem${problems.length === 1 ? '' : 's'}); nothing was stored\n`);
  return EXIT.invalid;
}

/**
 * Runs `campaign …` and resolves to the exit code. Pause, resume and cancel act on the store directly
 * (the sender honours them within seconds); run is planned by the bot's next tick.
 * @example await runCampaignCli(['pause', 'member-day'], io) // 0
 */
export async function runCampaignCli(args: readonly string[], io: CliIo): Promise<number> {
  const [sub, id, ...rest] = args;
  const json = rest.includes('--json');
  const needId = () => {
    if (!id || id.startsWith('--')) throw new UsageError(`campaign ${sub ?? ''}: which campaign? give its ID (campaign list shows them)`);
    return id;
  };
  if (!(SUBCOMMANDS as readonly string[]).includes(sub ?? '')) {
    throw new UsageError(`${sub === undefined ? 'which one?' : `unknown campaign command "${sub}"`}: campaign commands are ${SUBCOMMANDS.join(', ')}`);
  }
  if (sub === 'check') {
    const input = readInput(args.slice(1), io, 'check');
    if ('refused' in input) return refuse(io, input.refused);
    const r = checkCampaign(input.raw, { file: input.file, baseDir: input.file ? undefined : io.cwd });
    if (!r.ok) return printProblems(io, input.label, r.problems);
    const d = r.def;
    const store = openStore(io);
    let capacity: string;
    try {
      const w = checkWorld(d, {
        groups: new CampaignsRepo(store.db).groupFacts(),
        now: io.now(),
        timezone: store.config.TIMEZONE,
        quietHours: quietHoursInForce(SENDING_FILE, store.config.QUIET_HOURS),
      });
      if (w.problems.length) return printProblems(io, input.label, w.problems);
      printWarnings(io, input.label, w.warnings);
      capacity = checkCapacity(new CampaignsRepo(store.db), store.config, d, io.now()).message;
    } finally {
      store.close();
    }
    io.stdout.write(
      `${input.label}: ok: ${d.id} "${d.name}" (${d.status}), ${d.audience.groups ? 'groups' : 'members'}, ` +
        `${d.schedule.cron ? `cron "${d.schedule.cron}"` : `at ${d.schedule.at}`}, ${d.content.length} message(s), spread ${d.spreadMinutes} min\n`,
    );
    io.stdout.write(`${input.label}: ${capacity}\n`);
    return EXIT.ok;
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
      if (sub !== 'show' && sub !== 'list') {
        new AuditRepo(store.db).record({
          at: now().getTime(),
          actor: by,
          channel: 'cli',
          action: `campaign.${sub}`,
          target: id ?? null,
          result: r.ok ? 'ok' : `refused: ${r.message}`,
        });
      }
      (r.ok ? io.stdout : io.stderr).write(`${r.message}\n`);
      return r.ok ? EXIT.ok : EXIT.invalid;
    };
    switch (sub) {
      case 'create':
      case 'edit': {
        const editId = sub === 'edit' ? needId() : undefined;
        const input = readInput(sub === 'edit' ? rest : args.slice(1), io, sub);
        if ('refused' in input) return refuse(io, input.refused);
        const r = saveCampaign(store.db, input.raw, by, {
          id: editId,
          now: now().getTime(),
          file: input.file,
          baseDir: input.file ? undefined : io.cwd,
          world: { timezone: tz, quietHours: quietHoursInForce(SENDING_FILE, store.config.QUIET_HOURS) },
        });
        new AuditRepo(store.db).record({
          at: now().getTime(),
          actor: by,
          channel: 'cli',
          action: `campaign.${sub}`,
          target: r.ok ? r.id : (editId ?? null),
          result: r.ok ? 'ok' : `refused: ${r.problems.map(problemText).join('; ')}`,
        });
        if (!r.ok) return printProblems(io, input.label, r.problems);
        printWarnings(io, input.label, r.warnings);
        const row = repo.get(r.id)!;
        io.stdout.write(`${r.id}: ${r.created ? `created (${row.status})` : r.changed ? `updated (${row.status})` : 'unchanged'}\n`);
        return EXIT.ok;
      }
      case 'list': {
        const rows = repo.list();
        if (json) io.stdout.write(`${JSON.stringify(rows.map((r) => ({ id: r.id, name: r.name, status: r.status, source: r.source })))}\n`);
        else if (rows.length === 0) io.stdout.write('no campaigns\n');
        else
          for (const r of rows) {
            const def = repo.definition(r);
            const next = r.status === 'scheduled' || r.status === 'running' ? nextSlot(def, now(), tz) : null;
            const last = repo.occurrences(r.id)[0];
            io.stdout.write(
              `${r.id.padEnd(16)} ${r.status.padEnd(9)} ${r.source.padEnd(7)} ${r.name}  ${def.schedule.cron ? `cron "${def.schedule.cron}"` : `at ${def.schedule.at}`}` +
                `${next ? `  next ${formatLocal(next, tz)}` : ''}${last ? `  last ${last.occurrence}` : ''}\n`,
            );
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
        for (const t of repo.transitions(row.id)) io.stdout.write(`  ${formatLocal(t.at, tz, 'second')} ${t.from} → ${t.to} by ${t.by}${t.reason ? ` (${t.reason})` : ''}\n`);
        io.stdout.write(`occurrences:\n${renderReport(reports, tz)}\n`);
        return EXIT.ok;
      }
      case 'run':
        return done(service.requestRun(needId(), by));
      case 'pause':
        return done(service.pause(needId(), by));
      case 'resume':
        return done(await service.resume(needId(), by));
      case 'cancel':
        return done(service.cancel(needId(), by));
      case 'schedule':
        return done(service.schedule(needId(), by));
      default:
        return EXIT.usage;
    }
  } finally {
    store.close();
  }
}

function printWarnings(io: CliIo, label: string, warnings: readonly CampaignProblem[]): void {
  for (const w of warnings) io.stderr.write(`${label}: warning: ${problemText(w)}\n`);
}

function refuse(io: CliIo, message: string): number {
  io.stderr.write(`${message}\n`);
  return EXIT.invalid;
}
