import { loadWakeupPlaybook, parseWakeupPlaybook, type WakeupPlaybook } from './playbook.js';
import { readFileSync } from 'node:fs';

/** Test helpers for the wake-up capability. */

let cached: WakeupPlaybook | null = null;

/** The shipped `sop/wakeup.yaml`, loaded once per test file. */
export function shippedWakeup(): WakeupPlaybook {
  return (cached ??= loadWakeupPlaybook('sop/wakeup.yaml'));
}

/** The shipped playbook with one text edit applied (`from` → `to`), parsed as `FILE`. */
export function editedWakeup(from: string, to: string): WakeupPlaybook {
  const source = readFileSync('sop/wakeup.yaml', 'utf8');
  if (!source.includes(from)) throw new Error(`sop/wakeup.yaml does not contain ${JSON.stringify(from)}`);
  return parseWakeupPlaybook(source.replace(from, to), 'FILE');
}
