import { renderPage, type PageOptions } from './layout.js';

/**
 * `/accounts`: every account of the registry (`/api/accounts`): login state, sends in the last
 * minute / hour / 24 hours against its caps, its queue and other outbox rows by status (re-routed and
 * unreachable when the outbox records them), reach counts and the last error. Tokens are never shown.
 */
export function accountsPage(o: PageOptions): string {
  return renderPage(
    o,
    '/accounts',
    `
  <section class="cards">
    <div class="card"><div class="label">账号</div><div class="value" id="total">—</div></div>
    <div class="card"><div class="label">在线</div><div class="value ok" id="online">—</div></div>
    <div class="card"><div class="label">离线</div><div class="value bad" id="offline">—</div></div>
    <div class="card"><div class="label">已停用</div><div class="value" id="disabled">—</div></div>
    <div class="card"><div class="label">排队中</div><div class="value" id="queued">—</div></div>
  </section>
  <section class="panel"><h2>各账号可触达（好友 / 群）</h2><div class="chart" id="chart-account-reach"></div></section>
  <section class="panel"><h2>各账号发送（最近 1 小时 / 每小时上限）</h2><div class="chart" id="chart-account-sends"></div></section>
  <section class="panel wide"><h2>账号明细</h2>
    <p id="registry" class="note"></p>
    <table id="accounts"><thead><tr><th>账号</th><th>角色 / 门店</th><th>状态</th><th>本分钟</th><th>本小时</th><th>24 小时</th><th>排队</th><th>其他状态</th><th>好友 / 群</th><th>最近错误</th></tr></thead><tbody></tbody></table>
    <p class="note">发送数按滑动窗口计（最近 1 分钟 / 1 小时 / 24 小时），“/” 后为该账号的上限（0 或 — 表示不限）。账号在 sop/accounts.yaml 中增加、修改或停用，保存后几秒内生效，无需重启。</p></section>`,
    `
const STATE = { online: '<span class="ok">在线</span>', offline: '<span class="bad">离线</span>', disabled: '<span class="note">已停用</span>' };
const ROLE = { store: '门店', hq: '总部', guide: '导购' };
const cap = (n, c) => n + ' / ' + (c > 0 ? c : '—');
async function load() {
  const r = await api('/api/accounts'); TZ = r.timezone;
  const a = r.accounts;
  const count = (s) => a.filter((x) => x.state === s).length;
  document.getElementById('total').textContent = a.length;
  document.getElementById('online').textContent = count('online');
  document.getElementById('offline').textContent = count('offline');
  document.getElementById('disabled').textContent = count('disabled');
  document.getElementById('queued').textContent = a.reduce((n, x) => n + (x.outbox.queued || 0), 0);
  document.getElementById('registry').innerHTML = (r.registry.fromEnv ? '账号来自环境变量（没有 ' + esc(r.registry.file) + '）' : '账号登记：' + esc(r.registry.file))
    + (r.registry.error ? '<br><span class="bad">最近一次修改未生效（仍用上一个正确版本）：' + esc(r.registry.error) + '</span>' : '');
  const names = a.map((x) => x.name);
  chart('chart-account-reach').setOption({
    tooltip: { trigger: 'axis' }, legend: { top: 0, data: ['好友', '群'] }, grid: { left: 110, right: 24, top: 36, bottom: 30 },
    yAxis: { type: 'category', data: names }, xAxis: { type: 'value', minInterval: 1 },
    series: [{ name: '好友', type: 'bar', barMaxWidth: 18, data: a.map((x) => x.reach.contacts) }, { name: '群', type: 'bar', barMaxWidth: 18, data: a.map((x) => x.reach.rooms) }],
  }, true);
  chart('chart-account-sends').setOption({
    tooltip: { trigger: 'axis' }, legend: { top: 0, data: ['最近 1 小时', '每小时上限', '排队'] }, grid: { left: 110, right: 24, top: 36, bottom: 30 },
    yAxis: { type: 'category', data: names }, xAxis: { type: 'value', minInterval: 1 },
    series: [{ name: '最近 1 小时', type: 'bar', barMaxWidth: 18, data: a.map((x) => x.sent.hour) }, { name: '每小时上限', type: 'bar', barMaxWidth: 18, data: a.map((x) => x.caps.hour) },
             { name: '排队', type: 'bar', barMaxWidth: 18, data: a.map((x) => x.outbox.queued || 0) }],
  }, true);
  document.querySelector('#accounts tbody').innerHTML = a.map((x) => {
    const other = Object.entries(x.outbox).filter(([s, n]) => s !== 'queued' && n > 0).map(([s, n]) => esc(s) + ' ' + n).join('，') || '—';
    return '<tr><td>' + esc(x.name) + '<br><span class="note">' + esc(x.id) + (x.selfId ? ' · ' + esc(x.selfId) : '') + '</span></td><td>' + esc(ROLE[x.role] || x.role) + (x.stores.length ? ' · ' + esc(x.stores.join(', ')) : '') +
      '</td><td>' + (STATE[x.state] || esc(x.state)) + (x.since ? '<br><span class="note">' + esc(x.since) + ' 起</span>' : '') + '</td><td>' + cap(x.sent.minute, x.caps.minute) + '</td><td>' + cap(x.sent.hour, x.caps.hour) +
      '</td><td>' + cap(x.sent.day, x.caps.day) + '</td><td>' + (x.outbox.queued || 0) + '</td><td>' + other + '</td><td>' + x.reach.contacts + ' / ' + x.reach.rooms + '</td><td>' + esc(x.lastError || '—') + '</td></tr>';
  }).join('') || '<tr><td colspan="10">没有账号</td></tr>';
}`,
    15,
  );
}
