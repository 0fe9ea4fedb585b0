import { renderPage, type PageOptions } from './layout.js';

/**
 * `/groups`: community group health over the last 30 days (src/groups/report.ts via
 * `/api/reports/groups`): retention of each month's joiners against the target, weekly interaction
 * (members who posted), staff posts per day, suspected spam.
 */
export function groupsPage(o: PageOptions): string {
  return renderPage(
    o,
    '/groups',
    `
  <section class="cards">
    <div class="card"><div class="label">社群数</div><div class="value" id="groups">—</div></div>
    <div class="card"><div class="label">群成员（不含员工）</div><div class="value" id="members">—</div></div>
    <div class="card"><div class="label">新成员留存率</div><div class="value" id="retention">—</div></div>
    <div class="card"><div class="label">留存目标</div><div class="value" id="target">—</div></div>
    <div class="card"><div class="label">本周互动率</div><div class="value" id="interaction">—</div></div>
  </section>
  <section class="panel"><h2>各群留存率与互动率（近 30 天）</h2><div class="chart" id="chart-group-health"></div></section>
  <section class="panel"><h2>每周互动率（全部社群：发言成员 / 成员）</h2><div class="chart" id="chart-group-weekly"></div></section>
  <section class="panel wide"><h2>每日员工发帖（员工本人 / 机器人账号）</h2><div class="chart" id="chart-group-posts"></div></section>
  <section class="panel wide"><h2>社群明细</h2><table id="group-table"><thead><tr><th>群</th><th>门店</th><th>导购</th><th>成员</th><th>入群 / 留存 / 退群</th><th>留存率</th><th>本周发言 / 成员</th><th>疑似广告</th></tr></thead><tbody></tbody></table>
    <p class="note">留存率：当月入群的成员到月底（或现在）仍在群的比例；互动率：一周内发过言的非员工成员占成员数的比例。</p></section>`,
    `
const r1 = (x) => (x === null || x === undefined ? null : Math.round(x * 1000) / 10);
function sumRetention(g) { const j = g.retention.reduce((a, m) => a + m.joined, 0), k = g.retention.reduce((a, m) => a + m.retained, 0), l = g.retention.reduce((a, m) => a + m.left, 0); return { joined: j, retained: k, left: l, rate: j ? k / j : null }; }
function lastWeek(g) { return g.interaction[g.interaction.length - 1] || { members: 0, posters: 0, rate: null }; }
async function load() {
  const r = await api('/api/reports/groups'); TZ = r.timezone;
  const g = r.groups;
  const weeks = [...new Set(g.flatMap((x) => x.interaction.map((w) => w.week)))].sort();
  const weekly = weeks.map((w) => { let m = 0, p = 0; for (const x of g) { const f = x.interaction.find((i) => i.week === w); if (f) { m += f.members; p += f.posters; } } return { w, m, p, rate: m ? p / m : null }; });
  const thisWeek = weekly[weekly.length - 1];
  document.getElementById('groups').textContent = g.length;
  document.getElementById('members').textContent = g.reduce((a, x) => a + x.members, 0);
  document.getElementById('retention').textContent = pct(r.total.rate);
  document.getElementById('target').textContent = pct(r.target.min) + '–' + pct(r.target.max);
  document.getElementById('interaction').textContent = pct(thisWeek && thisWeek.rate);
  chart('chart-group-health').setOption({
    tooltip: { trigger: 'axis', valueFormatter: (v) => v === null || v === undefined ? '—' : v + '%' }, legend: { top: 0, data: ['留存率', '本周互动率'] }, grid: { left: 130, right: 24, top: 36, bottom: 30 },
    yAxis: { type: 'category', data: g.map((x) => x.name) }, xAxis: { type: 'value', max: 100 },
    series: [{ name: '留存率', type: 'bar', barMaxWidth: 20, data: g.map((x) => r1(sumRetention(x).rate)), markLine: { silent: true, symbol: 'none', lineStyle: { type: 'dashed' }, data: [{ xAxis: r1(r.target.min) }] } },
             { name: '本周互动率', type: 'bar', barMaxWidth: 20, data: g.map((x) => r1(lastWeek(x).rate)) }],
  }, true);
  chart('chart-group-weekly').setOption({
    tooltip: { trigger: 'axis' }, legend: { top: 0, data: ['互动率 %', '发言成员'] }, grid: { left: 40, right: 40, top: 36, bottom: 30 },
    xAxis: { type: 'category', data: weekly.map((x) => x.w.slice(5) + ' 周') }, yAxis: [{ type: 'value', max: 100, name: '%' }, { type: 'value', minInterval: 1, name: '人' }],
    series: [{ name: '互动率 %', type: 'line', smooth: true, data: weekly.map((x) => r1(x.rate)) }, { name: '发言成员', type: 'bar', barMaxWidth: 40, yAxisIndex: 1, data: weekly.map((x) => x.p) }],
  }, true);
  const days = [...new Set(g.flatMap((x) => x.staffPosts.map((d) => d.day)))].sort();
  const posts = (k) => days.map((d) => g.reduce((a, x) => a + ((x.staffPosts.find((p) => p.day === d) || {})[k] || 0), 0));
  chart('chart-group-posts').setOption({
    tooltip: { trigger: 'axis' }, legend: { top: 0, data: ['员工本人', '机器人账号'] }, grid: { left: 40, right: 16, top: 36, bottom: 30 },
    xAxis: { type: 'category', data: days.map((d) => d.slice(5)) }, yAxis: { type: 'value', minInterval: 1 },
    series: [{ name: '员工本人', type: 'bar', stack: 'p', data: posts('staff') }, { name: '机器人账号', type: 'bar', stack: 'p', data: posts('bot') }],
  }, true);
  document.querySelector('#group-table tbody').innerHTML = g.map((x) => { const t = sumRetention(x), w = lastWeek(x);
    return '<tr><td>' + esc(x.name) + '</td><td>' + esc(x.storeCode) + '</td><td>' + esc(x.guideCode) + '</td><td>' + x.members + '</td><td>' + t.joined + ' / ' + t.retained + ' / ' + t.left +
      '</td><td>' + pct(t.rate) + '</td><td>' + w.posters + ' / ' + w.members + '</td><td>' + x.spam + '</td></tr>'; }).join('') || '<tr><td colspan="8">没有社群</td></tr>';
}`,
    60,
  );
}
