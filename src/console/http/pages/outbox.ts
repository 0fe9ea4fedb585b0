import { renderPage, type PageOptions } from './layout.js';

/** `/outbox`: outbox rows by status with why each was skipped, failed sends to retry, queue depths; bull-board at /queues. */
export function outboxPage(o: PageOptions): string {
  return renderPage(
    o,
    '/outbox',
    `
  <section class="panel"><h2>发送状态（按用途）</h2><div class="chart" id="chart-outbox-status"></div></section>
  <section class="panel"><h2>队列深度（BullMQ）</h2><div class="chart" id="chart-queues"></div>
    <p class="note">逐个任务查看、重试：<a href="/queues" target="_blank">队列检查器 bull-board（/queues）</a>。</p></section>
  <section class="panel"><h2>跳过原因</h2><div class="chart" id="chart-skips"></div></section>
  <section class="panel"><h2>发送失败（可重试）</h2><table id="failures"><thead><tr><th>#</th><th>对象</th><th>用途</th><th>原因</th><th></th></tr></thead><tbody></tbody></table></section>
  <section class="panel wide"><h2>最近的消息
    <select id="status" onchange="firstPage()"><option value="">全部状态</option>${['queued', 'sending', 'sent', 'failed', 'skipped', 'expired', 'unknown', 'unreachable'].map((s) => `<option value="${s}">${s}</option>`).join('')}</select>
    <select id="purpose" onchange="firstPage()"><option value="">全部用途</option>${['reply', 'alert', 'staff-prompt', 'service', 'care', 'campaign', 'wake-up'].map((s) => `<option value="${s}">${s}</option>`).join('')}</select></h2>
    <table id="rows"><thead><tr><th>#</th><th>创建</th><th>发给</th><th>用途</th><th>状态</th><th>为什么</th><th>消息</th></tr></thead><tbody></tbody></table>
    <p><button type="button" class="grey" id="newer" onclick="newer()">← 较新</button> <span id="page-info" class="note"></span> <button type="button" class="grey" id="older" onclick="older()">较早 →</button></p></section>`,
    `
// Pages by message number: PAGES_BEFORE holds the \`before\` of each page shown so far (undefined: the newest).
let PAGES_BEFORE = [undefined]; let NEXT = null;
function firstPage() { PAGES_BEFORE = [undefined]; run(load); }
function older() { if (NEXT !== null) { PAGES_BEFORE.push(NEXT); run(load); } }
function newer() { if (PAGES_BEFORE.length > 1) { PAGES_BEFORE.pop(); run(load); } }

async function retry(id) {
  try { await api('/api/outbox/' + id + '/retry', { method: 'POST' }); } catch (err) { alert(err.message); }
  await run(load);
}
async function load() {
  const status = document.getElementById('status').value; const purpose = document.getElementById('purpose').value;
  const before = PAGES_BEFORE[PAGES_BEFORE.length - 1];
  const [o, list, failed, skips] = await Promise.all([api('/api/overview'), api('/api/outbox?limit=100' + (status ? '&status=' + status : '') + (purpose ? '&purpose=' + purpose : '') + (before ? '&before=' + before : '')),
    api('/api/outbox?status=failed&limit=20'), api('/api/outbox/skips')]);
  TZ = o.timezone;
  const purposes = [...new Set(o.outboxByPurpose.map((r) => r.purpose))];
  const statuses = [...new Set(o.outboxByPurpose.map((r) => r.status))];
  chart('chart-outbox-status').setOption({
    tooltip: { trigger: 'axis' }, legend: { top: 0, data: statuses.map((s) => STATUS[s] || s) }, grid: { left: 70, right: 16, top: 36, bottom: 30 },
    yAxis: { type: 'category', data: purposes.map((p) => PURPOSE[p] || p) }, xAxis: { type: 'value', minInterval: 1 },
    series: statuses.map((s) => ({ name: STATUS[s] || s, type: 'bar', stack: 'o',
      data: purposes.map((p) => (o.outboxByPurpose.find((r) => r.purpose === p && r.status === s) || { n: 0 }).n) })),
  }, true);
  const q = o.health.queues || {};
  const names = Object.keys(q);
  const states = ['waiting', 'prioritized', 'delayed', 'active', 'failed'];
  const SN = { waiting: '等待', prioritized: '按优先级等待', delayed: '延时', active: '处理中', failed: '失败' };
  chart('chart-queues').setOption({
    tooltip: { trigger: 'axis' }, legend: { top: 0, data: states.map((s) => SN[s]) }, grid: { left: 110, right: 16, top: 36, bottom: 30 },
    yAxis: { type: 'category', data: names }, xAxis: { type: 'value', minInterval: 1 },
    series: states.map((s) => ({ name: SN[s], type: 'bar', stack: 'q', data: names.map((n) => q[n][s] || 0) })),
  }, true);
  chart('chart-skips').setOption({
    tooltip: { trigger: 'item' },
    series: [{ name: '跳过原因', type: 'pie', radius: ['35%', '65%'], data: skips.reasons.map((r) => ({ name: r.why, value: r.n })) }],
  }, true);
  document.querySelector('#failures tbody').innerHTML = failed.rows.map((r) =>
    '<tr><td>' + r.id + '</td><td>' + esc(r.targetName) + '</td><td>' + esc(PURPOSE[r.purpose] || r.purpose) + '</td><td>' + esc(r.reason) +
    '</td><td><button onclick="retry(' + r.id + ')">重试</button></td></tr>').join('') || '<tr><td colspan="5">没有失败的消息</td></tr>';
  NEXT = list.next;
  document.querySelector('#rows tbody').innerHTML = list.rows.map((r) => '<tr data-id="' + r.id + '"><td>' + r.id + '</td><td>' + time(r.createdAt) + '</td><td class="to" title="' + esc(r.targetId) + '">' + esc(r.targetName) +
    '</td><td>' + esc(PURPOSE[r.purpose] || r.purpose) + '</td><td>' + '<span class="state">' + esc(r.state && r.state !== r.status ? r.state : (STATUS[r.status] || r.status)) + '</span></td><td>' + esc(r.why) + '</td><td class="text">' + esc(r.text.length > 80 ? r.text.slice(0, 80) + '…' : r.text) + '</td></tr>').join('')
    || '<tr><td colspan="7">没有消息</td></tr>';
  document.getElementById('page-info').textContent = list.rows.length ? '第 ' + PAGES_BEFORE.length + ' 页：#' + list.rows[0].id + ' – #' + list.rows[list.rows.length - 1].id : '';
  document.getElementById('older').disabled = NEXT === null; document.getElementById('newer').disabled = PAGES_BEFORE.length === 1;
}`,
    15,
  );
}
