/** Operator-facing text of an import: each bad row, and the summary. Pure. */
import type { ImportResult, RowIssue } from './engine.js';

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
  if (r.ignoredColumns.length) lines.push(`  ignored columns: ${r.ignoredColumns.join(', ')}`);
  const counts = (verbs: [string, string, string]) =>
    `${verbs[0]} ${n(r.created)} · ${verbs[1]} ${n(r.updated)} · ${verbs[2]} ${n(r.unchanged)} · skipped (blank) ${n(r.skipped)} · bad ${n(r.bad)}`;
  const failed = r.bad > 0 && !r.allowPartial;
  if (r.dryRun) {
    lines.push(`  dry run, nothing written: would create ${n(r.created)} · update ${n(r.updated)} · leave ${n(r.unchanged)} unchanged · skipped (blank) ${n(r.skipped)} · bad ${n(r.bad)}`);
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
