/**
 * The playbook settings operators change most, edited in a form (`/settings`): SLA service hours
 * (default and per store), target and tiers (`sla.yaml`), 3+3+3 quotas and times
 * (`guide-daily.yaml`), wake-up budget and windows (`wakeup.yaml`), marketing quiet hours and the
 * per-member cap (`sending.yaml`). A save changes only those fields in the file (comments and the
 * rest kept), validates the whole result with the capability's own loader, and only then replaces
 * the file (temp file + rename). A refused save leaves the file as it was; the running bot picks up a
 * saved file by itself (schedules included), so no restart is needed.
 */
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { errorMessage } from '../core/errors.js';
import { readPlaybookText } from '../core/playbook-file.js';
import { loadGuidePlaybook } from '../guide-sop/index.js';
import { loadSlaPlaybook } from '../sla/index.js';
import { loadWakeupPlaybook } from '../wakeup/index.js';
import { loadSendingPlaybook } from '../outbox/index.js';
import { SOP_ROOT, splitProblem, type PlaybookProblem } from './playbooks.js';

/**
 * How a form value (always text) becomes YAML: `int` a whole number when it looks like one, `text` as
 * is, `list` comma-separated strings, `days` every-day / workdays / 1,2,3, `tiers` one `after to [name]`
 * per line, `stores` one `CODE [hours] [days] [holidays]` per line (see {@link storeHoursOf}).
 */
export type FieldKind = 'int' | 'text' | 'list' | 'days' | 'tiers' | 'stores';

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
  /** The file may be missing (its settings then come from elsewhere): a save starts from the shipped one. */
  optional?: boolean;
  /** Applied at once by the running bot (`now`), or within a minute. */
  effective: 'now' | 'within a minute';
}

export const SETTINGS_KINDS = ['sla', 'guide-daily', 'wakeup', 'sending'] as const;
export type SettingsKind = (typeof SETTINGS_KINDS)[number];

export const SETTINGS: Record<SettingsKind, SettingsFile> = {
  sla: {
    kind: 'sla',
    file: 'sla.yaml',
    title: '响应时效（SLA）',
    load: loadSlaPlaybook,
    effective: 'within a minute',
    fields: [
      { key: 'serviceHours.default.hours', kind: 'text', label: '服务时间', hint: 'HH:MM-HH:MM，如 09:00-21:00（可写 24:00）' },
      { key: 'serviceHours.default.days', kind: 'days', label: '服务日', hint: 'every-day（每天）、workdays（法定工作日）或星期几 1,2,3,4,5' },
      { key: 'serviceHours.default.holidays', kind: 'text', label: '法定节假日', hint: 'closed（停表）、open（照常）或时间如 10:00-18:00' },
      {
        key: 'serviceHours.stores',
        kind: 'stores',
        label: '门店服务时间（每行一家，未写的项用上面的默认值）',
        hint: '每行：门店代码 [服务时间] [服务日] [节假日]，如 SH02 10:00-22:00 或 HZ01 09:00-18:00 workdays closed；节假日另设时间写 holidays=10:00-18:00；删掉一行即恢复默认',
      },
      { key: 'target', kind: 'text', label: '响应目标', hint: '服务时间内的时长：5m、90s、1h' },
      { key: 'tiers', kind: 'tiers', label: '升级提醒（每行一级）', hint: '每行：时长 对象，如 15m store-manager；对象：owner-guide、store-manager、admins、hq' },
    ],
  },
  'guide-daily': {
    kind: 'guide-daily',
    file: 'guide-daily.yaml',
    title: '导购 3+3+3',
    load: loadGuidePlaybook,
    effective: 'within a minute',
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
    kind: 'wakeup',
    file: 'wakeup.yaml',
    title: '沉睡唤醒',
    load: loadWakeupPlaybook,
    effective: 'within a minute',
    fields: [
      { key: 'budget.perAccountPerDay', kind: 'int', label: '每个账号每天唤醒条数', hint: '整数' },
      { key: 'budget.perGuidePerDay', kind: 'int', label: '每位导购每天唤醒建议数', hint: '整数' },
      { key: 'windows', kind: 'list', label: '发送时段', hint: 'HH:MM-HH:MM，多个用逗号分隔，不可重叠；每个时段开始时挑选。改时间一分钟内生效；增加或删除时段需重启机器人' },
    ],
  },
  sending: {
    kind: 'sending',
    file: 'sending.yaml',
    title: '免打扰与营销上限',
    load: loadSendingPlaybook,
    optional: true,
    effective: 'now',
    fields: [
      {
        key: 'quietHours',
        kind: 'text',
        label: '免打扰时段',
        hint: 'HH:MM-HH:MM（本地时间），如 21:30-08:30；00:00-00:00 为不设免打扰。此时段内的营销消息（关怀、群发、唤醒）推迟到时段结束，不丢弃。留空则用环境变量 QUIET_HOURS',
      },
      { key: 'marketingCapPerDay', kind: 'int', label: '每位会员每天营销消息上限', hint: '0–1000 的整数，超出的当天不再发送并注明原因。留空则用环境变量 MARKETING_CAP_PER_DAY' },
    ],
  },
};

/**
 * One file's editable values as form text. A field the file leaves empty shows its default (the
 * environment's value, for quiet hours and the cap) with `from: 'default'`.
 */
export interface SettingsView {
  kind: SettingsKind;
  file: string;
  title: string;
  effective: 'now' | 'within a minute';
  fields: (SettingField & { value: string; from?: 'file' | 'default' })[];
}

export type SaveResult = { ok: true; changed: string[]; notes: string[] } | { ok: false; status: 400; problems: PlaybookProblem[] };

const keyPath = (key: string) => key.split('.');

function formText(kind: FieldKind, v: unknown): string {
  if (v === undefined || v === null) return '';
  if (kind === 'tiers' && Array.isArray(v)) {
    return v.map((t: { after?: unknown; to?: unknown; name?: unknown }) => [t.after, t.to, t.name].filter((x) => x !== undefined && x !== null).join(' ')).join('\n');
  }
  if (kind === 'stores' && typeof v === 'object') return storeHoursText(v as Record<string, StoreHours | null>);
  if (Array.isArray(v)) return v.join(kind === 'days' ? ',' : ', ');
  return String(v);
}

/** A store's own service hours as the playbook holds them (any field left out comes from the default). */
type StoreHours = { hours?: string; days?: string | number[]; holidays?: string };

const WINDOW = /^\d{1,2}:\d\d-\d{1,2}:\d\d$/u;

/** Per-store hours as form text: one `CODE hours days holidays` line per store, in the file's order. */
function storeHoursText(stores: Record<string, StoreHours | null>): string {
  return Object.entries(stores)
    .map(([code, h]) =>
      [code, h?.hours, Array.isArray(h?.days) ? h.days.join(',') : h?.days, h?.holidays !== undefined && WINDOW.test(String(h.holidays)) ? `holidays=${h.holidays}` : h?.holidays]
        .filter((x) => x !== undefined && x !== null && x !== '')
        .join(' '),
    )
    .join('\n');
}

/** A form value that cannot become YAML (shown under the field, nothing written). */
class FormValueError extends Error {}

/**
 * Per-store hours from form text: one store per line, `CODE` then, in any order, a window
 * (`10:00-22:00`, the hours; a second window is the holidays'), the days (`every-day`, `workdays`,
 * `1,2,3,4,5`) and holidays (`open`, `closed`); `hours=`, `days=`, `holidays=` say which outright.
 * Anything else is kept for the playbook's validator to refuse with what is allowed.
 * @example storeHoursOf('SH02 10:00-22:00\nHZ01 workdays closed') // { SH02: { hours: '10:00-22:00' }, HZ01: { days: 'workdays', holidays: 'closed' } }
 */
export function storeHoursOf(text: string): Record<string, StoreHours> {
  const out = new Map<string, StoreHours>();
  for (const line of text
    .split(/\r?\n/u)
    .map((l) => l.trim())
    .filter(Boolean)) {
    const [code = '', ...tokens] = line.split(/\s+/u);
    if (out.has(code)) throw new FormValueError(`store ${code} is on two lines; give each store one line`);
    const h: StoreHours = {};
    for (const token of tokens) {
      const [, named, value = token] = /^(hours|days|holidays)=(.*)$/u.exec(token) ?? [];
      const days = (t: string) => (/^\d(,\d)*$/u.test(t) ? t.split(',').map(Number) : t);
      if (named === 'days' || (!named && /^(every-day|workdays|\d(,\d)*)$/u.test(value))) h.days = days(value);
      else if (named === 'holidays' || (!named && /^(open|closed)$/u.test(value))) h.holidays = value;
      else if (named === 'hours' || h.hours === undefined) h.hours = value;
      else if (WINDOW.test(value) && h.holidays === undefined) h.holidays = value;
      else throw new FormValueError(`store ${code}: "${value}" is not hours, days or holidays; write e.g. ${code} 10:00-22:00 workdays closed`);
    }
    out.set(code, h);
  }
  return Object.fromEntries(out);
}

/** The text of a playbook that may be missing: the shipped one stands in for it. */
function playbookText(file: string, s: SettingsFile): string {
  if (s.optional && !existsSync(file)) return readPlaybookText(path.join(SOP_ROOT, s.file), `${s.kind} playbook`);
  return readPlaybookText(file, `${s.kind} playbook`);
}

/**
 * The current values of one playbook's form fields.
 * @param defaults what an empty field means (field key → text), shown in its place.
 */
export function readSettings(sopDir: string, kind: SettingsKind, defaults: Record<string, string> = {}): SettingsView {
  const s = SETTINGS[kind];
  const file = path.join(sopDir, s.file);
  const doc = parseDocument(playbookText(file, s));
  const fields = s.fields.map((f) => {
    const node = doc.getIn(keyPath(f.key), true);
    const value = node && typeof node === 'object' && 'toJSON' in node ? (node as { toJSON(): unknown }).toJSON() : node;
    const text = formText(f.kind, value);
    const fallback = defaults[f.key];
    return fallback === undefined
      ? { ...f, value: text }
      : { ...f, value: text.trim() === '' ? fallback : text, from: text.trim() === '' ? ('default' as const) : ('file' as const) };
  });
  return { kind, file, title: s.title, effective: s.effective, fields };
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
      return /^[\d,，\s]+$/u.test(v)
        ? v
            .split(/[,，\s]+/u)
            .filter(Boolean)
            .map(Number)
        : v;
    case 'tiers':
      return v
        .split(/\r?\n/u)
        .map((l) => l.trim())
        .filter(Boolean)
        .map(tierOf);
    case 'stores':
      return storeHoursOf(v) as { [k: string]: Value };
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

/** A map's value on one line, in flow style: `{ hours: "10:00-22:00", days: [1, 2, 3] }`. */
function flowText(v: Value): string {
  if (Array.isArray(v)) return `[${v.map(flowText).join(', ')}]`;
  if (typeof v === 'object')
    return Object.keys(v).length
      ? `{ ${Object.entries(v)
          .map(([k, x]) => `${scalarText(k, false)}: ${flowText(x)}`)
          .join(', ')} }`
      : '{}';
  return scalarText(v, typeof v === 'string' && WINDOW.test(v));
}

/**
 * The new text of one field, written in the style of the node it replaces (quotes, flow list, block
 * list). A map (per-store hours) is written one entry per line, each entry's value in flow style.
 * @param keyIndent the indentation of the line the field's key is on.
 */
function render(node: unknown, v: Value, indent: string, keyIndent: string): string {
  if (!Array.isArray(v) && typeof v === 'object') {
    const entries = Object.entries(v).map(([k, x]) => `${scalarText(k, false)}: ${flowText(x)}`);
    if (!entries.length) return '{}';
    // A block map is replaced from its first key on; a flow map (`{}`) or an empty value from after the key.
    return isMap(node) && !node.flow ? entries.join(`\n${indent}`) : `\n${entries.map((e) => `${keyIndent}  ${e}`).join('\n')}`;
  }
  if (Array.isArray(v) && v.some((x) => typeof x === 'object')) {
    return (v as { [k: string]: Value }[])
      .map((item) =>
        Object.entries(item)
          .map(([k, x], i) => `${i === 0 ? '- ' : `${indent}  `}${k}: ${scalarText(x as string | number, false)}`)
          .join('\n'),
      )
      .join(`\n${indent}`);
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
 * @param defaults what an empty field shows (as in {@link readSettings}): a value equal to it is no change.
 * @returns the changed keys, or the problems (file, field, what is allowed) with nothing written.
 */
export function saveSettings(sopDir: string, kind: SettingsKind, values: Record<string, string>, defaults: Record<string, string> = {}): SaveResult {
  const s = SETTINGS[kind];
  const file = path.join(sopDir, s.file);
  const unknown = Object.keys(values).filter((k) => !s.fields.some((f) => f.key === k));
  if (unknown.length) {
    return { ok: false, status: 400, problems: [{ file, path: unknown[0]!, message: `not a setting of this form; allowed: ${s.fields.map((f) => f.key).join(', ')}` }] };
  }
  const before = playbookText(file, s);
  const doc = parseDocument(before);
  if (doc.errors.length)
    return { ok: false, status: 400, problems: [splitProblem(file, `${file}: the file is not valid YAML now; fix it by hand first (${doc.errors[0]!.message.split('\n')[0]})`)] };
  const current = readSettings(sopDir, kind, defaults);
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
    const keyIndent = /^ */u.exec(before.slice(lineStart))![0];
    const trailing = /\s*$/u.exec(before.slice(from, to))![0];
    let value: Value;
    try {
      value = valueOf(f, text);
    } catch (err) {
      if (err instanceof FormValueError) return { ok: false, status: 400, problems: [{ file, path: f.key, message: err.message }] };
      throw err;
    }
    let start = from;
    let rendered = render(node, value, indent, keyIndent);
    // A map written on the lines below its key leaves no space after the colon; an emptied block map goes back on the key's line.
    if (rendered.startsWith('\n')) while (before[start - 1] === ' ') start--;
    if (rendered === '{}' && isMap(node) && !node.flow && /:[ \n]*$/u.test(before.slice(0, from))) {
      start = before.slice(0, from).replace(/[ \n]*$/u, '').length;
      rendered = ' {}';
    }
    edits.push({ from: start, to, text: rendered + trailing });
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
