import { renderPage, type PageOptions } from './layout.js';

/**
 * `/settings`: the playbook settings operators change most, in forms — SLA service hours (default and
 * per store), target and tiers; 3+3+3 quotas and times; wake-up budget and windows; marketing quiet
 * hours and the per-member cap. A save is checked by the same validator the bot uses at load; a
 * refused one shows the problem under the field and changes nothing. Quiet hours and the cap apply to
 * the next message; an empty one means the environment's value, shown in its place.
 */
export function settingsPage(o: PageOptions): string {
  return renderPage(
    o,
    '/settings',
    `
  <section class="panel wide"><h2>运营设置</h2>
    <p class="note">保存前用与机器人加载时相同的规则检查整份文件；有问题时在对应字段下显示，文件不做任何改动。保存后运行中的机器人自动生效，无需重启：免打扰时段和营销上限从下一条消息起，其余一分钟内（含任务卡、唤醒时段等定时）。每次保存都以你的名字记入审计。</p>
  </section>
  <div id="forms" style="display: contents"></div>
  <style>
    form.settings label { display: block; margin: 8px 0 2px; font-size: 13px; }
    form.settings input, form.settings textarea { width: 100%; box-sizing: border-box; padding: 5px; font-size: 14px; }
    form.settings .hint { color: #8492a6; font-size: 12px; }
    form.settings .field-error { color: #e64340; font-size: 12px; }
    form.settings .result { margin-top: 8px; font-size: 13px; }
  </style>`,
    `
let LOADED = false;
function fieldHtml(kind, f) {
  const id = kind + '__' + f.key;
  const input = f.kind === 'tiers' || f.kind === 'stores'
    ? '<textarea rows="4" name="' + esc(f.key) + '" id="' + esc(id) + '">' + esc(f.value) + '</textarea>'
    : '<input name="' + esc(f.key) + '" id="' + esc(id) + '" value="' + esc(f.value) + '"' + (f.kind === 'int' ? ' inputmode="numeric"' : '') + '>';
  const from = f.from === 'default' ? ' <span class="note" data-from="default">（未单独设置，当前为环境变量的值）</span>' : '';
  return '<label for="' + esc(id) + '">' + esc(f.label) + ' <code class="note">' + esc(f.key) + '</code>' + from + '</label>' + input
    + '<div class="hint">' + esc(f.hint) + '</div><div class="field-error" data-error-for="' + esc(f.key) + '"></div>';
}
function formHtml(file) {
  return '<section class="panel"><h2>' + esc(file.title) + ' <span class="note">' + esc(file.file.split('/').pop()) + '</span></h2>'
    + '<form class="settings" data-kind="' + esc(file.kind) + '" data-effective="' + esc(file.effective) + '">' + file.fields.map((f) => fieldHtml(file.kind, f)).join('')
    + '<div class="field-error" data-error-for="(other)"></div><p><button type="submit">保存</button></p><div class="result"></div></form></section>';
}
async function save(form) {
  const kind = form.dataset.kind;
  const values = {};
  for (const el of form.querySelectorAll('input[name], textarea[name]')) values[el.name] = el.value;
  form.querySelectorAll('.field-error').forEach((e) => { e.textContent = ''; });
  const result = form.querySelector('.result');
  result.textContent = '保存中…'; result.className = 'result'; delete result.dataset.state;
  const res = await fetch('/api/settings/' + kind, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(values) });
  const body = await res.json().catch(() => ({}));
  if (res.ok) {
    const when = form.dataset.effective === 'now' ? '（已生效，从下一条消息起）' : '（一分钟内生效）';
    // The form again as saved (values as the file now holds them, where each comes from).
    form.closest('section').outerHTML = formHtml(body.file);
    bind();
    const done = document.querySelector('form.settings[data-kind="' + kind + '"] .result');
    done.textContent = (body.changed.length ? '已保存：' + body.changed.join('、') + when : '没有改动') + (body.notes.length ? '。' + body.notes.join('；') : '');
    done.className = 'result ok'; done.dataset.state = 'saved';
    return;
  }
  const field = body.field || '(other)';
  const key = [...form.querySelectorAll('[data-error-for]')].map((e) => e.dataset.errorFor).find((k) => field === k || field.startsWith(k + '.') || field.startsWith(k + '['));
  const target = form.querySelector('[data-error-for="' + (key || '(other)') + '"]');
  target.textContent = '未保存：' + (body.error || ('HTTP ' + res.status));
  result.textContent = '未保存，文件未改动'; result.className = 'result bad'; result.dataset.state = 'refused';
}
function bind() {
  for (const form of document.querySelectorAll('form.settings:not([data-bound])')) {
    form.dataset.bound = 'true';
    form.addEventListener('submit', (e) => { e.preventDefault(); save(form); });
  }
}
async function load() {
  if (LOADED) return;
  const j = await api('/api/settings');
  document.getElementById('forms').innerHTML = j.files.map(formHtml).join('');
  bind();
  LOADED = true;
}`,
    86_400,
  );
}
