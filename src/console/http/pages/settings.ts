import { renderPage, type PageOptions } from './layout.js';

/**
 * `/settings`: the playbook settings operators change most, in forms — SLA service hours, target and
 * tiers; 3+3+3 quotas and times; wake-up budget and windows. A save is checked by the same validator
 * the bot uses at load; a refused one shows the problem under the field and changes nothing. Quiet
 * hours and the marketing cap come from the environment and are shown read-only.
 */
export function settingsPage(o: PageOptions): string {
  return renderPage(o, '/settings', `
  <section class="panel wide"><h2>运营设置</h2>
    <p class="note">保存前用与机器人加载时相同的规则检查整份文件；有问题时在对应字段下显示，文件不做任何改动。保存后运行中的机器人一分钟内自动生效（含任务卡、唤醒时段等定时），无需重启。每次保存都以你的名字记入审计。</p>
  </section>
  <div id="forms" style="display: contents"></div>
  <section class="panel" id="env"><h2>免打扰与营销上限（环境变量）</h2><div id="env-body" class="note">加载中…</div></section>
  <style>
    form.settings label { display: block; margin: 8px 0 2px; font-size: 13px; }
    form.settings input, form.settings textarea { width: 100%; box-sizing: border-box; padding: 5px; font-size: 14px; }
    form.settings .hint { color: #8492a6; font-size: 12px; }
    form.settings .field-error { color: #e64340; font-size: 12px; }
    form.settings .result { margin-top: 8px; font-size: 13px; }
  </style>`, `
let LOADED = false;
function fieldHtml(kind, f) {
  const id = kind + '__' + f.key;
  const input = f.kind === 'tiers'
    ? '<textarea rows="4" name="' + esc(f.key) + '" id="' + esc(id) + '">' + esc(f.value) + '</textarea>'
    : '<input name="' + esc(f.key) + '" id="' + esc(id) + '" value="' + esc(f.value) + '"' + (f.kind === 'int' ? ' inputmode="numeric"' : '') + '>';
  return '<label for="' + esc(id) + '">' + esc(f.label) + ' <code class="note">' + esc(f.key) + '</code></label>' + input
    + '<div class="hint">' + esc(f.hint) + '</div><div class="field-error" data-error-for="' + esc(f.key) + '"></div>';
}
function formHtml(file) {
  return '<section class="panel"><h2>' + esc(file.title) + ' <span class="note">' + esc(file.file.split('/').pop()) + '</span></h2>'
    + '<form class="settings" data-kind="' + esc(file.kind) + '">' + file.fields.map((f) => fieldHtml(file.kind, f)).join('')
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
    result.textContent = (body.changed.length ? '已保存：' + body.changed.join('、') + '（一分钟内生效）' : '没有改动') + (body.notes.length ? '。' + body.notes.join('；') : '');
    result.className = 'result ok'; result.dataset.state = 'saved';
    for (const f of body.file.fields) { const el = form.querySelector('[name="' + f.key + '"]'); if (el) el.value = f.value; }
    return;
  }
  const field = body.field || '(other)';
  const key = [...form.querySelectorAll('[data-error-for]')].map((e) => e.dataset.errorFor).find((k) => field === k || field.startsWith(k + '.') || field.startsWith(k + '['));
  const target = form.querySelector('[data-error-for="' + (key || '(other)') + '"]');
  target.textContent = '未保存：' + (body.error || ('HTTP ' + res.status));
  result.textContent = '未保存，文件未改动'; result.className = 'result bad'; result.dataset.state = 'refused';
}
async function load() {
  if (LOADED) return;
  const j = await api('/api/settings');
  document.getElementById('forms').innerHTML = j.files.map(formHtml).join('');
  for (const form of document.querySelectorAll('form.settings')) form.addEventListener('submit', (e) => { e.preventDefault(); save(form); });
  document.getElementById('env-body').innerHTML = j.env
    ? '<table><tr><td>免打扰时段（QUIET_HOURS）</td><td id="env-quiet">' + esc(j.env.quietHours) + '</td></tr><tr><td>每位会员每天营销消息上限（MARKETING_CAP_PER_DAY）</td><td id="env-cap">' + esc(j.env.marketingCapPerDay) + '</td></tr></table>'
      + '<p class="note">这两项在机器人的环境变量（.env 文件）中设置，启动时读取；修改后需重启机器人才生效。</p>'
    : '<p class="note">免打扰时段（QUIET_HOURS）和营销上限（MARKETING_CAP_PER_DAY）在机器人的环境变量（.env 文件）中设置，修改后需重启。</p>';
  LOADED = true;
}`, 86_400);
}
