/**
 * The playbook settings operators change most, edited in a form (`/settings`): SLA service hours,
 * target and tiers (`sla.yaml`), 3+3+3 quotas and times (`guide-daily.yaml`), wake-up budget and
 * windows (`wakeup.yaml`). A save changes only those fields in the file (comments and the rest kept),
 * validates the whole result with the capability's own loader, and only then replaces the file
 * (temp file + rename). A refused save leaves the file as it was; the running bot picks up a saved
 * file by itself (schedules included), so no restart is needed.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isScalar, isSeq, parseDocument } from 'yaml';
import { errorMessage } from '../core/errors.js';
import { readPlaybookText } from '../core/playbook-file.js';
import { loadGuidePlaybook } from '../guide-sop/index.js';
import { loadSlaPlaybook } from '../sla/index.js';
import { loadWakeupPlaybook } from '../wakeup/index.js';
import { splitProblem, type PlaybookProblem } from './playbooks.js';

/**
 * How a form value (always text) becomes YAML: `int` a whole number when it looks like one, `text` as
 * is, `list` comma-separated strings, `days` every-day / workdays / 1,2,3, `tiers` one `after to [name]`
 * per line.
 */
export type FieldKind = 'int' | 'text' | 'list' | 'days' | 'tiers';

export interface SettingField {
  /** The path inside the file, dot-separated (`quotas.moments`). */
  key: string;
  kind: FieldKind;
  label: string;
  hint: string;
}

export interface SettingsFile {
  kind: SettingsKind;
  file: string;
  title: string;
  fields: SettingField[];
  load: (file: string) => unknown;
}

export const SETTINGS_KINDS = ['sla', 'guide-daily', 'wakeup'] as const;
export type SettingsKind = (typeof SETTINGS_KINDS)[number];

export const SETTINGS: Record<SettingsKind, SettingsFile> = {
  sla: {
    kind: 'sla', file: 'sla.yaml', title: '响应时效（SLA）', load: loadSlaPlaybook,
    fields: [
      { key: 'serviceHours.default.hours', kind: 'text', label: '服务时间', hint: 'HH:MM-HH:MM，如 09:00-21:00（可写 24:00）' },
      { key: 'serviceHours.default.days', kind: 'days', label: '服务日', hint: 'every-day（每天）、workdays（法定工作日）或星期几 1,2,3,4,5' },
      { key: 'serviceHours.default.holidays', kind: 'text', label: '法定节假日', hint: 'closed（停表）、open（照常）或时间如 10:00-18:00' },
      { key: 'target', kind: 'text', label: '响应目标', hint: '服务时间内的时长：5m、90s、1h' },
      { key: 'tiers', kind: 'tiers', label: '升级提醒（每行一级）', hint: '每行：时长 对象，如 15m store-manager；对象：owner-guide、store-manager、admins、hq' },
    ],
  },
  'guide-daily': {
    kind: 'guide-daily', file: 'guide-daily.yaml', title: '导购 3+3+3', load: loadGuidePlaybook,
    fields: [
      { key: 'quotas.moments', kind: 'int', label: '朋友圈条数', hint: '0–20 的整数，0 为关闭' },
      { key: 'quotas.chats', kind: 'int', label: '私聊人数', hint: '0–20 的整数，0 为关闭' },
      { key: 'quotas.groups', kind: 'int', label: '社群条数', hint: '0–20 的整数，0 为关闭' },
      { key: 'times.card', kind: 'text', label: '任务卡时间', hint: 'HH:MM' },
      { key: 'times.nudge', kind: 'text', label: '提醒时间', hint: 'HH:MM，晚于任务卡' },
      { key: 'times.summary', kind: 'text', label: '店长汇总时间', hint: 'HH:MM，晚于提醒' },
      { key: 'times.cardsBy', kind: 'text', label: '任务卡最晚发出', hint: 'HH:MM，不早于任务卡' },
    ],
  },
  wakeup: {
    kind: 'wakeup', file: 'wakeup.yaml', title: '沉睡唤醒', load: loadWakeupPlaybook,
    fields: [
      { key: 'budget.perAccountPerDay', kind: 'int', label: '每个账号每天唤醒条数', hint: '整数' },
      { key: 'budget.perGuidePerDay', kind: 'int', label: '每位导购每天唤醒建议数', hint: '整数' },
      { key: 'windows', kind: 'list', label: '发送时段', hint: 'HH:MM-HH:MM，多个用逗号分隔，不可重叠；每个时段开始时挑选。改时间一分钟内生效；增加或删除时段需重启机器人' },
    ],
  },
};

/** One file's editable values as form text. */
export interface SettingsView {
  kind: SettingsKind;
  file: string;
  title: string;
  fields: (SettingField & { value: string })[];
}

export type SaveResult =
  | { ok: true; changed: string[]; notes: string[] }
  | { ok: false; status: 400; problems: PlaybookProblem[] };

const keyPath = (key: string) => key.split('.');

function formText(kind: FieldKind, v: unknown): string {
  if (v === undefined || v === null) return '';
  if (kind === 'tiers' && Array.isArray(v)) {
    return v.map((t: { after?: unknown; to?: unknown; name?: unknown }) => [t.after, t.to, t.name].filter((x) => x !== undefined && x !== null).join(' ')).join('\n');
  }
  if (Array.isArray(v)) return v.join(kind === 'days' ? ',' : ', ');
  return String(v);
}

/** The current values of one playbook's form fields. */
export function readSettings(sopDir: string, kind: SettingsKind): SettingsView {
  const s = SETTINGS[kind];
  const file = path.join(sopDir, s.file);
  const doc = parseDocument(readPlaybookText(file, `${kind} playbook`));
  const fields = s.fields.map((f) => {
    const node = doc.getIn(keyPath(f.key), true);
    const value = node && typeof node === 'object' && 'toJSON' in node ? (node as { toJSON(): unknown }).toJSON() : node;
    return { ...f, value: formText(f.kind, value) };
  });
  return { kind, file, title: s.title, fields };
}

type Value = string | number | Value[] | { [k: string]: Value };

/** The value a form field's text stands for. */
function valueOf(f: SettingField, text: string): Value {
  const v = text.trim();
  switch (f.kind) {
    case 'int':
      return /^-?\d+$/u.test(v) ? Number(v) : v;
    case 'text':
      return v;
    case 'list':
      return v.split(/[,，\s]+/u).filter(Boolean);
    case 'days':
      return /^[\d,，\s]+$/u.test(v) ? v.split(/[,，\s]+/u).filter(Boolean).map(Number) : v;
    case 'tiers':
      return v.split(/\r?\n/u).map((l) => l.trim()).filter(Boolean).map(tierOf);
  }
}

function tierOf(line: string): { [k: string]: Value } {
  const [after = '', to = '', ...name] = line.split(/\s+/u);
  return { after: /^\d+$/u.test(after) ? Number(after) : after, to, ...(name.length ? { name: name.join(' ') } : {}) };
}

const PLAIN = /^[A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff.\-+/]*$|^\d\d:\d\d(-\d\d:\d\d)?$|^\d+[smhd]$/u;

function scalarText(v: string | number, quoted: boolean): string {
  if (typeof v === 'number') return String(v);
  return !quoted && PLAIN.test(v) && !/^(true|false|null|yes|no|on|off)$/iu.test(v) ? v : JSON.stringify(v);
}

/** The new text of one field, written in the style of the node it replaces (quotes, flow list, block list). */
function render(node: unknown, v: Value, indent: string): string {
  if (Array.isArray(v) && v.some((x) => typeof x === 'object')) {
    return (v as { [k: string]: Value }[]).map((item) => Object.entries(item).map(([k, x], i) => `${i === 0 ? '- ' : `${indent}  `}${k}: ${scalarText(x as string | number, false)}`).join('\n')).join(`\n${indent}`);
  }
  if (Array.isArray(v)) {
    const quoted = isSeq(node) && node.items.some((i) => isScalar(i) && i.type === 'QUOTE_DOUBLE');
    return `[${(v as (string | number)[]).map((x) => scalarText(x, quoted)).join(', ')}]`;
  }
  return scalarText(v as string | number, isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE'));
}

/**
 * Changes the given fields of one playbook (others in the file untouched), validates the whole file
 * with the capability's own loader and replaces the file only when it passes.
 * @param values field key → form text; unknown keys are refused.
 * @returns the changed keys, or the problems (file, field, what is allowed) with nothing written.
 */
export function saveSettings(sopDir: string, kind: SettingsKind, values: Record<string, string>): SaveResult {
  const s = SETTINGS[kind];
  const file = path.join(sopDir, s.file);
  const unknown = Object.keys(values).filter((k) => !s.fields.some((f) => f.key === k));
  if (unknown.length) {
    return { ok: false, status: 400, problems: [{ file, path: unknown[0]!, message: `not a setting of this form; allowed: ${s.fields.map((f) => f.key).join(', ')}` }] };
  }
  const before = readPlaybookText(file, `${kind} playbook`);
  const doc = parseDocument(before);
  if (doc.errors.length) return { ok: false, status: 400, problems: [splitProblem(file, `${file}: the file is not valid YAML now; fix it by hand first (${doc.errors[0]!.message.split('\n')[0]})`)] };
  const current = readSettings(sopDir, kind);
  const changed: string[] = [];
  const edits: { from: number; to: number; text: string }[] = [];
  for (const f of s.fields) {
    const text = values[f.key];
    if (text === undefined) continue;
    if (text.trim() === current.fields.find((c) => c.key === f.key)!.value.trim()) continue;
    const node = doc.getIn(keyPath(f.key), true) as { range?: [number, number, number] } | undefined;
    if (!node?.range) {
      return { ok: false, status: 400, problems: [{ file, path: f.key, message: 'not in the file; add it by hand first' }] };
    }
    const [from, to] = node.range;
    const lineStart = before.lastIndexOf('\n', from - 1) + 1;
    const indent = ' '.repeat(from - lineStart);
    const trailing = /\s*$/u.exec(before.slice(from, to))![0];
    edits.push({ from, to, text: render(node, valueOf(f, text), indent) + trailing });
    changed.push(f.key);
  }
  if (!changed.length) return { ok: true, changed, notes: [] };
  // Only the edited values change: the rest of the file (comments, layout) stays byte for byte.
  let after = before;
  for (const e of edits.sort((a, b) => b.from - a.from)) after = after.slice(0, e.from) + e.text + after.slice(e.to);
  // Validated as a file beside the real one (the guide playbook's calendar path is relative to it).
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.saving`);
  writeFileSync(tmp, after);
  try {
    s.load(tmp);
  } catch (err) {
    rmSync(tmp, { force: true });
    return { ok: false, status: 400, problems: [splitProblem(file, errorMessage(err).split(tmp).join(file))] };
  }
  renameSync(tmp, file);
  const notes: string[] = [];
  const windows = (t: string) => (parseDocument(t).get('windows') as { items?: unknown[] } | undefined)?.items?.length ?? 0;
  if (kind === 'wakeup' && windows(before) !== windows(after)) notes.push('windows: 增加或删除了时段，新的挑选时间在机器人重启后生效（已有时段的时间改动一分钟内生效）');
  return { ok: true, changed, notes };
}
