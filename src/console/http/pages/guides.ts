import { renderPage, type PageOptions } from './layout.js';

/** `/guides`: today's 3+3+3 completion by store and by guide, and the 30-day trend. */
export function guidesPage(o: PageOptions): string {
  return renderPage(
    o,
    '/guides',
    `
  <section class="cards">
    <div class="card"><div class="label">今日任务卡</div><div class="value" id="cards">—</div></div>
    <div class="card"><div class="label">今日全部完成</div><div class="value" id="completed">—</div></div>
    <div class="card"><div class="label">今日完成率</div><div class="value" id="rate">—</div></div>
    <div class="card"><div class="label">近 30 天完成率</div><div class="value" id="rate30">—</div></div>
  </section>
  <section class="panel"><h2>今日完成率（按门店）</h2><div class="chart" id="chart-stores"></div></section>
  <section class="panel"><h2>今日完成（按导购：朋友圈 / 私聊 / 社群）</h2><div class="chart" id="chart-guides-today"></div></section>
  <section class="panel wide"><h2>近 30 天每日完成率</h2><div class="chart" id="chart-guides-trend"></div></section>
  <section class="panel wide"><h2>导购明细（近 30 天）</h2><table id="guides"><thead><tr><th>导购</th><th>门店</th><th>任务卡</th><th>全部完成</th><th>完成项 / 应完成</th><th>完成率</th><th>连续完成</th></tr></thead><tbody></tbody></table></section>`,
    `
async function load() {
  const o = await api('/api/overview'); TZ = o.timezone;
  const today = o.today;
  const [t, m] = await Promise.all([api('/api/reports/guides?from=' + today + '&to=' + today), api('/api/reports/guides')]);
  document.getElementById('cards').textContent = t.overall.cards;
  document.getElementById('completed').textContent = t.overall.completed;
  document.getElementById('rate').textContent = pct(t.overall.rate);
  document.getElementById('rate30').textContent = pct(m.overall.rate);
  chart('chart-stores').setOption({
    tooltip: { trigger: 'axis', valueFormatter: (v) => v + '%' }, grid: { left: 100, right: 24, top: 16, bottom: 30 },
    xAxis: { type: 'value', max: 100 }, yAxis: { type: 'category', data: t.byStore.map((s) => s.storeName || s.storeCode || '未分配') },
    series: [{ name: '完成率', type: 'bar', barMaxWidth: 36, label: { show: true, position: 'right', formatter: '{c}%' }, data: t.byStore.map((s) => Math.round(100 * s.rate)) }],
  }, true);
  const g = t.byGuide;
  chart('chart-guides-today').setOption({
    tooltip: { trigger: 'axis' }, legend: { top: 0, data: ['朋友圈', '私聊', '社群', '未完成'] }, grid: { left: 70, right: 16, top: 36, bottom: 30 },
    yAxis: { type: 'category', data: g.map((x) => x.label || x.name) }, xAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: '朋友圈', type: 'bar', stack: 'd', data: g.map((x) => x.moments.done) },
      { name: '私聊', type: 'bar', stack: 'd', data: g.map((x) => x.chats.done) },
      { name: '社群', type: 'bar', stack: 'd', data: g.map((x) => x.groups.done) },
      { name: '未完成', type: 'bar', stack: 'd', itemStyle: { color: '#dfe4ed' }, data: g.map((x) => x.total - x.done) },
    ],
  }, true);
  const days = dayRange(m.from, m.to);
  chart('chart-guides-trend').setOption({
    tooltip: { trigger: 'axis', valueFormatter: (v) => v + '%' }, grid: { left: 40, right: 16, top: 20, bottom: 30 },
    xAxis: { type: 'category', data: days.map((x) => x.slice(5)) }, yAxis: { type: 'value', max: 100 },
    series: [{ name: '完成率', type: 'line', smooth: true, connectNulls: true, symbolSize: 7, areaStyle: { opacity: 0.15 }, data: days.map((x) => {
      const rows = m.byDay.filter((r) => r.date === x);
      const done = rows.reduce((a, r) => a + r.done, 0), total = rows.reduce((a, r) => a + r.total, 0);
      return total ? Math.round(100 * done / total) : null;
    }) }],
  }, true);
  document.querySelector('#guides tbody').innerHTML = m.byGuide.map((x) => '<tr><td>' + esc(x.label || x.name) + '</td><td>' + esc(x.storeCode) + '</td><td>' + x.cards +
    '</td><td>' + x.completed + '</td><td>' + x.done + ' / ' + x.total + '</td><td>' + pct(x.rate) + '</td><td>' + x.streak + ' 天</td></tr>').join('')
    || '<tr><td colspan="7">还没有任务卡</td></tr>';
}`,
  );
}
