/**
 * The dashboard page: one HTML document that loads ECharts from the bot itself and draws from
 * `/api/overview`, refreshing every 10 s. Chinese labels, laptop-sized.
 */
export function renderDashboard(): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>私域运营控制台 · siyu-bot</title>
<style>
  body { font-family: -apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; margin: 0; background: #f4f6f9; color: #1f2d3d; }
  header { background: #07c160; color: #fff; padding: 12px 24px; display: flex; justify-content: space-between; align-items: center; }
  header h1 { font-size: 18px; margin: 0; }
  main { padding: 16px 24px; display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 16px; }
  .cards { grid-column: 1 / -1; display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 16px; }
  .card, .panel { background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.08); padding: 14px 16px; }
  .card .label { color: #8492a6; font-size: 13px; } .card .value { font-size: 26px; font-weight: 600; margin-top: 4px; }
  .panel h2 { font-size: 15px; margin: 0 0 8px; } .chart { height: 280px; }
  .ok { color: #07c160; } .bad { color: #e64340; }
  table { width: 100%; border-collapse: collapse; font-size: 13px; } td, th { text-align: left; padding: 4px 6px; border-bottom: 1px solid #eef1f5; }
  button { background: #07c160; color: #fff; border: 0; border-radius: 4px; padding: 2px 8px; cursor: pointer; }
  .wide { grid-column: 1 / -1; }
</style>
</head>
<body>
<header><h1>私域运营控制台</h1><span id="updated">加载中…</span></header>
<main>
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
  <section class="panel"><h2>导购 3+3+3 每日完成率（近 30 天）</h2><div class="chart" id="chart-guides"></div></section>
  <section class="panel"><h2>首次响应（业务时间，分钟）与超时</h2><div class="chart" id="chart-sla"></div></section>
  <section class="panel wide"><h2>发送失败（可重试）</h2><table id="failures"><thead><tr><th>#</th><th>对象</th><th>用途</th><th>原因</th><th></th></tr></thead><tbody></tbody></table></section>
  <section class="panel wide"><h2>定时任务</h2><table id="runs"><thead><tr><th>任务</th><th>时间点</th><th>状态</th><th>说明</th></tr></thead><tbody></tbody></table></section>
</main>
<script src="/assets/echarts.min.js"></script>
<script>
const STATUS = { queued: '待发送', sending: '发送中', sent: '已发送', failed: '失败', skipped: '已跳过', expired: '已过期', unknown: '未知' };
const PURPOSE = { reply: '回复', alert: '告警', 'staff-prompt': '员工提醒', service: '服务', care: '关怀', campaign: '群发活动', 'wake-up': '沉睡唤醒' };
const charts = {};
function chart(id) { return charts[id] ??= echarts.init(document.getElementById(id)); }
function esc(s) { return String(s ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c])); }
let TZ = undefined;
function time(ms) { return ms ? new Date(ms).toLocaleString('zh-CN', { hour12: false, timeZone: TZ }) : ''; }
async function retry(id) {
  const r = await fetch('/api/outbox/' + id + '/retry', { method: 'POST' });
  if (!r.ok) alert((await r.json()).error); else load();
}
async function load() {
  const res = await fetch('/api/overview');
  if (!res.ok) { document.getElementById('updated').textContent = '无法加载（' + res.status + '）'; return; }
  const d = await res.json();
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
    xAxis: { type: 'category', data: d.inboundByHour.map((h) => h.hour) }, yAxis: { type: 'value' },
    series: [{ name: '群聊', type: 'bar', stack: 'm', data: d.inboundByHour.map((h) => h.group) },
             { name: '私聊', type: 'bar', stack: 'm', data: d.inboundByHour.map((h) => h.private) }],
  });
  const purposes = [...new Set(d.outboxByPurpose.map((r) => r.purpose))];
  const statuses = [...new Set(d.outboxByPurpose.map((r) => r.status))];
  chart('chart-outbox').setOption({
    tooltip: { trigger: 'axis' }, legend: { top: 0, data: statuses.map((s) => STATUS[s] || s) }, grid: { left: 70, right: 16, top: 36, bottom: 30 },
    yAxis: { type: 'category', data: purposes.map((p) => PURPOSE[p] || p) }, xAxis: { type: 'value' },
    series: statuses.map((s) => ({ name: STATUS[s] || s, type: 'bar', stack: 'o',
      data: purposes.map((p) => (d.outboxByPurpose.find((r) => r.purpose === p && r.status === s) || { n: 0 }).n) })),
  }, true);
  chart('chart-tiers').setOption({
    tooltip: { trigger: 'item' },
    series: [{ type: 'pie', radius: ['40%', '70%'], data: d.members.byTier.map((t) => ({ name: t.tier, value: t.n })) }],
  });
  chart('chart-joined').setOption({
    tooltip: { trigger: 'axis' }, grid: { left: 40, right: 16, bottom: 30 },
    xAxis: { type: 'category', data: d.members.joinedByDay.map((x) => x.day) }, yAxis: { type: 'value', minInterval: 1 },
    series: [{ name: '新入会', type: 'line', smooth: true, areaStyle: {}, data: d.members.joinedByDay.map((x) => x.n) }],
  });
  const guides = await (await fetch('/api/reports/guides')).json();
  const days = [...new Set(guides.byDay.map((r) => r.date))].sort();
  chart('chart-guides').setOption({
    tooltip: { trigger: 'axis', valueFormatter: (v) => v + '%' }, grid: { left: 40, right: 16, top: 20, bottom: 30 },
    xAxis: { type: 'category', data: days.map((x) => x.slice(5)) }, yAxis: { type: 'value', max: 100 },
    series: [{ name: '完成率', type: 'line', smooth: true, data: days.map((x) => {
      const rows = guides.byDay.filter((r) => r.date === x);
      const done = rows.reduce((a, r) => a + r.done, 0), total = rows.reduce((a, r) => a + r.total, 0);
      return total ? Math.round(100 * done / total) : 0;
    }) }],
  }, true);
  const sla = await (await fetch('/api/reports/sla')).json();
  const sd = [...sla.by.day].sort((a, b) => a.key.localeCompare(b.key));
  chart('chart-sla').setOption({
    tooltip: { trigger: 'axis' }, legend: { top: 0, data: ['p50', 'p90', '超时'] }, grid: { left: 40, right: 40, top: 36, bottom: 30 },
    xAxis: { type: 'category', data: sd.map((x) => x.label) }, yAxis: [{ type: 'value', name: '分钟' }, { type: 'value', name: '超时', minInterval: 1 }],
    series: [{ name: 'p50', type: 'line', data: sd.map((x) => x.p50BusinessMinutes) }, { name: 'p90', type: 'line', data: sd.map((x) => x.p90BusinessMinutes) },
             { name: '超时', type: 'bar', yAxisIndex: 1, data: sd.map((x) => x.timeouts) }],
  }, true);
  const failed = await (await fetch('/api/outbox?status=failed&limit=20')).json();
  document.querySelector('#failures tbody').innerHTML = failed.rows.map((r) =>
    '<tr><td>' + r.id + '</td><td>' + esc(r.target) + '</td><td>' + esc(PURPOSE[r.purpose] || r.purpose) + '</td><td>' + esc(r.reason) +
    '</td><td><button onclick="retry(' + r.id + ')">重试</button></td></tr>').join('') || '<tr><td colspan="5">没有失败的消息</td></tr>';
  document.querySelector('#runs tbody').innerHTML = d.scheduleRuns.map((r) =>
    '<tr><td>' + esc(r.name) + '</td><td>' + time(r.slot) + '</td><td>' + esc(r.status) + '</td><td>' + esc(r.reason) + '</td></tr>').join('');
  document.getElementById('updated').textContent = '更新于 ' + new Date().toLocaleTimeString('zh-CN', { hour12: false, timeZone: TZ });
  document.body.dataset.loaded = 'true';
}
load(); setInterval(load, 10000);
window.addEventListener('resize', () => Object.values(charts).forEach((c) => c.resize()));
</script>
</body>
</html>`;
}
