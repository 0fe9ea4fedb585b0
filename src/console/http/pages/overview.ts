import { renderPage, type PageOptions } from './layout.js';

/** `/`: login state, today's traffic, outbox by purpose and status, members, schedule runs. */
export function overviewPage(o: PageOptions): string {
  return renderPage(
    o,
    '/',
    `
  <section class="cards">
    <div class="card"><div class="label">微信账号</div><div class="value" id="login">—</div></div>
    <div class="card"><div class="label">24 小时消息</div><div class="value" id="inbound">—</div></div>
    <div class="card"><div class="label">待发送</div><div class="value" id="queued">—</div></div>
    <div class="card"><div class="label">已发送</div><div class="value" id="sent">—</div></div>
    <div class="card"><div class="label">发送失败</div><div class="value" id="failed">—</div></div>
    <div class="card"><div class="label">会员总数 / 已退订</div><div class="value" id="members">—</div></div>
  </section>
  <section class="panel"><h2>近 24 小时消息（群聊 / 私聊）</h2><div class="chart" id="chart-inbound"></div></section>
  <section class="panel"><h2>发送记录（按用途与状态）</h2><div class="chart" id="chart-outbox"></div></section>
  <section class="panel"><h2>会员等级分布</h2><div class="chart" id="chart-tiers"></div></section>
  <section class="panel"><h2>近 30 天新入会</h2><div class="chart" id="chart-joined"></div></section>
  <section class="panel wide"><h2>定时任务</h2><table id="runs"><thead><tr><th>任务</th><th>时间点</th><th>状态</th><th>说明</th></tr></thead><tbody></tbody></table></section>`,
    `
async function load() {
  const d = await api('/api/overview');
  TZ = d.timezone;
  const bot = d.health.bot || {};
  const login = document.getElementById('login');
  login.textContent = bot.loggedIn ? '在线' : '离线'; login.className = 'value ' + (bot.loggedIn ? 'ok' : 'bad');
  const counts = d.health.outbox || {};
  document.getElementById('inbound').textContent = d.inboundByHour.reduce((a, h) => a + h.group + h.private, 0);
  document.getElementById('queued').textContent = counts.queued || 0;
  document.getElementById('sent').textContent = counts.sent || 0;
  document.getElementById('failed').textContent = counts.failed || 0;
  document.getElementById('members').textContent = d.members.total + ' / ' + d.members.optedOut;
  chart('chart-inbound').setOption({
    tooltip: { trigger: 'axis' }, legend: { top: 0, data: ['群聊', '私聊'] }, grid: { left: 40, right: 16, top: 36, bottom: 30 },
    xAxis: { type: 'category', data: d.inboundByHour.map((h) => h.hour) }, yAxis: { type: 'value', minInterval: 1 },
    series: [{ name: '群聊', type: 'bar', stack: 'm', data: d.inboundByHour.map((h) => h.group) },
             { name: '私聊', type: 'bar', stack: 'm', data: d.inboundByHour.map((h) => h.private) }],
  });
  const purposes = [...new Set(d.outboxByPurpose.map((r) => r.purpose))];
  const statuses = [...new Set(d.outboxByPurpose.map((r) => r.status))];
  chart('chart-outbox').setOption({
    tooltip: { trigger: 'axis' }, legend: { top: 0, data: statuses.map((s) => STATUS[s] || s) }, grid: { left: 70, right: 16, top: 36, bottom: 30 },
    yAxis: { type: 'category', data: purposes.map((p) => PURPOSE[p] || p) }, xAxis: { type: 'value', minInterval: 1 },
    series: statuses.map((s) => ({ name: STATUS[s] || s, type: 'bar', stack: 'o',
      data: purposes.map((p) => (d.outboxByPurpose.find((r) => r.purpose === p && r.status === s) || { n: 0 }).n) })),
  }, true);
  chart('chart-tiers').setOption({
    tooltip: { trigger: 'item' },
    series: [{ name: '会员等级', type: 'pie', radius: ['40%', '70%'], data: d.members.byTier.map((t) => ({ name: t.name || t.tier, value: t.n })) }],
  });
  chart('chart-joined').setOption({
    tooltip: { trigger: 'axis' }, grid: { left: 40, right: 16, bottom: 30 },
    xAxis: { type: 'category', data: d.members.joinedByDay.map((x) => x.day) }, yAxis: { type: 'value', minInterval: 1 },
    series: [{ name: '新入会', type: 'line', smooth: true, areaStyle: {}, data: d.members.joinedByDay.map((x) => x.n) }],
  });
  document.querySelector('#runs tbody').innerHTML = d.scheduleRuns.map((r) =>
    '<tr><td>' + esc(r.name) + '</td><td>' + time(r.slot) + '</td><td>' + esc(r.status) + '</td><td>' + esc(r.reason) + '</td></tr>').join('')
    || '<tr><td colspan="4">还没有运行记录</td></tr>';
}`,
    10,
  );
}
