/** `import <kind> FILE`: CSV imports for operators (see src/members/import/). */
import { statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ENCODING_CHOICES, type EncodingChoice } from '../members/index.js';
import { ImportFileError, runImport } from '../members/index.js';
import { importKinds } from '../members/index.js';
import { formatIssues, formatSummary } from '../members/index.js';
import { IMPORT_KINDS, type ImportKindName } from '../members/index.js';
import { loadMembershipPlaybook } from '../members/index.js';
import { EXIT, MEMBERSHIP_PLAYBOOK, UsageError, describeArgError, openStore, type CliCommand } from './cli-io.js';
import { createProgress } from './progress.js';

function kindLines(): string {
  return IMPORT_KINDS.map((name) => {
    const kind = importKinds[name];
    const cols = kind.fields.map((f) => `${f.label}${f.required ? '*' : ''}`);
    const oneOf = kind.oneOf?.map((g) => g.map((k) => kind.fields.find((f) => f.key === k)!.label).join(' or ')) ?? [];
    return `  ${name.padEnd(8)}  ${cols.join(', ')}${oneOf.length ? `\n  ${''.padEnd(8)}  (needs ${oneOf.join('; ')})` : ''}`;
  }).join('\n');
}

const USAGE = `Usage: npm run cli -- import <kind> FILE [--dry-run] [--allow-partial] [--strict] [--encoding utf8|gbk|auto]

Imports a CSV file exported from Excel or another system into the store: UTF-8 with or without BOM,
GBK/GB18030 (Chinese Excel), comma- or tab-separated. Column names may be Chinese or English, in any
case, with spaces or full-width characters. Every other column is reported with the nearest known
name and what the import lacks without it ("column D 所属导购员 ignored — did you mean 所属导购 (owner
guide)? 12 groups will have no owner guide"); --strict refuses such a file instead.

Kinds, in the order to import them (each refers to the ones above it; * = required column):
${kindLines()}

Options:
  --dry-run         check every row and show what would be created, updated or left unchanged;
                    write nothing
  --allow-partial   import the good rows even when some are bad (default: all or nothing)
  --strict          a column the import does not understand is an error: nothing is imported
  --encoding ENC    auto (default: BOM, else UTF-8, else GBK), utf8 or gbk
  --help            this text

Every bad row is listed with its Excel row number, column, value (phones masked) and why; when every
row fails for one reason, the reason is printed once with the count, then the rows. By default a
file with any bad row imports nothing. Importing the same file again changes nothing, and an order
credits points once however often it is imported. Cells left blank keep what the store has. An order
row may name the coupon used on it (券码/coupon): that coupon is marked used with the order; an unknown,
expired, already used or other member's coupon makes the row bad. Files from 8 MB up are read and
checked in a second thread while the rows are written.
Local dates and times are read in TIMEZONE; the store is DB_FILE (both from .env or the environment).

Exit codes: 0 imported (or a clean dry run), 1 bad rows or an unreadable file (report printed),
2 wrong command line or configuration.`;

/** Problems listed after an import (the rest are counted): enough for any file a person fixes by hand. */
const MAX_ISSUES_LISTED = 100_000;

interface ImportArgs {
  kind: ImportKindName;
  /** Absolute path. */
  file: string;
  /** The path as the operator typed it (for messages). */
  given: string;
  dryRun: boolean;
  allowPartial: boolean;
  strict: boolean;
  encoding: EncodingChoice;
}

/** Reads the command line of `import`. @throws UsageError */
export function parseImportArgs(args: string[], cwd: string): ImportArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { 'dry-run': { type: 'boolean' }, 'allow-partial': { type: 'boolean' }, strict: { type: 'boolean' }, encoding: { type: 'string' } },
    });
  } catch (err) {
    throw new UsageError(`${describeArgError(err)}: the options are --dry-run, --allow-partial, --strict, --encoding utf8|gbk|auto`);
  }
  const [kind, file, ...extra] = parsed.positionals;
  if (!kind) throw new UsageError(`import needs a kind and a file, e.g. "import members members.csv". Kinds: ${IMPORT_KINDS.join(', ')}`);
  if (!(IMPORT_KINDS as readonly string[]).includes(kind)) throw new UsageError(`unknown kind "${kind}": one of ${IMPORT_KINDS.join(', ')}`);
  if (!file) throw new UsageError(`import ${kind} needs a FILE, e.g. "import ${kind} ${kind}.csv"`);
  if (extra.length) throw new UsageError(`unexpected argument${extra.length > 1 ? 's' : ''} ${extra.map((e) => `"${e}"`).join(' ')}: import takes one kind and one FILE`);
  const encoding = (parsed.values.encoding ?? 'auto')
    .toLowerCase()
    .replace(/^utf-8$/, 'utf8')
    .replace(/^gb18030$/, 'gbk');
  if (!(ENCODING_CHOICES as readonly string[]).includes(encoding)) {
    throw new UsageError(`--encoding ${parsed.values.encoding}: expected one of ${ENCODING_CHOICES.join(', ')}`);
  }
  const full = path.resolve(cwd, file);
  let isFile: boolean;
  try {
    isFile = statSync(full).isFile();
  } catch {
    throw new UsageError(`file not found: ${file}`);
  }
  if (!isFile) throw new UsageError(`not a file: ${file}`);
  return {
    kind: kind as ImportKindName,
    file: full,
    given: file,
    dryRun: parsed.values['dry-run'] ?? false,
    allowPartial: parsed.values['allow-partial'] ?? false,
    strict: parsed.values.strict ?? false,
    encoding: encoding as EncodingChoice,
  };
}

export const importCommand: CliCommand = {
  name: 'import',
  synopsis: 'import stores|staff|members|groups|orders FILE [--dry-run] [--allow-partial] [--strict] [--encoding utf8|gbk|auto]',
  summary: 'import a CSV file (UTF-8 or GBK); every bad row reported, all or nothing by default',
  usage: USAGE,
  async run(args, io) {
    const a = parseImportArgs(args, io.cwd);
    const needsPlaybook = a.kind === 'members' || a.kind === 'orders';
    const playbook = needsPlaybook ? loadMembershipPlaybook(MEMBERSHIP_PLAYBOOK) : undefined;
    const store = openStore(io);
    const progress = createProgress(io.stderr, { label: path.basename(a.file) });
    try {
      io.stdout.write(
        `import ${a.kind} ${a.given}${a.dryRun ? ' (dry run)' : ''}${a.allowPartial ? ' (allow partial)' : ''} into ${store.config.DB_FILE}, times in ${store.config.TIMEZONE}\n`,
      );
      const result = await runImport(store.db, {
        kind: a.kind,
        file: a.file,
        encoding: a.encoding,
        dryRun: a.dryRun,
        allowPartial: a.allowPartial,
        strict: a.strict,
        timeZone: store.config.TIMEZONE,
        now: io.now(),
        playbook,
        maxIssuesKept: MAX_ISSUES_LISTED,
        onProgress: (p) => {
          if (p.done) progress.done(p);
          else if (p.committing) progress.status(`${p.rows.toLocaleString('en-US')} rows read; committing…`);
          else progress.update(p);
        },
      });
      progress.clear();
      // The bad rows after the whole file is read, so that one cause shared by every row is said once.
      for (const line of formatIssues(result)) io.stdout.write(`${line}\n`);
      io.stdout.write(`${formatSummary({ ...result, file: a.given })}\n`);
      return result.bad > 0 ? EXIT.invalid : EXIT.ok;
    } catch (err) {
      progress.clear();
      if (err instanceof ImportFileError) {
        io.stderr.write(`${err.message}\nNothing was imported.\n`);
        return EXIT.invalid;
      }
      throw err;
    } finally {
      store.close();
    }
  },
};
