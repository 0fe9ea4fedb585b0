import { renderPage, type PageOptions } from './layout.js';

/**
 * `/campaigns`: every campaign with its delivery funnel (targeted → sent → replied) and the
 * pause / resume / cancel buttons, which call the API (audited as the logged-in operator).
 */
export function campaignsPage(o: PageOptions): string {
  return renderPage(
    o,
    '/campaigns',
    `
  <section class="panel"><h2>投放漏斗（全部活动，按群/会员计：目标 → 已送达 → 有回复）</h2><div class="chart" id="chart-funnel"></div></section>
  <section class="panel"><h2>各活动投放（目标 / 已送达 / 有回复）</h2><div class="chart" id="chart-campaigns"></div></section>
  <section class="panel wide"><h2>活动列表 <a class="button" id="new-campaign" href="/campaigns/new">＋ 新建活动</a></h2>
    <table id="campaigns"><thead><tr><th>活动</th><th>名称</th><th>状态</th><th>排期</th><th>下次</th><th>目标</th><th>已送达</th><th>有回复（24 小时）</th><th>跳过（条）</th><th>待发送（条）</th><th>操作</th></tr></thead><tbody></tbody></table>
    <p class="note">暂停：未发出的消息全部暂缓（不会发送）；恢复：只发送暂缓的消息，已发送的不会重发；取消：剩余消息不再发送。每次操作都记入审计。</p>
  </section>
  <section class="panel wide"><h2>操作记录（审计）</h2><table id="audit"><thead><tr><th>时间</th><th>操作人</th><th>渠道</th><th>操作</th><th>对象</th><th>结果</th></tr></thead><tbody></tbody></table></section>
  <section class="panel wide"><h2>最近操作</h2><table id="transitions"><thead><tr><th>时间</th><th>活动</th><th>变化</th><th>操作人</th><th>说明</th></tr></thead><tbody></tbody></table></section>`,
    `
async function act(id, action) {
  if (action === 'cancel' && !confirm('确定取消活动 ' + id + '？剩余消息将不再发送。')) return;
  try {
    const r = await api('/api/campaigns/' + encodeURIComponent(id) + '/' + action, { method: 'POST' });
    setStatus(r.message);
  } catch (err) { alert(err.message); }
  await run(load);
}
function buttons(c) {
  const b = (action, label, cls, enabled) => '<button class="' + cls + '" data-action="' + action + '" data-campaign="' + esc(c.id) + '"' + (enabled ? '' : ' disabled') +
    ' onclick="act(this.dataset.campaign, this.dataset.action)">' + label + '</button> ';
  const live = ['scheduled', 'running'].includes(c.status);
  const editable = c.source !== 'file' && ['draft', 'scheduled', 'paused'].includes(c.status);
  const link = (href, label, action) => '<a class="button grey" data-action="' + action + '" data-campaign="' + esc(c.id) + '" href="' + href + '">' + label + '</a> ';
  return (c.status === 'draft' ? b('schedule', '排期', '', true) : '') + b('pause', '暂停', 'grey', live) + b('resume', '恢复', '', c.status === 'paused') + b('cancel', '取消', 'red', live || c.status === 'paused' || c.status === 'draft')
    + (editable ? link('/campaigns/new?id=' + encodeURIComponent(c.id), '编辑', 'edit') : '') + link('/campaigns/new?clone=' + encodeURIComponent(c.id), '复制', 'clone');
}
async function load() {
  const d = await api('/api/campaigns'); TZ = d.timezone;
  const cs = d.campaigns;
  const sum = (k) => cs.reduce((a, c) => a + c.funnel[k], 0);
  chart('chart-funnel').setOption({
    tooltip: { trigger: 'item', formatter: '{b}: {c}' },
    series: [{ name: '投放漏斗', type: 'funnel', sort: 'none', left: '8%', width: '70%', minSize: '10%', label: { formatter: '{b} {c}' },
      data: [{ name: '目标', value: sum('targeted') }, { name: '已送达', value: sum('sent') }, { name: '有回复', value: sum('replied') }] }],
  }, true);
  chart('chart-campaigns').setOption({
    tooltip: { trigger: 'axis' }, legend: { top: 0, data: ['目标', '已送达', '有回复'] }, grid: { left: 110, right: 16, top: 36, bottom: 30 },
    yAxis: { type: 'category', data: cs.map((c) => c.name) }, xAxis: { type: 'value', minInterval: 1 },
    series: [['目标', 'targeted'], ['已送达', 'sent'], ['有回复', 'replied']].map(([n, k]) => ({ name: n, type: 'bar', barMaxWidth: 24, data: cs.map((c) => c.funnel[k]) })),
  }, true);
  document.querySelector('#campaigns tbody').innerHTML = cs.map((c) => '<tr data-campaign="' + esc(c.id) + '"><td>' + esc(c.id) + '</td><td>' + esc(c.name) +
    '</td><td class="status">' + esc(CAMPAIGN_STATUS[c.status] || c.status) + '</td><td>' + esc(c.schedule) + '</td><td>' + time(c.next) +
    '</td><td>' + c.funnel.targeted + '</td><td>' + c.funnel.sent + '</td><td>' + c.funnel.replied + '</td><td>' + c.funnel.skipped + '</td><td>' + c.funnel.pending +
    '</td><td>' + buttons(c) + '</td></tr>').join('') || '<tr><td colspan="11">没有活动</td></tr>';
  document.querySelector('#transitions tbody').innerHTML = d.transitions.map((t) => '<tr><td>' + time(t.at) + '</td><td>' + esc(t.campaignId) + '</td><td>' +
    esc(CAMPAIGN_STATUS[t.from] || t.from) + ' → ' + esc(CAMPAIGN_STATUS[t.to] || t.to) + '</td><td>' + esc(t.by) + '</td><td>' + esc(t.reason) + '</td></tr>').join('')
    || '<tr><td colspan="5">还没有操作</td></tr>';
  const audit = (await api('/api/audit')).actions;
  document.querySelector('#audit tbody').innerHTML = audit.map((a) => '<tr data-action="' + esc(a.action) + '"><td>' + time(a.at) + '</td><td class="actor">' + esc(a.actor) + '</td><td>' + esc(a.channel) +
    '</td><td>' + esc(a.action) + '</td><td>' + esc(a.target) + '</td><td>' + esc(a.result) + '</td></tr>').join('') || '<tr><td colspan="6">还没有操作</td></tr>';
}`,
  );
}
