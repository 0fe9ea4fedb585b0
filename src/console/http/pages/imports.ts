import { IMPORT_KINDS } from '../../../members/index.js';
import { renderPage, type PageOptions } from './layout.js';

const KIND_NAMES: Record<(typeof IMPORT_KINDS)[number], string> = { stores: '门店', staff: '员工', members: '会员', groups: '社群', orders: '订单' };

/**
 * `/imports`: upload a CSV (stores, staff, members, groups, orders), see the dry run (counts, and every
 * bad row with its row, column, value and why), then apply it; progress shows while a large file runs.
 */
export function importsPage(o: PageOptions): string {
  return renderPage(
    o,
    '/members',
    `
  <section class="panel wide"><h2>导入 CSV（先检查，再导入）</h2>
    <div class="row"><label>类型 <select id="kind">${IMPORT_KINDS.map((k) => `<option value="${k}">${KIND_NAMES[k]}（${k}）</option>`).join('')}</select></label>
      <input type="file" id="file" accept=".csv,.txt,text/csv">
      <label><input type="checkbox" id="partial"> 有错误行时仍导入正确的行</label>
      <button type="button" id="check">检查（不写入）</button> <button type="button" id="apply" disabled>导入</button></div>
    <p class="note">支持 Excel 导出的 UTF-8 或 GBK 文件，中英文表头均可。顺序：门店 → 员工 → 会员 → 社群 → 订单。默认有任何错误行时整份文件不导入。每次检查和导入都以你的名字记入审计。</p>
    <div id="progress" class="note"></div>
    <div id="summary"></div>
    <table id="issues" hidden><thead><tr><th>行</th><th>列</th><th>值</th><th>问题</th></tr></thead><tbody></tbody></table>
  </section>
  <style> .row { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; } </style>`,
    `
let CHECKED = null;
async function upload(dryRun) {
  const f = document.getElementById('file').files[0];
  if (!f) { alert('请先选择文件'); return; }
  const data = await new Promise((res) => { const r = new FileReader(); r.onload = () => res(String(r.result).split(',')[1] || ''); r.readAsDataURL(f); });
  const kind = document.getElementById('kind').value;
  const { id } = await api('/api/imports', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind, name: f.name, dataBase64: data, dryRun, allowPartial: document.getElementById('partial').checked }) });
  document.getElementById('summary').innerHTML = ''; document.getElementById('issues').hidden = true;
  for (;;) {
    const j = await api('/api/imports/' + id);
    const p = j.progress;
    document.getElementById('progress').textContent = p ? (p.committing ? '已读 ' + p.rows + ' 行，正在写入…' : '已读 ' + p.rows + ' 行（' + Math.round(100 * p.bytesRead / Math.max(1, p.bytesTotal)) + '%）') : '处理中…';
    if (j.done) { show(j, kind, dryRun); return; }
    await new Promise((r) => setTimeout(r, 400));
  }
}
function show(j, kind, dryRun) {
  document.getElementById('progress').textContent = '';
  if (j.error) { document.getElementById('summary').innerHTML = '<p class="bad" id="import-error">' + esc(j.error) + '</p>'; return; }
  const r = j.result;
  const state = r.applied ? '<span class="ok">已导入</span>' : dryRun ? (r.bad ? '<span class="bad">检查完成：有错误行，未写入</span>' : '<span class="ok">检查通过，可以导入</span>') : '<span class="bad">有错误行，未导入任何数据</span>';
  document.getElementById('summary').innerHTML = '<p id="import-state" data-applied="' + r.applied + '" data-bad="' + r.bad + '">' + state + '</p><p>' + esc(j.name) + '（' + esc(r.encoding) + '）：共 ' + r.rows + ' 行；新增 ' + r.created + '，更新 ' + r.updated + '，不变 ' + r.unchanged + '，空行 ' + r.skipped + '，错误 ' + r.bad + ' 行</p>';
  const t = document.getElementById('issues');
  t.hidden = r.issues.length === 0;
  t.querySelector('tbody').innerHTML = r.issues.map((i) => '<tr><td>' + i.row + '</td><td>' + esc(i.columnLetter ? i.columnLetter + '（' + i.column + '）' : '整行') + '</td><td>' + esc(i.value) + '</td><td>' + esc(i.why) + '</td></tr>').join('')
    + (r.issuesOmitted ? '<tr><td colspan="4" class="note">另有 ' + r.issuesOmitted + ' 个问题未列出</td></tr>' : '');
  CHECKED = dryRun && (r.bad === 0 || document.getElementById('partial').checked) ? kind : null;
  document.getElementById('apply').disabled = !CHECKED;
}
document.getElementById('check').onclick = () => upload(true).catch((e) => alert(e.message));
document.getElementById('apply').onclick = () => { if (confirm('确定导入？')) upload(false).catch((e) => alert(e.message)); };
document.getElementById('file').onchange = () => { CHECKED = null; document.getElementById('apply').disabled = true; };
async function load() {}`,
    86_400,
    '导入',
  );
}
