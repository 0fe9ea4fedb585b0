/**
 * Every playbook the bot reads, checked with the capability's own validator: `sop check` prints the
 * result, `GET /api/playbooks` returns it, and `POST /api/playbooks/reload` refuses to reload
 * while any is bad (nothing half-applied).
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../core/errors.js';
import { loadMembershipPlaybook } from '../members/index.js';
import { loadGuidePlaybook } from '../guide-sop/index.js';
import { loadSlaPlaybook } from '../sla/index.js';
import { loadFriendsPlaybook } from '../friends/index.js';
import { loadWakeupPlaybook } from '../wakeup/index.js';
import { loadGroupsPlaybook } from '../groups/index.js';
import { loadSendingPlaybook } from '../outbox/index.js';
import { checkCampaign } from '../campaigns/index.js';
import { loadAccountsRegistry, type RegistryDefaults } from '../accounts/index.js';
import { parseYamlText, readPlaybookText } from '../core/playbook-file.js';

/** The shipped playbooks folder (`sop/` at the project root). */
export const SOP_ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'sop');

/** What an accounts registry is checked against outside the running bot (the shipped SEND_* defaults). */
const CHECK_DEFAULTS: RegistryDefaults = { production: false, budget: { ratePerMinute: 20, capPerHour: 1000, capPerDay: 0, gapMinMs: 1000, gapMaxMs: 3000 } };

/** One problem: the file, the path inside it (`(file)` for the whole file) and what is wrong / allowed. */
export interface PlaybookProblem {
  file: string;
  path: string;
  /** The line in the file, when the validator names it (the accounts registry does). */
  line?: number;
  message: string;
  /** What is allowed, when the fix is picking from a list. */
  allowed?: string[];
}

export interface PlaybookCheck {
  /** `membership`, `guide-daily`, `sla`, `friends`, `wakeup`, `groups`, `campaign` */
  kind: string;
  file: string;
  ok: boolean;
  problems: PlaybookProblem[];
}

type Loader = (file: string) => unknown;

/**
 * Splits a validator's one-line error `file: path: message` into its parts (the file prefix is
 * dropped; a message without a recognisable path is about the whole file).
 */
export function splitProblem(file: string, error: string): PlaybookProblem {
  let rest = error.startsWith(`${file}: `) ? error.slice(file.length + 2) : error;
  // `line 6: accounts[1].id: …` (the accounts registry): the line apart, the path after it.
  const at = /^line (\d+): /u.exec(rest);
  const line = at ? { line: Number(at[1]) } : {};
  if (at) rest = rest.slice(at[0].length);
  const m = /^((?:[A-Za-z_][\w-]*|\[\d+\])(?:\.[A-Za-z_][\w-]*|\[\d+\])*|\(top level\)|line \d+, column \d+): (.+)$/su.exec(rest);
  return m ? { file, path: m[1]!, ...line, message: m[2]! } : { file, path: '(file)', ...line, message: rest };
}

function checkOne(kind: string, file: string, load: Loader): PlaybookCheck {
  try {
    load(file);
    return { kind, file, ok: true, problems: [] };
  } catch (err) {
    return { kind, file, ok: false, problems: [splitProblem(file, errorMessage(err))] };
  }
}

/** Checks every playbook under `dir` (default `sop/`): the five capability files, sending.yaml and groups.yaml when present, and campaigns/*.yaml. */
export function checkPlaybooks(dir: string = SOP_ROOT): PlaybookCheck[] {
  const out: PlaybookCheck[] = [
    checkOne('membership', path.join(dir, 'membership.yaml'), loadMembershipPlaybook),
    checkOne('guide-daily', path.join(dir, 'guide-daily.yaml'), loadGuidePlaybook),
    checkOne('sla', path.join(dir, 'sla.yaml'), loadSlaPlaybook),
    checkOne('friends', path.join(dir, 'friends.yaml'), loadFriendsPlaybook),
    checkOne('wakeup', path.join(dir, 'wakeup.yaml'), loadWakeupPlaybook),
  ];
  // Optional: without it the environment's quiet hours and cap apply.
  const sending = path.join(dir, 'sending.yaml');
  if (existsSync(sending)) out.push(checkOne('sending', sending, loadSendingPlaybook));
  // Optional: without it one account runs from the environment (budgets here only matter for the gap check).
  const accounts = path.join(dir, 'accounts.yaml');
  if (existsSync(accounts)) out.push(checkOne('accounts', accounts, (f) => loadAccountsRegistry(f, CHECK_DEFAULTS, { id: 'main', hasToken: false })));
  const groups = path.join(dir, 'groups.yaml');
  if (existsSync(groups)) out.push(checkOne('groups', groups, loadGroupsPlaybook));
  const campaignsDir = path.join(dir, 'campaigns');
  let names: string[];
  try {
    names = readdirSync(campaignsDir)
      .filter((n) => /\.ya?ml$/iu.test(n))
      .sort();
  } catch {
    names = [];
  }
  const ids = new Map<string, string>();
  for (const n of names) {
    const file = path.join(campaignsDir, n);
    let check: PlaybookCheck;
    try {
      const r = checkCampaign(parseYamlText(readPlaybookText(file, 'campaign'), file), { file });
      if (!r.ok) {
        check = { kind: 'campaign', file, ok: false, problems: r.problems.map((p) => ({ file, path: p.path, message: p.message, ...(p.allowed ? { allowed: p.allowed } : {}) })) };
      } else {
        const dup = ids.get(r.def.id);
        check = dup
          ? { kind: 'campaign', file, ok: false, problems: [{ file, path: 'id', message: `"${r.def.id}" is already used by ${dup}; campaign ids must be unique` }] }
          : { kind: 'campaign', file, ok: true, problems: [] };
        ids.set(r.def.id, file);
      }
    } catch (err) {
      check = { kind: 'campaign', file, ok: false, problems: [splitProblem(file, errorMessage(err))] };
    }
    out.push(check);
  }
  return out;
}
