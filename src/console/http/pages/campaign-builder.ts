import { renderPage, type PageOptions } from './layout.js';

/**
 * `/campaigns/new` (also `?id=ID` to edit a draft or paused campaign, `?clone=ID` to copy one): the
 * campaign builder for people who do not write YAML. The form builds the same object a campaign file
 * holds; every change asks `/api/campaigns/builder/preview` (the one validator, plus the audience
 * count, a sample of recipients, who would not get it and why, and the messages filled for a sample
 * recipient). Save as draft, save and schedule, or save and run now; every action is audited.
 */
export function campaignBuilderPage(o: PageOptions): string {
  return renderPage(
    o,
    '/campaigns',
    `
  <section class="panel wide" id="sec-basic"><h2>活动</h2>
    <div class="row"><label>名称 <input id="c-name" size="28" placeholder="例如：周五会员日"></label>
    <label>编号 <input id="c-id" size="22" title="小写字母、数字或短横线"></label>
    <span class="note" id="c-mode"></span></div>
    <div class="problems" data-for="name id status"></div>
  </section>
  <section class="panel" id="sec-audience"><h2>受众</h2>
    <div class="row"><label><input type="radio" name="aud-kind" value="groups" checked> 社群</label>
      <label><input type="radio" name="aud-kind" value="members"> 会员（私聊）</label></div>
    <div id="aud-groups">
      <div class="pick"><b>按门店</b> <span id="g-stores"></span></div>
      <div class="pick"><b>按标签</b> <span id="g-tags"></span></div>
      <div class="pick"><b>指定群</b> <input id="g-search" placeholder="搜索群名或门店" size="20">
        <div id="g-list" class="list"></div>
        <input id="g-add" placeholder="或输入群 ID，如 hz01-a@chatroom" size="26"> <button type="button" class="grey" id="g-add-button">添加</button></div>
    </div>
    <div id="aud-members" hidden>
      <div class="pick"><b>等级</b> <span id="m-tiers"></span></div>
      <div class="pick"><b>标签</b> <span id="m-tags"></span></div>
      <div class="pick"><b>门店</b> <span id="m-stores"></span></div>
      <div class="pick"><b>活跃度</b> <select id="m-activity"><option value="">不限</option><option value="active">最近 N 天内活跃</option><option value="inactive">N 天以上未活跃</option></select>
        <input id="m-days" type="number" min="1" value="30" size="4"> 天</div>
    </div>
    <div class="problems" data-for="audience"></div>
    <div class="count"><span id="aud-count">—</span></div>
    <div class="note" id="aud-excluded"></div>
    <ul id="aud-sample" class="sample"></ul>
  </section>
  <section class="panel" id="sec-content"><h2>内容</h2>
    <div id="content-list"></div>
    <div class="row">添加：<button type="button" class="grey" data-add="text">文字</button> <button type="button" class="grey" data-add="image">图片</button>
      <button type="button" class="grey" data-add="link">链接卡片</button> <button type="button" class="grey" data-add="mini-program">小程序</button></div>
    <p class="note">文字中可用变量：{name}（群名或会员名）、{store}（门店）；会员活动还可用 {points}（积分）、{tier}（等级）。</p>
    <div class="problems" data-for="content"></div>
    <h2>预览 <span class="note" id="preview-for"></span></h2>
    <div id="preview" class="chat"></div>
  </section>
  <section class="panel" id="sec-schedule"><h2>排期</h2>
    <div class="row"><select id="s-kind">
      <option value="once">一次</option><option value="daily">每天</option><option value="weekly">每周</option><option value="monthly">每月</option><option value="cron">自定义（cron）</option></select>
      <input id="s-date" type="date"> <select id="s-weekday"></select> <select id="s-monthday"></select>
      <input id="s-time" type="time" value="10:00"> <input id="s-cron" placeholder="0 10 * * 5" size="14"></div>
    <div class="note" id="s-summary"></div>
    <div class="row"><label>分散发送 <input id="c-spread" type="number" min="0" max="1440" value="30" size="4"> 分钟</label>
      <label>过期 <input id="c-expire" type="number" min="1" value="120" size="4"> 分钟后未发出即放弃</label></div>
    <div class="row"><label>每群每天最多 <input id="c-cap-day" type="number" min="1" value="1" size="3"> 条活动</label>
      <label>每群每月最多 <input id="c-cap-month" type="number" min="1" placeholder="当月天数" size="5"> 条</label></div>
    <div class="row"><label>截止 <input id="c-ends" type="datetime-local"></label> <span class="note">（可选：此后不再发送）</span></div>
    <div class="problems" data-for="schedule spreadMinutes expireAfterMinutes caps endsAt"></div>
    <div class="note" id="next-slots"></div>
  </section>
  <section class="panel wide" id="sec-actions">
    <div class="problems" data-for="(other)"></div>
    <div class="row"><button type="button" class="grey" id="save-draft">保存草稿</button>
    <button type="button" id="save-schedule">保存并排期</button>
    <button type="button" class="red" id="run-now">保存并立即发送</button>
    <a class="button grey" href="/campaigns">返回活动列表</a> <span id="result"></span></div>
    <p class="note">排期后按时间自动发送；立即发送：机器人在一分钟内开始发送，并在排期时间再次发送。免打扰时段内的消息会推迟到时段结束后发出，不会丢弃。每次操作都以你的名字记入审计。</p>
  </section>
  <style>
    .row { margin: 6px 0; display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
    .pick { margin: 6px 0; } .pick label { margin-right: 8px; white-space: nowrap; }
    .list { max-height: 180px; overflow-y: auto; border: 1px solid #eef1f5; padding: 4px; margin-top: 4px; }
    .list label { display: block; }
    .count { font-size: 20px; font-weight: 600; margin-top: 8px; }
    .sample { font-size: 13px; padding-left: 18px; } .sample .state { color: #e64340; }
    .problems .bad, .problems .warn { font-size: 13px; margin: 4px 0; }
    .msg { border: 1px solid #eef1f5; border-radius: 6px; padding: 6px; margin: 6px 0; }
    .msg textarea { width: 100%; box-sizing: border-box; min-height: 60px; }
    .msg input[type=text], .msg input:not([type]) { width: 100%; box-sizing: border-box; margin: 2px 0; }
    .chat { background: #ededed; border-radius: 8px; padding: 10px; min-height: 60px; }
    .bubble { background: #95ec69; border-radius: 6px; padding: 8px 10px; margin: 6px 0 6px auto; max-width: 80%; width: fit-content; white-space: pre-wrap; font-size: 14px; }
    .bubble.card { background: #fff; } .bubble .title { font-weight: 600; } .bubble .sub { color: #8492a6; font-size: 12px; }
    .bubble img { max-width: 160px; display: block; }
  </style>`,
    `
const q = new URLSearchParams(location.search);
let EDIT = q.get('id'); const CLONE = q.get('clone');
let OPTS = null; const EXTRA = []; let LOADED = false; let CONTENT = []; let previewTimer = null; let LAST = null;
const $ = (id) => document.getElementById(id);
const WEEKDAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];
function checks(el, values, name, labels) {
  el.innerHTML = values.map((v) => '<label><input type="checkbox" name="' + name + '" value="' + esc(v) + '"> ' + esc(labels ? labels(v) : v) + '</label>').join('') || '<span class="note">（暂无）</span>';
}
function checked(name) { return [...document.querySelectorAll('input[name="' + name + '"]:checked')].map((i) => i.value); }
function setChecked(name, values) { for (const i of document.querySelectorAll('input[name="' + name + '"]')) i.checked = (values || []).includes(i.value); }
function storeName(code) { const s = OPTS.stores.find((x) => x.code === code); return s ? s.name + '（' + code + '）' : code; }
function renderGroupList() {
  const term = $('g-search').value.trim().toLowerCase();
  const keep = new Set(checked('g-room'));
  const extra = EXTRA.filter((id) => !OPTS.groups.some((g) => g.roomId === id)).map((id) => ({ roomId: id, name: id, storeCode: '未知的群', tags: [] }));
  const shown = [...extra, ...OPTS.groups].filter((g) => keep.has(g.roomId) || !term || (g.name + ' ' + g.roomId + ' ' + (g.storeCode || '')).toLowerCase().includes(term));
  $('g-list').innerHTML = shown.map((g) => '<label><input type="checkbox" name="g-room" value="' + esc(g.roomId) + '"' + (keep.has(g.roomId) ? ' checked' : '') + '> ' +
    esc(g.name) + ' <span class="note">' + esc(g.storeCode || '') + (g.tags.length ? ' · ' + esc(g.tags.join('、')) : '') + '</span></label>').join('') || '<span class="note">没有匹配的群</span>';
}
function msgEditor(c, i) {
  const f = (k, label, ph) => '<input data-i="' + i + '" data-k="' + k + '" placeholder="' + esc(ph || label) + '" value="' + esc(c[k] || '') + '" title="' + esc(label) + '">';
  const head = '<div class="row"><b>' + ({ text: '文字', image: '图片', link: '链接卡片', 'mini-program': '小程序' }[c.kind]) + '</b> <button type="button" class="grey" data-del="' + i + '">删除</button></div>';
  let body = '';
  if (c.kind === 'text') body = '<textarea data-i="' + i + '" data-k="text" placeholder="{name}的家人们，…">' + esc(c.text || '') + '</textarea>';
  if (c.kind === 'image') body = '<input type="file" accept="image/*" data-upload="' + i + '"> <span class="note">' + esc(c.name || c.path || c.url || '未选择图片') + '</span>' + f('url', '或图片网址', '或填写图片网址 https://…');
  if (c.kind === 'link') body = f('url', '链接网址', 'https://…') + f('title', '标题') + f('description', '描述（可选）') + f('thumbnailUrl', '缩略图网址（可选）');
  if (c.kind === 'mini-program') body = f('appid', '小程序 appid') + f('title', '标题') + f('pagePath', '页面路径', 'pages/index/index') + f('username', '原始 ID（可选）', 'gh_…（可选）') + f('description', '描述（可选）') + f('thumbUrl', '封面网址（可选）');
  return '<div class="msg" data-msg="' + i + '">' + head + body + '</div>';
}
function renderContent() { $('content-list').innerHTML = CONTENT.map(msgEditor).join('') || '<p class="note">还没有内容：点击下方按钮添加</p>'; }
function clean(o) { const out = {}; for (const [k, v] of Object.entries(o)) if (v !== '' && v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)) out[k] = v; return out; }
function num(id) { const v = $(id).value.trim(); return v === '' ? undefined : Number(v); }
function cronOf() {
  const kind = $('s-kind').value; const [h, m] = ($('s-time').value || '10:00').split(':').map(Number);
  if (kind === 'daily') return m + ' ' + h + ' * * *';
  if (kind === 'weekly') return m + ' ' + h + ' * * ' + $('s-weekday').value;
  if (kind === 'monthly') return m + ' ' + h + ' ' + $('s-monthday').value + ' * *';
  if (kind === 'cron') return $('s-cron').value.trim();
  return null;
}
function scheduleOf() {
  const kind = $('s-kind').value;
  if (kind === 'once') return { at: ($('s-date').value + ' ' + $('s-time').value).trim() };
  return { cron: cronOf() };
}
function summary() {
  const kind = $('s-kind').value; const t = $('s-time').value;
  const text = kind === 'once' ? '一次：' + $('s-date').value + ' ' + t : kind === 'daily' ? '每天 ' + t : kind === 'weekly' ? '每' + WEEKDAYS[$('s-weekday').value] + ' ' + t
    : kind === 'monthly' ? '每月 ' + $('s-monthday').value + ' 日 ' + t : '自定义';
  $('s-summary').textContent = text + (kind === 'once' ? '' : '（cron：' + cronOf() + '）');
  for (const [id, kinds] of [['s-date', ['once']], ['s-weekday', ['weekly']], ['s-monthday', ['monthly']], ['s-time', ['once', 'daily', 'weekly', 'monthly']], ['s-cron', ['cron']]]) $(id).hidden = !kinds.includes(kind);
}
/** The campaign object the form describes (what a campaign file holds). */
function definition(status) {
  const kind = document.querySelector('input[name=aud-kind]:checked').value;
  const audience = {};
  if (kind === 'groups') audience.groups = clean({ stores: checked('g-store'), tags: checked('g-tag'), list: checked('g-room') });
  else {
    const a = clean({ tiers: checked('m-tier'), tags: checked('m-tag'), stores: checked('m-store') });
    const act = $('m-activity').value; const days = num('m-days');
    if (act === 'active') a.activeWithinDays = days; if (act === 'inactive') a.inactiveForDays = days;
    audience.members = a;
  }
  const ends = $('c-ends').value;
  return clean({
    id: $('c-id').value.trim() || undefined, name: $('c-name').value.trim(), status, audience,
    content: CONTENT.map((c) => clean(c)), schedule: scheduleOf(),
    spreadMinutes: num('c-spread'), expireAfterMinutes: num('c-expire'), endsAt: ends ? ends.replace('T', ' ') : undefined,
    caps: clean({ perGroupPerDay: kind === 'groups' ? num('c-cap-day') : undefined, perGroupPerMonth: kind === 'groups' ? num('c-cap-month') : undefined }),
  });
}
function showProblems(problems, warnings) {
  const boxes = [...document.querySelectorAll('.problems')];
  for (const b of boxes) b.innerHTML = '';
  const place = (p, cls) => {
    const head = p.path.split(/[.[]/)[0];
    const box = boxes.find((b) => b.dataset.for.split(' ').includes(head)) || boxes.find((b) => b.dataset.for === '(other)');
    box.innerHTML += '<div class="' + cls + '" data-path="' + esc(p.path) + '">' + (cls === 'warn' ? '提醒：' : '') + esc(p.path) + '：' + esc(p.message) +
      (p.allowed && p.allowed.length && !p.message.includes(p.allowed[0]) ? '（可选：' + esc(p.allowed.join('、')) + '）' : '') + '</div>';
  };
  problems.forEach((p) => place(p, 'bad')); warnings.forEach((p) => place(p, 'warn'));
}
const STATE = { 'opted-out': '已退订', capped: '已达上限', unreachable: '无法触达' };
function bubble(m) {
  if (m.kind === 'text') return '<div class="bubble">' + esc(m.text) + '</div>';
  if (m.kind === 'image') return '<div class="bubble card">🖼 图片 ' + esc(m.name || (m.path || m.url || '').split('/').pop()) + '</div>';
  if (m.kind === 'link') return '<div class="bubble card"><div class="title">' + esc(m.title) + '</div><div class="sub">' + esc(m.description || m.url) + '</div></div>';
  return '<div class="bubble card"><div class="sub">小程序</div><div class="title">' + esc(m.title) + '</div><div class="sub">' + esc(m.pagePath) + '</div></div>';
}
async function preview() {
  const r = await api('/api/campaigns/builder/preview', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(definition('draft')) });
  LAST = r;
  showProblems(r.problems, r.warnings);
  const a = r.audience;
  $('aud-count').textContent = a ? (a.kind === 'groups' ? '将发送到 ' + a.count + ' 个群' : '将发送给 ' + a.count + ' 位会员') + (a.count ? '（可送达 ' + a.reachable + '）' : '') : '—';
  $('aud-excluded').textContent = a ? '已退订 ' + a.optedOut + ' · 已达上限 ' + a.capped + ' · 无法触达 ' + a.unreachable : '';
  $('aud-sample').innerHTML = a ? a.sample.map((s) => '<li>' + esc(s.name) + (s.state !== 'ok' ? ' <span class="state">' + STATE[s.state] + '</span>' : '') + '</li>').join('') + (a.count > a.sample.length ? '<li class="note">… 共 ' + a.count + '</li>' : '') : '';
  $('preview').innerHTML = r.messages.map(bubble).join('') || '<span class="note">添加内容后在此预览</span>';
  $('preview-for').textContent = r.sampleName ? '（以「' + r.sampleName + '」为例）' : '';
  $('next-slots').textContent = r.nextSlots.length ? '接下来的发送时间：' + r.nextSlots.join('，') : '';
  document.body.dataset.previewed = String(Number(document.body.dataset.previewed || 0) + 1);
}
function schedulePreview() { clearTimeout(previewTimer); previewTimer = setTimeout(() => preview().catch((e) => setStatus('预览失败：' + e.message)), 250); }
function fill(def) {
  $('c-name').value = def.name || ''; $('c-id').value = def.id || '';
  const kind = def.audience && def.audience.members ? 'members' : 'groups';
  document.querySelector('input[name=aud-kind][value=' + kind + ']').checked = true; showKind();
  const g = (def.audience && def.audience.groups) || {}; const m = (def.audience && def.audience.members) || {};
  setChecked('g-store', g.stores); setChecked('g-tag', g.tags); EXTRA.push(...(g.list || [])); renderGroupList(); setChecked('g-room', g.list);
  setChecked('m-tier', m.tiers); setChecked('m-tag', m.tags); setChecked('m-store', m.stores);
  if (m.activeWithinDays) { $('m-activity').value = 'active'; $('m-days').value = m.activeWithinDays; }
  if (m.inactiveForDays) { $('m-activity').value = 'inactive'; $('m-days').value = m.inactiveForDays; }
  CONTENT = (def.content || []).map((c) => ({ ...c })); renderContent();
  const s = def.schedule || {};
  if (s.at) { $('s-kind').value = 'once'; [$('s-date').value, $('s-time').value] = s.at.split(/[ T]/); }
  else if (s.cron) {
    const f = s.cron.trim().split(/\\s+/); const time = f[1].padStart(2, '0') + ':' + f[0].padStart(2, '0');
    const simple = /^\\d+$/.test(f[0]) && /^\\d+$/.test(f[1]) && f[3] === '*';
    if (simple && f[2] === '*' && f[4] === '*') { $('s-kind').value = 'daily'; $('s-time').value = time; }
    else if (simple && f[2] === '*' && /^[0-6]$/.test(f[4])) { $('s-kind').value = 'weekly'; $('s-weekday').value = f[4]; $('s-time').value = time; }
    else if (simple && /^\\d+$/.test(f[2]) && f[4] === '*') { $('s-kind').value = 'monthly'; $('s-monthday').value = f[2]; $('s-time').value = time; }
    else { $('s-kind').value = 'cron'; $('s-cron').value = s.cron; }
  }
  if (def.spreadMinutes !== undefined) $('c-spread').value = def.spreadMinutes;
  if (def.expireAfterMinutes !== undefined) $('c-expire').value = def.expireAfterMinutes;
  if (def.caps && def.caps.perGroupPerDay) $('c-cap-day').value = def.caps.perGroupPerDay;
  if (def.caps && def.caps.perGroupPerMonth) $('c-cap-month').value = def.caps.perGroupPerMonth;
  if (def.endsAt) $('c-ends').value = def.endsAt.replace(' ', 'T');
  summary();
}
function showKind() {
  const kind = document.querySelector('input[name=aud-kind]:checked').value;
  $('aud-groups').hidden = kind !== 'groups'; $('aud-members').hidden = kind !== 'members';
}
function newId() {
  const d = new Date(); const p = (n) => String(n).padStart(2, '0');
  return 'c-' + d.getFullYear() + p(d.getMonth() + 1) + p(d.getDate()) + '-' + p(d.getHours()) + p(d.getMinutes()) + p(d.getSeconds());
}
async function save(then) {
  $('result').textContent = '';
  const body = definition(EDIT ? undefined : then === 'draft' ? 'draft' : 'scheduled');
  const res = await fetch(EDIT ? '/api/campaigns/' + encodeURIComponent(EDIT) : '/api/campaigns', { method: EDIT ? 'PUT' : 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const r = await res.json().catch(() => ({}));
  if (!res.ok) { showProblems(r.problems || [{ path: r.field || '(body)', message: r.error }], []); $('result').innerHTML = '<span class="bad">未保存：请先修改标红的项</span>'; return; }
  const id = r.id; let msg = r.created ? '已创建 ' + id : r.changed ? '已保存 ' + id : '没有改动';
  if (then !== 'draft' && r.status === 'draft') { await api('/api/campaigns/' + encodeURIComponent(id) + '/schedule', { method: 'POST' }); msg += '，已排期'; }
  if (then === 'run') { await api('/api/campaigns/' + encodeURIComponent(id) + '/run', { method: 'POST' }); msg += '，一分钟内开始发送'; }
  $('result').innerHTML = '<span class="ok" id="saved" data-campaign="' + esc(id) + '">' + esc(msg) + '</span> <a href="/campaigns">查看活动列表</a>';
  if (!EDIT) { EDIT = id; $('c-id').disabled = true; history.replaceState(null, '', '/campaigns/new?id=' + encodeURIComponent(id)); }
}
async function load() {
  if (LOADED) return;
  OPTS = await api('/api/campaigns/builder/options'); TZ = OPTS.timezone;
  checks($('g-stores'), [...new Set(OPTS.groups.map((g) => g.storeCode).filter(Boolean))], 'g-store', storeName);
  checks($('g-tags'), OPTS.groupTags, 'g-tag');
  checks($('m-tiers'), OPTS.memberTiers, 'm-tier');
  checks($('m-tags'), OPTS.memberTags, 'm-tag');
  checks($('m-stores'), OPTS.stores.map((s) => s.code), 'm-store', storeName);
  renderGroupList();
  $('s-weekday').innerHTML = [1, 2, 3, 4, 5, 6, 0].map((d) => '<option value="' + d + '"' + (d === 5 ? ' selected' : '') + '>' + WEEKDAYS[d] + '</option>').join('');
  $('s-monthday').innerHTML = Array.from({ length: 28 }, (_, i) => '<option value="' + (i + 1) + '"' + (i === 17 ? ' selected' : '') + '>' + (i + 1) + ' 日</option>').join('');
  const tomorrow = new Date(Date.now() + 86400000).toLocaleDateString('sv-SE', { timeZone: TZ });
  $('s-date').value = tomorrow;
  const from = EDIT || CLONE;
  if (from) {
    const c = await api('/api/campaigns/' + encodeURIComponent(from));
    const def = { ...c.definition };
    if (CLONE) { def.id = newId(); def.name = def.name + ' 副本'; def.status = 'draft'; }
    fill(def);
    $('c-mode').textContent = EDIT ? '编辑 ' + EDIT + '（' + (CAMPAIGN_STATUS[c.status] || c.status) + '）' : '复制自 ' + CLONE + '，保存为新活动';
    if (EDIT) $('c-id').disabled = true;
  } else {
    $('c-id').value = newId(); CONTENT = [{ kind: 'text', text: '' }]; renderContent(); summary();
    $('c-mode').textContent = '新建活动';
  }
  LOADED = true;
  document.querySelector('main').addEventListener('input', (e) => {
    const t = e.target;
    if (t.dataset && t.dataset.i !== undefined && t.dataset.k) CONTENT[Number(t.dataset.i)][t.dataset.k] = t.value;
    if (t.id === 'g-search') renderGroupList();
    if (t.name === 'aud-kind') showKind();
    if (t.id && t.id.startsWith('s-')) summary();
    if ($('result').querySelector('.bad')) $('result').textContent = '';
    schedulePreview();
  });
  document.querySelector('main').addEventListener('change', async (e) => {
    const t = e.target;
    if (t.dataset && t.dataset.upload !== undefined && t.files && t.files[0]) {
      const file = t.files[0]; const i = Number(t.dataset.upload);
      const data = await new Promise((res) => { const r = new FileReader(); r.onload = () => res(String(r.result).split(',')[1]); r.readAsDataURL(file); });
      try {
        const up = await api('/api/campaigns/builder/media', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: file.name, dataBase64: data }) });
        CONTENT[i] = { kind: 'image', path: up.path, name: file.name }; renderContent();
      } catch (err) { alert('上传失败：' + err.message); }
    }
    schedulePreview();
  });
  document.querySelector('main').addEventListener('click', (e) => {
    const t = e.target;
    if (t.dataset && t.dataset.add) { CONTENT.push(t.dataset.add === 'text' ? { kind: 'text', text: '' } : { kind: t.dataset.add }); renderContent(); schedulePreview(); }
    if (t.dataset && t.dataset.del !== undefined) { CONTENT.splice(Number(t.dataset.del), 1); renderContent(); schedulePreview(); }
  });
  $('g-add-button').onclick = () => {
    const id = $('g-add').value.trim(); if (!id) return;
    const keep = checked('g-room'); if (!EXTRA.includes(id)) EXTRA.push(id);
    renderGroupList(); setChecked('g-room', [...keep, id]); $('g-add').value = ''; schedulePreview();
  };
  $('save-draft').onclick = () => save('draft').catch((e) => alert(e.message));
  $('save-schedule').onclick = () => save('schedule').catch((e) => alert(e.message));
  $('run-now').onclick = () => { if (confirm('保存并立即开始发送？')) save('run').catch((e) => alert(e.message)); };
  await preview();
}`,
    86_400,
    '活动编辑',
  );
}
