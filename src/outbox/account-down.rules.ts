import type { StaffPerson } from '../core/directory.js';
import { formatLocal } from '../core/time.js';
import type { RouteChoice } from './routing.rules.js';

/**
 * The pure parts of an account going down: which waiting rows move where, who is told and what the
 * alert says.
 */

/** One queued row to move: from the down account to another one reaching its target (maybe by another contact id). */
export interface RouteMove {
  id: number;
  from: string;
  to: string;
  targetId: string;
}

/**
 * The moves for a batch of a down account's queued rows and the routing's choice for each: a row moves
 * only to an account that is up and not the down one; a row nobody else reaches stays (it waits).
 * @example downPlan('hz01', [{ id: 7 }], [{ account: 'hz02', targetId: 'c1', why: 'least-loaded' }]) // [{ id: 7, from: 'hz01', to: 'hz02', targetId: 'c1' }]
 */
export function downPlan(account: string, rows: readonly { id: number }[], choices: readonly RouteChoice[]): RouteMove[] {
  const out: RouteMove[] = [];
  rows.forEach((r, i) => {
    const c = choices[i];
    if (c && 'account' in c && c.why !== 'down-only' && c.account !== account) out.push({ id: r.id, from: account, to: c.account, targetId: c.targetId });
  });
  return out;
}

/**
 * Who hears that an account went down: HQ staff, and community admins of the account's stores or of
 * no store, with a WeChat contact (the same people SLA escalations reach at brand level).
 */
export function downRecipients(staff: readonly StaffPerson[], stores: readonly string[]): StaffPerson[] {
  return staff.filter((s) => s.contactId && (s.role === 'hq' || (s.role === 'community-admin' && (s.storeCode === null || stores.includes(s.storeCode)))));
}

/**
 * The alert, in the configured timezone.
 * @example downAlertText({ account: 'hz01', name: '西湖店 店助', reason: 'logged out', since, rerouted: 120, waiting: 3 }, 'Asia/Shanghai')
 *   // '【账号离线】西湖店 店助（hz01）自 2026-11-25 12:00 离线：logged out。120 条待发消息已改由其他账号发送，3 条等待它恢复。'
 */
export function downAlertText(d: { account: string; name: string; reason: string; since: number; rerouted: number; waiting: number }, timezone: string): string {
  const name = d.name === d.account ? d.account : `${d.name}（${d.account}）`;
  return `【账号离线】${name}自 ${formatLocal(d.since, timezone)} 离线：${d.reason}。` + `${d.rerouted} 条待发消息已改由其他账号发送，${d.waiting} 条等待它恢复。`;
}
