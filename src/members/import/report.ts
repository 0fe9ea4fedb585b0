/** Operator-facing text of an import: each bad row, and the summary. Pure. */
import { ignoredLine, type ImportResult, type RowIssue } from './engine.js';

const n = (x: number) => Math.round(x).toLocaleString('en-US');

/**
 * One bad value: where it is (Excel row and column), what was found and why it is refused.
 * @example formatIssue({ row: 4, columnLetter: 'C', column: '门店', field: 'store', value: 'HZ09', why: 'is not a known store code' })
 * // 'row 4, column C 门店: "HZ09" is not a known store code'
 */
export function formatIssue(issue: RowIssue): string {
  const where = issue.field === '*' ? `row ${issue.row}` : `row ${issue.row}, column ${issue.columnLetter} ${issue.column}`;
  if (issue.field === '*') return `${where}: ${issue.why}${issue.value ? ` (found: ${JSON.stringify(issue.value)})` : ''}`;
  return `${where}: ${issue.value === '' ? '' : `${JSON.stringify(issue.value)} `}${issue.why}`;
}

/**
 * The summary after the rows: counts, time and speed, what happened to the store, and what to do
 * next when something was refused.
 */
export function formatSummary(r: ImportResult): string {
  const lines: string[] = [];
  const speed = `${r.seconds.toFixed(2)} s, ${n(r.rowsPerSecond)} rows/s`;
  lines.push(`${r.file}: ${n(r.rows)} rows read (${speed}), ${r.encoding}`);
  for (const c of r.ignored ?? []) lines.push(`  ${ignoredLine(c, r.noun ?? 'row')}`);
  if (!r.ignored?.length && r.ignoredColumns.length) lines.push(`  ignored columns: ${r.ignoredColumns.join(', ')}`);
  const counts = (verbs: [string, string, string]) =>
    `${verbs[0]} ${n(r.created)} · ${verbs[1]} ${n(r.updated)} · ${verbs[2]} ${n(r.unchanged)} · skipped (blank) ${n(r.skipped)} · bad ${n(r.bad)}`;
  const failed = r.bad > 0 && !r.allowPartial;
  if (r.dryRun) {
    lines.push(
      `  dry run, nothing written: would create ${n(r.created)} · update ${n(r.updated)} · leave ${n(r.unchanged)} unchanged · skipped (blank) ${n(r.skipped)} · bad ${n(r.bad)}`,
    );
    if (failed) lines.push(`  a real import would import nothing: fix the ${n(r.bad)} bad rows above, or add --allow-partial to import the ${n(r.valid)} good rows only.`);
  } else if (failed) {
    lines.push(`  nothing imported: ${n(r.bad)} bad row${r.bad === 1 ? '' : 's'} (listed above) and ${n(r.valid)} good ones.`);
    lines.push('  Fix the bad rows and run again (the same file can be imported again safely), or add --allow-partial to import the good rows only.');
  } else if (r.bad > 0) {
    lines.push(`  imported the good rows: ${counts(['created', 'updated', 'unchanged'])} (the bad rows above were not imported)`);
  } else {
    lines.push(`  imported: ${counts(['created', 'updated', 'unchanged'])}`);
  }
  for (const note of r.notes) lines.push(`  ${note}`);
  return lines.join('\n');
}

/** The cause of a problem, without what differs from row to row (values, hints, row numbers). */
function causeOf(i: RowIssue): string {
  return `${i.field}|${i.column}|${causeText(i.why)}`;
}

/** `why` without its row-specific parts: hints in brackets, quoted values, numbers. */
function causeText(why: string): string {
  return why
    .replace(/\s*[(（][^)）]*[)）]/gu, '')
    .replace(/"[^"]*"/gu, '""')
    .replace(/\d+/gu, '#');
}

/**
 * The bad rows as the operator reads them. When every row of the file failed, and all for one cause,
 * that cause is printed once with the count, then each row with only its value; otherwise one line per
 * problem ({@link formatIssue}).
 * @example formatIssues(result) // ['all 300 rows fail for one reason: column C 门店: is not a known store code: import the store first (import stores FILE)', '  row 2: "HZ09"', …]
 */
export function formatIssues(r: Pick<ImportResult, 'issues' | 'issuesOmitted' | 'bad' | 'valid'>): string[] {
  const lines: string[] = [];
  const first = r.issues[0];
  const oneCause = first !== undefined && r.bad > 1 && r.valid === 0 && r.issues.length === r.bad && r.issuesOmitted === 0 && r.issues.every((i) => causeOf(i) === causeOf(first));
  if (oneCause) {
    const where = first.field === '*' ? '' : `column ${first.columnLetter} ${first.column}: `;
    const why = first.why.replace(/\s*[(（]did you mean[^)）]*[)）]/gu, '');
    lines.push(`all ${n(r.bad)} rows fail for one reason: ${where}${why}`);
    for (const i of r.issues) lines.push(`  row ${i.row}${i.value ? `: ${JSON.stringify(i.value)}` : ''}`);
    return lines;
  }
  for (const i of r.issues) lines.push(formatIssue(i));
  if (r.issuesOmitted) lines.push(`… and ${n(r.issuesOmitted)} more problems not listed`);
  return lines;
}
