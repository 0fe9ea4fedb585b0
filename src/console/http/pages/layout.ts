/**
 * The shell every dashboard page shares: header, navigation, styles and a small client library
 * (`api()`, `chart()`, `esc()`, `time()`, Chinese labels). Each page supplies its body and script.
 * ECharts is served by the bot itself (`/assets/echarts.min.js`); nothing comes from the internet.
 */

/** The pages, in navigation order: path, title. */
export const PAGES = [
  { path: '/', title: '总览' },
  { path: '/guides', title: '导购 3+3+3' },
  { path: '/sla', title: '响应时效' },
  { path: '/campaigns', title: '群发活动' },
  { path: '/wakeup', title: '沉睡唤醒' },
  { path: '/members', title: '会员' },
  { path: '/groups', title: '社群健康' },
  { path: '/outbox', title: '发送与队列' },
  { path: '/accounts', title: '账号' },
  { path: '/settings', title: '运营设置' },
] as const;

export type PagePath = (typeof PAGES)[number]['path'];

/** What every page is rendered with. */
export interface PageOptions {
  /** The bot's TIMEZONE: every time on the page is shown in it. */
  timezone: string;
}

const STYLE = `
  body { font-family: -apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; margin: 0; background: #f4f6f9; color: #1f2d3d; }
  header { background: #07c160; color: #fff; padding: 10px 24px; display: flex; justify-content: space-between; align-items: center; }
  header h1 { font-size: 18px; margin: 0; }
  nav { background: #fff; padding: 0 16px; border-bottom: 1px solid #e5e9f0; display: flex; flex-wrap: wrap; }
  nav a { color: #475669; text-decoration: none; padding: 10px 12px; font-size: 14px; border-bottom: 2px solid transparent; }
  nav a.on { color: #07c160; border-bottom-color: #07c160; font-weight: 600; }
  main { padding: 16px 24px; display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 16px; }
  .cards { grid-column: 1 / -1; display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 16px; }
  .card, .panel { background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.08); padding: 14px 16px; }
  .card .label { color: #8492a6; font-size: 13px; } .card .value { font-size: 26px; font-weight: 600; margin-top: 4px; }
  .panel h2 { font-size: 15px; margin: 0 0 8px; } .chart { height: 300px; } .note { color: #8492a6; font-size: 12px; }
  .ok { color: #07c160; } .bad { color: #e64340; } .warn { color: #f0a020; }
  table { width: 100%; border-collapse: collapse; font-size: 13px; } td, th { text-align: left; padding: 5px 6px; border-bottom: 1px solid #eef1f5; }
  button { background: #07c160; color: #fff; border: 0; border-radius: 4px; padding: 3px 10px; cursor: pointer; font-size: 13px; }
  button.grey { background: #8492a6; } button.red { background: #e64340; } button:disabled { opacity: .4; cursor: default; }
  select, input { font-size: 13px; padding: 2px 4px; }
  .wide { grid-column: 1 / -1; }
  a.button { background: #07c160; color: #fff; border-radius: 4px; padding: 4px 12px; text-decoration: none; font-size: 13px; display: inline-block; }
  a.button.grey { background: #8492a6; }
  @media (max-width: 600px) { main { padding: 8px; grid-template-columns: 1fr; } header { padding: 8px 12px; } .panel { overflow-x: auto; } }
`;

/** Shared client code: fetch JSON (errors shown in the header), chart registry, labels. */
const CLIENT = `
const STATUS = { queued: '待发送', sending: '发送中', sent: '已发送', failed: '失败', skipped: '已跳过', expired: '已过期', unknown: '未知', unreachable: '无账号可达' };
const PURPOSE = { reply: '回复', alert: '告警', 'staff-prompt': '员工提醒', service: '服务', care: '关怀', campaign: '群发活动', 'wake-up': '沉睡唤醒' };
const CAMPAIGN_STATUS = { draft: '草稿', scheduled: '已排期', running: '进行中', paused: '已暂停', done: '已结束', cancelled: '已取消' };
window.__charts = {};
function chart(id) { return window.__charts[id] ??= echarts.init(document.getElementById(id)); }
function esc(s) { return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c])); }
let TZ = document.body.dataset.tz || undefined;
/** The same format as the CLI and chat (core/time.ts formatLocal): YYYY-MM-DD HH:mm in the bot's zone. */
function time(ms) { return ms ? new Date(ms).toLocaleString('sv-SE', { timeZone: TZ }).slice(0, 16) : ''; }
function pct(x) { return x === null || x === undefined ? '—' : (x * 100).toFixed(1) + '%'; }
/** Every local day from \`from\` to \`to\` (YYYY-MM-DD), so a trend shows its whole range. */
function dayRange(from, to) {
  const out = []; let t = Date.parse(from + 'T12:00:00Z'); const end = Date.parse(to + 'T12:00:00Z');
  while (t <= end && out.length < 400) { out.push(new Date(t).toISOString().slice(0, 10)); t += 86400000; }
  return out;
}
function setStatus(text) { document.getElementById('updated').textContent = text; }
async function api(path, opts) {
  const res = await fetch(path, opts);
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error || ('HTTP ' + res.status));
  return body;
}
function done() {
  setStatus('更新于 ' + new Date().toLocaleTimeString('zh-CN', { hour12: false, timeZone: TZ }));
  document.body.dataset.loaded = 'true';
}
async function run(load) {
  try { await load(); done(); } catch (err) { setStatus('无法加载：' + err.message); document.body.dataset.error = err.message; }
}
window.addEventListener('resize', () => Object.values(window.__charts).forEach((c) => c.resize()));
`;

/**
 * A full page: the shell with `body` (sections inside the grid) and `script` (which must define an
 * async `load()`; it runs at once and every `refreshSeconds`).
 */
export function renderPage(o: PageOptions, path: PagePath, body: string, script: string, refreshSeconds = 30, title?: string): string {
  const page = { ...PAGES.find((p) => p.path === path)!, ...(title ? { title } : {}) };
  const nav = [...PAGES.map((p) => `<a href="${p.path}"${p.path === path ? ' class="on"' : ''}>${p.title}</a>`), '<a href="/queues" target="_blank">队列 (bull-board)</a>'].join(
    '',
  );
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} · 私域运营控制台</title>
<style>${STYLE}</style>
</head>
<body data-page="${path}" data-tz="${o.timezone.replace(/[^\w/+-]/g, '')}">
<header><h1>私域运营控制台 · ${page.title}</h1><span id="updated">加载中…</span></header>
<nav>${nav}</nav>
<main>
${body}
</main>
<script src="/assets/echarts.min.js"></script>
<script>${CLIENT}
${script}
run(load); setInterval(() => run(load), ${refreshSeconds * 1000});
</script>
</body>
</html>`;
}

/** The login form (no token yet, or a wrong one). */
export function renderLogin(error: string | null, next: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>登录 · 私域运营控制台</title>
<style>${STYLE} form { max-width: 360px; margin: 80px auto; } input { width: 100%; box-sizing: border-box; padding: 8px; margin: 8px 0 12px; } button { padding: 8px 16px; }</style></head>
<body>
<header><h1>私域运营控制台</h1><span></span></header>
<form method="post" action="/login" class="panel">
  <h2>登录</h2>
  <label>控制台令牌（CONSOLE_TOKEN）<input type="password" name="token" autofocus autocomplete="current-password"></label>
  <input type="hidden" name="next" value="${next.replace(/[^\w\-/]/g, '')}">
  ${error ? `<p class="bad">${error}</p>` : ''}
  <button type="submit">进入控制台</button>
</form>
</body>
</html>`;
}
