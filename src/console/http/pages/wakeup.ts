import { renderPage, type PageOptions } from './layout.js';

/** `/wakeup`: the wake-up funnel and the reactivation lift against the holdout, with its 95% interval. */
export function wakeupPage(o: PageOptions): string {
  return renderPage(
    o,
    '/wakeup',
    `
  <section class="cards">
    <div class="card"><div class="label">唤醒组 / 对照组</div><div class="value" id="arms">—</div></div>
    <div class="card"><div class="label">唤醒组激活率</div><div class="value" id="trate">—</div></div>
    <div class="card"><div class="label">对照组激活率</div><div class="value" id="hrate">—</div></div>
    <div class="card"><div class="label">提升（95% 区间）</div><div class="value" id="lift">—</div></div>
    <div class="card"><div class="label">券 已发 / 已用</div><div class="value" id="coupons">—</div></div>
  </section>
  <section class="panel"><h2>唤醒漏斗（唤醒组）</h2><div class="chart" id="chart-wakeup-funnel"></div></section>
  <section class="panel"><h2>各阶段激活率：唤醒组 vs 对照组</h2><div class="chart" id="chart-wakeup-rates"></div></section>
  <section class="panel wide"><h2>激活提升（百分点）及 95% 置信区间（Newcombe）</h2><div class="chart" id="chart-wakeup-lift" data-optional="no lift without a holdout"></div>
    <p class="note" id="method"></p></section>
  <section class="panel wide" id="wakeup-today"><h2>今日唤醒预览（现在运行会怎样；预览不发送、不记录）</h2>
    <p id="wakeup-window" class="note"></p>
    <table id="wakeup-stages"><thead><tr><th>阶段</th><th>沉睡天数</th><th>发送（机器人可触达）</th><th>导购卡片建议</th><th>对照组（不发送）</th></tr></thead><tbody></tbody></table>
    <p><button type="button" class="grey" id="wakeup-preview">刷新预览</button> <button type="button" id="wakeup-run">立即运行唤醒</button> <span id="wakeup-result"></span></p>
    <p class="note">新发现的沉睡会员按比例随机分入唤醒组和对照组；没有固定种子时，实际运行会重新抽签，人数可能略有不同。运行记入审计。</p>
  </section>`,
    `
let PREVIEWED = false;
function showSelection(r) {
  const win = r.window ? '发送时段 ' + time(r.window.start) + ' – ' + time(r.window.end) + '，本时段额度 ' + r.allowance + ' 条' : '今天的发送时段已结束：现在运行不会决定新的阶段';
  document.getElementById('wakeup-window').textContent = win + '；新发现沉睡会员：唤醒组 ' + r.started.treatment + '，对照组 ' + r.started.holdout + '；停止 ' + r.stopped + '，失效 ' + r.lapsed;
  document.querySelector('#wakeup-stages tbody').innerHTML = r.stages.map((s) => '<tr data-stage="' + s.stage + '"><td>第 ' + s.stage + ' 阶段' + (s.coupon ? '（送券 ' + esc(s.coupon) + '）' : '') + '</td><td>' + s.days + ' 天</td><td class="sent">' + s.sent +
    '</td><td class="suggested">' + s.suggested + '</td><td class="holdout">' + s.holdout + '</td></tr>').join('') +
    '<tr data-stage="all"><td><b>合计</b></td><td></td><td class="sent">' + r.totals.sent + '</td><td class="suggested">' + r.totals.suggested + '</td><td class="holdout">' + r.totals.holdout + '</td></tr>';
}
async function previewWakeup() { showSelection(await api('/api/wakeup/preview')); document.body.dataset.wakeupPreviewed = 'true'; }
document.getElementById('wakeup-preview').onclick = () => previewWakeup().catch((e) => alert(e.message));
document.getElementById('wakeup-run').onclick = async () => {
  if (!confirm('现在运行唤醒？唤醒组的消息会在发送时段内发出。')) return;
  try {
    const r = await api('/api/wakeup/run', { method: 'POST' });
    showSelection(r);
    document.getElementById('wakeup-result').innerHTML = '<span class="ok" id="wakeup-done">已运行：发送 ' + r.totals.sent + ' 条，导购建议 ' + r.totals.suggested + ' 条，对照组 ' + r.totals.holdout + '</span>';
  } catch (err) { alert(err.message); }
};
const pp = (x) => x === null || x === undefined ? null : Math.round(x * 1000) / 10;
function stageName(s) { return s === 'all' ? '全部' : '第 ' + s + ' 阶段'; }
async function load() {
  if (!PREVIEWED) { PREVIEWED = true; await previewWakeup(); }
  const r = await api('/api/reports/wakeup');
  const all = r.rows.find((x) => x.stage === 'all' && x.tier === 'all');
  const stages = r.rows.filter((x) => x.tier === 'all');
  document.getElementById('arms').textContent = r.episodes.treatment + ' / ' + r.episodes.holdout;
  document.getElementById('trate').textContent = pct(all && all.treatment.rate);
  document.getElementById('hrate').textContent = pct(all && all.holdout.rate);
  document.getElementById('lift').textContent = all && all.lift.diff !== null ? (pp(all.lift.diff) + ' (' + (all.lift.ci ? pp(all.lift.ci.low) + ' ~ ' + pp(all.lift.ci.high) : '—') + ')') : '—';
  document.getElementById('coupons').textContent = r.coupons.issued + ' / ' + r.coupons.used;
  const noHoldout = r.episodes.holdout === 0 ? '对照组还没有成员，暂无法计算提升。' : '';
  document.getElementById('method').textContent = noHoldout + '激活：唤醒后 ' + r.windowDays + ' 天内回复、购买或兑换。提升 = 唤醒组激活率 − 对照组激活率；区间为 95% 置信区间（Newcombe 混合得分法）。';
  const sent = r.sends.sent || 0;
  const reactivated = all ? all.treatment.reactivated : 0;
  chart('chart-wakeup-funnel').setOption({
    tooltip: { trigger: 'item', formatter: '{b}: {c}' },
    series: [{ name: '唤醒漏斗', type: 'funnel', sort: 'none', left: '8%', width: '70%', minSize: '10%', label: { formatter: '{b} {c}' }, data: [
      { name: '唤醒组会员', value: r.episodes.treatment }, { name: '已发唤醒', value: sent }, { name: '导购跟进', value: r.suggestions }, { name: '已激活', value: reactivated }] }],
  }, true);
  chart('chart-wakeup-rates').setOption({
    tooltip: { trigger: 'axis', valueFormatter: (v) => v === null ? '—' : v + '%' }, legend: { top: 0, data: ['唤醒组', '对照组'] }, grid: { left: 40, right: 16, top: 36, bottom: 30 },
    xAxis: { type: 'category', data: stages.map((x) => stageName(x.stage)) }, yAxis: { type: 'value', name: '%' },
    series: [{ name: '唤醒组', type: 'bar', barMaxWidth: 40, data: stages.map((x) => pp(x.treatment.rate)) }, { name: '对照组', type: 'bar', barMaxWidth: 40, data: stages.map((x) => pp(x.holdout.rate)) }],
  }, true);
  chart('chart-wakeup-lift').setOption({
    tooltip: { trigger: 'item' }, grid: { left: 50, right: 16, top: 20, bottom: 30 },
    xAxis: { type: 'category', data: stages.map((x) => stageName(x.stage)) }, yAxis: { type: 'value', name: '百分点' },
    series: [
      { name: '95% 区间', type: 'boxplot', data: stages.map((x) => x.lift.ci ? [pp(x.lift.ci.low), pp(x.lift.ci.low), pp(x.lift.diff), pp(x.lift.ci.high), pp(x.lift.ci.high)] : []) },
      { name: '提升', type: 'scatter', symbolSize: 10, data: stages.map((x) => pp(x.lift.diff)), markLine: { silent: true, symbol: 'none', data: [{ yAxis: 0 }] } },
    ],
  }, true);
}`,
    60,
  );
}
