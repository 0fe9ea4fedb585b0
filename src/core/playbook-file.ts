import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ConfigError, errorMessage } from './errors.js';

/**
 * Reads a playbook file as text.
 * @throws ConfigError `sop/sla.yaml: cannot read the SLA playbook (ENOENT: …)`
 */
export function readPlaybookText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read the ${what} (${errorMessage(err)})`);
  }
}

/**
 * Parses YAML text (a UTF-8 BOM is tolerated) into plain data; `file` is only used in messages.
 * @throws ConfigError `sop/sla.yaml: line 3, column 5: not valid YAML (…)`
 */
export function parseYamlText(source: string, file: string): unknown {
  const doc = parseDocument(source.replace(/^\uFEFF/u, ''), { prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const where = e.linePos?.[0] ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : 'YAML';
    throw new ConfigError(`${file}: ${where}: not valid YAML (${e.message.split('\n')[0]})`);
  }
  return doc.toJS();
}
