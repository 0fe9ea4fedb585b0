import { renderPage, type PageOptions } from './layout.js';

/** `/sla`: first-response p50/p90 trend, timeouts, and the backlog list. */
export function slaPage(o: PageOptions): string {
  return renderPage(
    o,
    '/sla',
    `
  <section class="cards">
    <div class="card"><div class="label">近 30 天问题</div><div class="value" id="questions">—</div></div>
    <div class="card"><div class="label">首次响应率</div><div class="value" id="frr">—</div></div>
    <div class="card"><div class="label">p50 / p90（业务分钟）</div><div class="value" id="p">—</div></div>
    <div class="card"><div class="label">超时</div><div class="value" id="timeouts">—</div></div>
    <div class="card"><div class="label">无人接收提醒</div><div class="value" id="unrouted">—</div></div>
    <div class="card"><div class="label">等待回复 / 积压</div><div class="value" id="open">—</div></div>
  </section>
  <section class="panel wide"><h2>首次响应时间 p50 / p90（业务时间，分钟）与超时（近 30 天）</h2><div class="chart" id="chart-sla"></div></section>
  <section class="panel"><h2>首次响应（按门店）</h2><div class="chart" id="chart-sla-stores"></div></section>
  <section class="panel"><h2>等待回复</h2><table id="waiting"><thead><tr><th>#</th><th>提问时间</th><th>会员</th><th>位置</th><th>已等待（业务时间）</th><th>内容</th></tr></thead><tbody></tbody></table></section>
  <section class="panel wide"><h2>积压（超过积压阈值仍未回复）</h2><table id="backlog"><thead><tr><th>#</th><th>提问时间</th><th>会员</th><th>位置</th><th>门店</th><th>导购</th><th>已等待（业务时间）</th><th>内容</th></tr></thead><tbody></tbody></table></section>`,
    `
function mins(ms) { const m = Math.round(ms / 60000); return m < 60 ? m + ' 分钟' : Math.floor(m / 60) + ' 小时 ' + (m % 60) + ' 分'; }
function row(q, full) {
  return '<tr><td>' + q.id + '</td><td>' + time(q.openedAt) + '</td><td>' + esc(q.memberName || q.memberId) + '</td><td>' + esc(q.roomId ? (q.conversationName || q.roomId) : '私聊') +
    (full ? '</td><td>' + esc(q.storeCode) + '</td><td>' + esc(q.guideCode) : '') + '</td><td>' + mins(q.waitedBusinessMs) + '</td><td>' + esc(q.preview) + '</td></tr>';
}
async function load() {
  const [sla, w] = await Promise.all([api('/api/reports/sla'), api('/api/sla/waiting')]);
  TZ = sla.timezone;
  const t = sla.total;
  document.getElementById('questions').textContent = t.questions;
  document.getElementById('frr').textContent = pct(t.firstResponseRate);
  document.getElementById('p').textContent = (t.p50BusinessMinutes ?? '—') + ' / ' + (t.p90BusinessMinutes ?? '—');
  document.getElementById('timeouts').textContent = t.timeouts;
  document.getElementById('unrouted').textContent = t.unrouted ?? 0;
  document.getElementById('open').textContent = w.open.length + ' / ' + w.backlog.length;
  const days = dayRange(sla.from, sla.to);
  const byDay = new Map(sla.by.day.map((x) => [x.key, x]));
  const at = (d, k) => (byDay.get(d) || {})[k] ?? null;
  chart('chart-sla').setOption({
    tooltip: { trigger: 'axis' }, legend: { top: 0, data: ['p50', 'p90', '超时'] }, grid: { left: 40, right: 40, top: 36, bottom: 30 },
    xAxis: { type: 'category', data: days.map((d) => d.slice(5)) }, yAxis: [{ type: 'value', name: '分钟' }, { type: 'value', name: '超时', minInterval: 1 }],
    series: [{ name: 'p50', type: 'line', connectNulls: true, symbolSize: 7, data: days.map((d) => at(d, 'p50BusinessMinutes')) },
             { name: 'p90', type: 'line', connectNulls: true, symbolSize: 7, data: days.map((d) => at(d, 'p90BusinessMinutes')) },
             { name: '超时', type: 'bar', barMaxWidth: 16, yAxisIndex: 1, data: days.map((d) => at(d, 'timeouts') ?? 0) }],
  }, true);
  const st = sla.by.store;
  chart('chart-sla-stores').setOption({
    tooltip: { trigger: 'axis' }, legend: { top: 0, data: ['已回复', '未回复'] }, grid: { left: 80, right: 16, top: 36, bottom: 30 },
    yAxis: { type: 'category', data: st.map((x) => x.label) }, xAxis: { type: 'value', minInterval: 1 },
    series: [{ name: '已回复', type: 'bar', stack: 'q', barMaxWidth: 40, data: st.map((x) => x.answered) }, { name: '未回复', type: 'bar', stack: 'q', data: st.map((x) => x.questions - x.answered) }],
  }, true);
  document.querySelector('#waiting tbody').innerHTML = w.open.slice(0, 30).map((q) => row(q, false)).join('') || '<tr><td colspan="6">没有等待回复的问题</td></tr>';
  document.querySelector('#backlog tbody').innerHTML = w.backlog.map((q) => row(q, true)).join('') || '<tr><td colspan="8">没有积压</td></tr>';
}`,
  );
}
