import { fileURLToPath } from 'node:url';
import type { Queues } from '../platform/queue/queues.js';
import { outboxOperations, type OutboxOperations } from '../outbox/index.js';
import type { Db } from '../platform/db/client.js';
import type { CampaignDef, CampaignProblem } from './campaign.file.js';
import { checkCampaign, loadCampaignDir, problemText } from './campaign.file.js';
import { campaignKeyPrefix } from './content.rules.js';
import { CANCELLED_REASON, CampaignsRepo, PAUSED_REASON } from './campaigns.repo.js';
import type { CampaignSource, CampaignStatus } from './campaigns.schema.js';
import { afterOccurrence, canDo, resumeTo, statusesAllowing, type CampaignAction } from './lifecycle.rules.js';
import { planOccurrence, type PlanResult, type PlannerDeps } from './planner.js';
import { dueSlot, nextSlot, occurrenceId } from './schedule.rules.js';
import { checkWorld } from './world-check.rules.js';
import type { DailyWindow } from '../core/time.js';

/** How far back a tick looks for a slot not yet planned (covers late ticks and the scheduler's catch-up). */
export const LOOKBACK_MS = 15 * 60_000;
/** When resuming after the window has passed, at least this much time per message is given. */
const RESUME_STEP_MS = 2000;

export type OpResult = { ok: true; message: string } | { ok: false; message: string };

/** What saving a campaign did: its id, or every problem (nothing was stored). */
export type CampaignSaveResult =
  { ok: true; id: string; created: boolean; changed: boolean; warnings: CampaignProblem[] } | { ok: false; problems: CampaignProblem[]; warnings?: CampaignProblem[] };

export interface CampaignSaveOptions {
  /** Edit this existing campaign (the body's `id`, if any, must be the same); absent: create a new one. */
  id?: string;
  /** Epoch ms recorded on the campaign and its audit row (default: the system clock). */
  now?: number;
  /** The file the object was read from (CLI): its base name is the default id, its folder the base of relative image paths. */
  file?: string;
  /** Folder relative image paths resolve against (default: the file's folder, else the shipped `sop/campaigns/`). */
  baseDir?: string;
  /** Recorded as the campaign's source (default: `console` for actors `console:…`, else `cli`). */
  source?: Exclude<CampaignSource, 'file'>;
  /**
   * Check against the world too (known groups, past times, quiet hours: `checkWorld`) in this
   * timezone; absent: shape checks only.
   */
  world?: { timezone: string; quietHours?: DailyWindow };
}

/** The shipped campaigns folder (`sop/campaigns` at the project root). */
export const DEFAULT_CAMPAIGNS_DIR = fileURLToPath(new URL('../../sop/campaigns', import.meta.url));

/**
 * Creates or changes a campaign from a plain object (the JSON body of the console's
 * `POST /api/campaigns`, or a file given to `campaign create|edit`), validated by the same validator
 * as `sop/campaigns/*.yaml`. All or nothing: on any problem nothing is stored.
 *
 * - Create (no `opts.id`): the body needs an `id` not used yet; `status` is `scheduled` (the default,
 *   as in files: it follows its schedule) or `draft` (waits for `campaign schedule`).
 * - Edit (`opts.id`): refused for campaigns that come from a file (edit the file), and for a campaign
 *   that is running, done or cancelled (the problem's path is `status`, with the states that allow it).
 *   The body's `status` is ignored on edit: pause, resume, schedule and cancel change it.
 *
 * Every create and edit is recorded in campaign_transitions with `actor` (`console:alice`, `cli:bob`).
 * @example saveCampaign(db, await c.req.json(), `console:${user}`) // { ok: true, id: 'member-day', created: true, changed: true }
 * @example saveCampaign(db, { name: 'x' }, 'console:al') // { ok: false, problems: [{ path: 'audience', message: 'expected an object, found nothing' }, …] }
 */
export function saveCampaign(db: Db, input: unknown, actor: string, opts: CampaignSaveOptions = {}): CampaignSaveResult {
  const repo = new CampaignsRepo(db);
  const now = opts.now ?? Date.now();
  const editing = opts.id !== undefined;
  const body = editing && isObject(input) && input['id'] === undefined ? { ...input, id: opts.id } : input;
  const checked = checkCampaign(body, { file: opts.file, baseDir: opts.baseDir ?? (opts.file ? undefined : DEFAULT_CAMPAIGNS_DIR) });
  if (!checked.ok) return checked;
  const def = checked.def;
  const row = repo.get(def.id);
  let warnings: CampaignProblem[] = [];
  const world = (): CampaignProblem[] => {
    if (!opts.world) return [];
    const w = checkWorld(def, { groups: def.audience.groups ? repo.groupFacts() : [], now: new Date(now), ...opts.world });
    warnings = w.warnings;
    return w.problems;
  };
  if (!editing) {
    if (row) return { ok: false, problems: [{ path: 'id', message: `"${def.id}" is already a campaign (${row.status}); edit it instead, or choose another id` }] };
    const refused = world();
    if (refused.length) return { ok: false, problems: refused };
    repo.insert(def, opts.source ?? sourceOf(actor), opts.file ?? null, actor, now);
    return { ok: true, id: def.id, created: true, changed: true, warnings };
  }
  if (def.id !== opts.id)
    return { ok: false, problems: [{ path: 'id', message: `expected "${opts.id}" (the campaign being edited), found "${def.id}"; the id of a campaign cannot change` }] };
  if (!row) return { ok: false, problems: [{ path: 'id', message: `no campaign "${opts.id}"; create it first` }] };
  if (row.source === 'file')
    return { ok: false, problems: [{ path: 'id', message: `"${def.id}" comes from ${row.file ?? 'a campaign file'}; edit that file (the bot re-reads it every minute)` }] };
  const stored = { ...def, status: repo.definition(row).status };
  if (row.definition === JSON.stringify(stored)) return { ok: true, id: def.id, created: false, changed: false, warnings };
  const d = canDo('edit', row.status);
  if (!d.ok) return { ok: false, problems: [{ path: 'status', message: d.reason, allowed: [...statusesAllowing('edit')] }] };
  const refused = world();
  if (refused.length) return { ok: false, problems: refused };
  if (!repo.edit(def.id, row.status, stored, actor, now))
    return { ok: false, problems: [{ path: 'status', message: `${def.id} changed meanwhile (no longer ${row.status}); try again` }] };
  return { ok: true, id: def.id, created: false, changed: true, warnings };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sourceOf(actor: string): Exclude<CampaignSource, 'file'> {
  return actor.startsWith('console:') ? 'console' : 'cli';
}

export interface CampaignServiceDeps extends PlannerDeps {
  /** The bot's queues, to give resumed messages their jobs at once; null in the CLI (the bot's reconcile, ≤ 30 s, does it). */
  queues: Queues | null;
  /** Least time per message when resuming after the window has passed (default 2 s; tests use 0). */
  resumeStepMs?: number;
}

/**
 * Campaign operations shared by the bot (tick) and the CLI: sync files, run, pause, resume, cancel.
 * Every state change goes through the lifecycle rules and is recorded with who did it.
 */
export class CampaignService {
  /** Pause, resume and cancel settle the campaign's outbox rows by key prefix through the outbox's operations. */
  private readonly ops: OutboxOperations;

  constructor(private readonly deps: CampaignServiceDeps) {
    this.ops = outboxOperations(deps.repo.db, deps.queues ? deps.outbox : null, deps.clock, deps.logger);
  }

  private get repo(): CampaignsRepo {
    return this.deps.repo;
  }

  private now(): number {
    return this.deps.clock.now().getTime();
  }

  private check(id: string, action: CampaignAction): { ok: true; status: CampaignStatus; def: CampaignDef } | { ok: false; message: string } {
    const row = this.repo.get(id);
    if (!row)
      return {
        ok: false,
        message: `no campaign "${id}"; campaigns: ${
          this.repo
            .list()
            .map((c) => c.id)
            .join(', ') || 'none'
        }`,
      };
    const d = canDo(action, row.status);
    if (!d.ok) return { ok: false, message: `${id}: ${d.reason}` };
    return { ok: true, status: row.status, def: this.repo.definition(row) };
  }

  /**
   * Creates or updates a campaign from a definition (the file sync). Editing a running (or finished)
   * campaign is refused with the reason, and so is a file whose id is a campaign created from the CLI
   * or console; the stored definition stays. Every create and edit is recorded with `by`.
   */
  upsert(def: CampaignDef, source: CampaignSource, file: string | null, by: string): OpResult {
    const row = this.repo.get(def.id);
    if (!row) {
      this.repo.insert(def, source, file, by, this.now());
      return { ok: true, message: `${def.id}: created (${def.status})` };
    }
    const where = `${def.id}${file ? ` (${file})` : ''}`;
    if (row.source !== source) return { ok: false, message: `${where}: id: "${def.id}" is already a campaign created from the ${row.source}; give the file another id` };
    if (row.definition === JSON.stringify(def)) return { ok: true, message: `${def.id}: unchanged` };
    const d = canDo('edit', row.status);
    if (!d.ok) return { ok: false, message: `${where}: edit refused: ${d.reason}` };
    if (!this.repo.edit(def.id, row.status, def, by, this.now())) return { ok: false, message: `${where}: changed meanwhile; try again` };
    return { ok: true, message: `${def.id}: updated` };
  }

  /** Loads `sop/campaigns/` into the store; returns one line per problem (bad files, refused edits). */
  syncDir(dir: string): string[] {
    const { campaigns, errors } = loadCampaignDir(dir);
    const problems = [...errors];
    let groups: ReturnType<CampaignsRepo['groupFacts']> | null = null;
    for (const c of campaigns) {
      const { file, ...def } = c;
      const row = this.repo.get(def.id);
      if (!row || (row.source === 'file' && row.definition !== JSON.stringify(def))) {
        groups ??= this.repo.groupFacts();
        const w = checkWorld(def, { groups, now: new Date(this.now()), timezone: this.deps.timezone });
        if (w.problems.length) {
          problems.push(`${file}: ${w.problems.map(problemText).join('; ')}`);
          continue;
        }
      }
      const r = this.upsert(def, 'file', file, 'file');
      if (!r.ok) problems.push(r.message);
    }
    return problems;
  }

  /** draft → scheduled. */
  schedule(id: string, by: string): OpResult {
    const c = this.check(id, 'schedule');
    if (!c.ok) return c;
    return this.repo.transition(id, c.status, 'scheduled', by, null, this.now())
      ? { ok: true, message: `${id}: scheduled` }
      : { ok: false, message: `${id}: changed meanwhile; try again` };
  }

  /** Asks the bot to run an occurrence now (planned at its next minute tick). */
  requestRun(id: string, by: string): OpResult {
    const c = this.check(id, 'run');
    if (!c.ok) return c;
    this.repo.requestRun(id, by, this.now());
    return { ok: true, message: `${id}: run requested; the bot plans it within a minute` };
  }

  /**
   * Pauses: no new occurrence is planned, and every message still queued is settled `skipped`
   * (reason `paused`) at once, so the sender sends none of them (a message already in the sender's hand finishes).
   */
  pause(id: string, by: string, reason: string | null = null): OpResult {
    const c = this.check(id, 'pause');
    if (!c.ok) return c;
    const now = this.now();
    if (!this.repo.transition(id, c.status, 'paused', by, reason, now)) return { ok: false, message: `${id}: changed meanwhile; try again` };
    const held = this.ops.hold(campaignKeyPrefix(id), PAUSED_REASON);
    return { ok: true, message: `${id}: paused; ${held} message(s) held` };
  }

  /**
   * Resumes: messages held by the pause go back in the queue, spread over what is left of their
   * window (or a short fresh spread when it has passed). Messages already sent are never touched.
   */
  async resume(id: string, by: string): Promise<OpResult> {
    const c = this.check(id, 'resume');
    if (!c.ok) return c;
    const now = this.now();
    let requeued = 0;
    for (const occ of this.repo.occurrences(id)) {
      requeued += await this.ops.requeue(campaignKeyPrefix(id, occ.occurrence), PAUSED_REASON, (rows) => {
        const to = Math.max(occ.windowEnd, now + rows.length * (this.deps.resumeStepMs ?? RESUME_STEP_MS));
        const step = (to - now) / rows.length;
        return rows.map((_, i) => Math.floor(now + i * step));
      });
    }
    const to = resumeTo(requeued > 0);
    if (!this.repo.transition(id, 'paused', to, by, null, now)) return { ok: false, message: `${id}: changed meanwhile; try again` };
    return { ok: true, message: `${id}: resumed (${to}); ${requeued} message(s) back in the queue` };
  }

  /** Cancels: the rest of every occurrence is settled skipped (reason `cancelled`); nothing more is planned. */
  cancel(id: string, by: string): OpResult {
    const c = this.check(id, 'cancel');
    if (!c.ok) return c;
    const now = this.now();
    if (!this.repo.transition(id, c.status, 'cancelled', by, null, now)) return { ok: false, message: `${id}: changed meanwhile; try again` };
    // Messages held by a pause become cancelled too.
    const n = this.ops.cancel({ prefix: campaignKeyPrefix(id) }, CANCELLED_REASON, { held: PAUSED_REASON });
    return { ok: true, message: `${id}: cancelled; ${n} message(s) not sent` };
  }

  /**
   * One minute tick: plans requested runs and due slots of scheduled or running campaigns, and
   * closes running campaigns whose occurrence has nothing left to send.
   */
  async tick(slot: Date): Promise<PlanResult[]> {
    const tz = this.deps.timezone;
    const out: PlanResult[] = [];
    for (const row of this.repo.active()) {
      const def = this.repo.definition(row);
      if (row.runRequestedAt !== null) {
        const requestedAt = row.runRequestedAt;
        if (canDo('run', row.status).ok) out.push(await this.plan(row.id, row.status, def, new Date(requestedAt), `run:${row.runRequestedBy ?? 'cli'}`));
        this.repo.clearRunRequest(row.id, requestedAt);
        continue;
      }
      if (row.status !== 'scheduled' && row.status !== 'running') continue;
      const due = dueSlot(def, slot, tz, LOOKBACK_MS);
      if (due && !this.repo.occurrence(row.id, occurrenceId(due, tz))) {
        out.push(await this.plan(row.id, row.status, def, due, 'scheduler'));
        continue;
      }
      if (row.status === 'running' && this.repo.pendingCount(campaignKeyPrefix(row.id)) === 0) {
        const to = afterOccurrence(nextSlot(def, new Date(Math.max(slot.getTime(), this.now())), tz) !== null);
        this.repo.transition(row.id, 'running', to, 'scheduler', 'occurrence finished', this.now());
      }
    }
    return out;
  }

  private async plan(id: string, status: CampaignStatus, def: CampaignDef, slot: Date, by: string): Promise<PlanResult> {
    if (status === 'scheduled') this.repo.transition(id, status, 'running', by, 'occurrence started', this.now());
    return planOccurrence(this.deps, def, slot, by);
  }

  /** In the bot, the jobs of the rows just settled leave Redis now (elsewhere the bot's feed sweeps them within seconds). */
}
