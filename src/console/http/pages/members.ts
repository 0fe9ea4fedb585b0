import { renderPage, type PageOptions } from './layout.js';

/**
 * `/members`: find a member by phone (or its last four digits), name or contact id, and read their
 * card: tier, points and ledger, coupons, contact, groups, wake-up, open questions, campaigns received
 * and the latest messages sent to them. Phones are masked.
 */
export function membersPage(o: PageOptions): string {
  return renderPage(
    o,
    '/members',
    `
  <section class="panel"><h2>会员等级分布</h2><div class="chart" id="chart-tiers"></div></section>
  <section class="panel"><h2>查找会员</h2>
    <form id="search-form" onsubmit="event.preventDefault(); search();"><input id="q" size="26" placeholder="手机号、尾号 4 位、姓名或微信 ID"> <button type="submit">查找</button></form>
    <table id="hits"><thead><tr><th>姓名</th><th>手机</th><th>等级</th><th>积分</th><th>门店</th><th>最近活跃</th></tr></thead><tbody><tr><td colspan="6" class="note">输入后查找</td></tr></tbody></table>
    <p class="note"><a class="button grey" id="to-imports" href="/imports">导入 CSV</a> 会员绑定微信：会员在私聊中按提示完成（手机号 + 资料核对，或导购确认）。</p>
  </section>
  <section class="panel wide" id="card" hidden><h2 id="card-title"></h2>
    <div class="cards" id="card-figures"></div>
    <div class="grid2">
      <div><h3>联系人与社群</h3><div id="card-contact"></div><ul id="card-groups"></ul>
        <p>绑定微信 ID <input id="bind-contact" size="18" placeholder="wxid_… / external_userid"> <button type="button" id="bind">绑定</button></p>
        <p class="note">会员无法在私聊中自行绑定时使用；该微信已属于另一会员时会被拒绝（请改为合并）。操作记入审计。</p><div id="bind-result"></div></div>
      <div><h3>沉睡唤醒</h3><div id="card-wakeup"></div><h3>待回复的问题</h3><ul id="card-questions"></ul></div>
      <div><h3>收到的活动</h3><ul id="card-campaigns"></ul></div>
      <div><h3>可能重复的记录</h3><ul id="card-duplicates"></ul>
        <p>把会员 # <input id="merge-drop" size="6" inputmode="numeric"> 合并到此会员 <button type="button" class="red" id="merge">合并</button></p>
        <p class="note">合并后，另一条记录的积分流水、券、订单、联系人和唤醒记录都转到此会员，另一条记录删除。操作记入审计。</p><div id="merge-result"></div></div>
      <div><h3>积分流水</h3><table id="card-ledger"><thead><tr><th>时间</th><th>变动</th><th>原因</th><th>余额</th></tr></thead><tbody></tbody></table></div>
      <div><h3>优惠券</h3><table id="card-coupons"><thead><tr><th>券码</th><th>礼品</th><th>状态</th><th>有效期至</th></tr></thead><tbody></tbody></table></div>
      <div><h3>最近发给 TA 的消息</h3><table id="card-messages"><thead><tr><th>时间</th><th>用途</th><th>状态</th><th>消息</th></tr></thead><tbody></tbody></table></div>
    </div>
  </section>
  <style> .grid2 { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 12px; } h3 { font-size: 14px; margin: 10px 0 4px; } #hits tr[data-member] { cursor: pointer; } </style>`,
    `
const REASON = { order: '消费', redeem: '兑换', referral: '推荐', care: '关怀', adjust: '调整', expire: '过期' };
const COUPON = { issued: '未使用', used: '已使用', expired: '已过期', void: '作废' };
const ARM = { treatment: '唤醒组', holdout: '对照组' };
const EP = { active: '进行中', stopped: '已停止', lapsed: '已失效', done: '已完成' };
const day = (ms) => ms ? new Date(ms).toLocaleDateString('zh-CN', { timeZone: TZ }) : '';
async function search() {
  const q = document.getElementById('q').value.trim();
  const r = await api('/api/members?q=' + encodeURIComponent(q));
  document.querySelector('#hits tbody').innerHTML = r.members.map((m) => '<tr data-member="' + m.id + '" onclick="show(' + m.id + ')"><td>' + esc(m.name) + '</td><td>' + esc(m.phone) +
    '</td><td>' + esc(m.tierName) + '</td><td>' + m.points + '</td><td>' + esc(m.storeCode) + '</td><td>' + day(m.lastActiveAt) + '</td></tr>').join('') || '<tr><td colspan="6">没有找到会员</td></tr>';
  if (r.members.length === 1) await show(r.members[0].id);
}
function fig(label, value) { return '<div class="card"><div class="label">' + label + '</div><div class="value">' + esc(value) + '</div></div>'; }
async function show(id) {
  const m = await api('/api/members/' + id);
  document.getElementById('card').hidden = false;
  document.getElementById('card-title').textContent = m.name + (m.phone ? '（' + m.phone + '）' : '') + ' · #' + m.id;
  document.getElementById('card-figures').innerHTML = fig('等级', m.tierName) + fig('积分', m.points) + fig('成长值', m.growth) + fig('订单', m.orderCount) +
    fig('门店', m.storeName || m.storeCode || '—') + fig('导购', m.guideName || m.guideCode || '—') + fig('营销消息', m.optedOutAt ? '已退订' : '接收');
  document.getElementById('card-contact').innerHTML = m.contact ? '微信：' + esc(m.contact.name || m.contact.id) + ' <span class="note">' + esc(m.contact.id) + (m.contact.lastInboundAt ? ' · 最近发言 ' + day(m.contact.lastInboundAt) : '') + '</span>'
    : '<span class="warn">未绑定微信联系人</span>';
  if (m.links.length) document.getElementById('card-contact').innerHTML += '<div class="note">关联微信：' + m.links.map((l) => esc(l.name || l.contactId) + '（' + esc(l.contactId) + '，' + esc(l.source) + '）').join('、') + '</div>';
  document.getElementById('card-groups').innerHTML = m.groups.map((g) => '<li>' + esc(g.name) + ' <span class="note">' + day(g.joinedAt) + ' 入群</span></li>').join('') || '<li class="note">不在已知社群中</li>';
  document.getElementById('card-wakeup').innerHTML = m.wakeup.length ? m.wakeup.map((w) => esc(EP[w.status] || w.status) + ' · ' + esc(ARM[w.arm] || w.arm) + ' · 第 ' + w.stage + ' 阶段 · ' + day(w.startedAt) + ' 开始' + (w.endReason ? '（' + esc(w.endReason) + '）' : '')).join('<br>') : '<span class="note">没有唤醒记录</span>';
  document.getElementById('card-questions').innerHTML = m.openQuestions.map((q) => '<li>' + esc(q.where) + '：' + esc(q.preview) + ' <span class="note">' + time(q.openedAt) + '</span></li>').join('') || '<li class="note">没有</li>';
  document.getElementById('card-campaigns').innerHTML = m.campaigns.map((c) => '<li>' + esc(c.name) + ' <span class="note">' + esc(c.via) + ' · ' + time(c.at) + '</span></li>').join('') || '<li class="note">还没有</li>';
  document.querySelector('#card-ledger tbody').innerHTML = m.ledger.map((l) => '<tr><td>' + time(l.at) + '</td><td>' + (l.delta > 0 ? '+' : '') + l.delta + '</td><td>' + esc(REASON[l.reason] || l.reason) + '</td><td>' + l.balanceAfter + '</td></tr>').join('') || '<tr><td colspan="4" class="note">没有</td></tr>';
  document.querySelector('#card-coupons tbody').innerHTML = m.coupons.map((c) => '<tr><td>' + esc(c.code) + '</td><td>' + esc(c.reward) + '</td><td>' + esc(COUPON[c.status] || c.status) + '</td><td>' + day(c.expiresAt) + '</td></tr>').join('') || '<tr><td colspan="4" class="note">没有</td></tr>';
  document.querySelector('#card-messages tbody').innerHTML = m.messages.map((x) => '<tr><td>' + time(x.at) + '</td><td>' + esc(PURPOSE[x.purpose] || x.purpose) + '</td><td>' + esc(STATUS[x.status] || x.status) + '</td><td>' + esc(x.text.slice(0, 60)) + '</td></tr>').join('') || '<tr><td colspan="4" class="note">没有</td></tr>';
  const dups = (await api('/api/members/duplicates')).duplicates.filter((d) => d.ids.includes(m.id));
  const WHY = { 'same phone': '手机号相同', 'same contact': '微信相同', 'same name and birthday': '姓名和生日相同', 'same name: one joined in chat, one imported': '姓名相同（一条私聊入会，一条导入）' };
  document.getElementById('card-duplicates').innerHTML = dups.map((d) => '<li>' + d.ids.filter((x) => x !== m.id).map((x) => '<a href="#" onclick="event.preventDefault(); show(' + x + ')">#' + x + '</a> <button type="button" class="grey" data-drop="' + x + '" onclick="pickDrop(this)">选中</button>').join(' ') +
    ' <span class="note">' + esc(WHY[d.why] || d.why) + '</span></li>').join('') || '<li class="note">没有发现</li>';
  document.getElementById('merge').onclick = () => merge(m.id);
  document.getElementById('bind').onclick = () => bind(m.id);
  document.body.dataset.card = String(m.id);
}
async function bind(member) {
  const contactId = document.getElementById('bind-contact').value.trim();
  if (!contactId) { alert('请输入微信 ID'); return; }
  try {
    await api('/api/members/bind', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ member, contactId }) });
    await show(member);
    document.getElementById('bind-result').innerHTML = '<span class="ok" id="bound">已绑定 ' + esc(contactId) + '</span>';
  } catch (err) { document.getElementById('bind-result').innerHTML = '<span class="bad">' + esc(err.message) + '</span>'; }
}
function pickDrop(b) { document.getElementById('merge-drop').value = b.dataset.drop; }
async function merge(keep) {
  const drop = Number(document.getElementById('merge-drop').value);
  if (!Number.isInteger(drop) || drop <= 0) { alert('请输入要合并的会员编号'); return; }
  if (!confirm('把会员 #' + drop + ' 合并到 #' + keep + '？合并后不能撤销。')) return;
  try {
    const r = await api('/api/members/merge', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ keep, drop }) });
    const mv = r.moved || {};
    await show(keep);
    document.getElementById('merge-result').innerHTML = '<span class="ok" id="merged">已合并 #' + drop + '：积分流水 ' + (mv.ledger || 0) + '，券 ' + (mv.coupons || 0) + '，订单 ' + (mv.orders || 0) + '，联系人 ' + (mv.contacts || 0) + '</span>';
  } catch (err) { document.getElementById('merge-result').innerHTML = '<span class="bad">' + esc(err.message) + '</span>'; }
}
async function load() {
  const t = await api('/api/members/tiers');
  chart('chart-tiers').setOption({
    tooltip: { trigger: 'item', formatter: '{b}: {c}' },
    series: [{ name: '会员等级', type: 'pie', radius: ['35%', '65%'], data: t.tiers.map((x) => ({ name: x.name, value: x.n })) }],
  }, true);
}`,
    120,
  );
}
