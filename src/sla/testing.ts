import { readFileSync } from 'node:fs';
import type { Clock } from '../core/clock.js';
import type { InboundMessage } from '../core/messages.js';
import type { Db } from '../platform/db/client.js';
import { groups, members, staff, stores } from '../platform/db/schema.js';
import { parseSlaPlaybook, type SlaPlaybook } from './sla.playbook.js';

/** Test helpers for the SLA: playbooks, a small store, messages. */

/** The shipped `sop/sla.yaml`, with text edits applied (e.g. short tiers). */
export function testPlaybook(edit: (yaml: string) => string = (s) => s): SlaPlaybook {
  return parseSlaPlaybook(edit(readFileSync('sop/sla.yaml', 'utf8')), 'sop/sla.yaml');
}

/** Tiers in seconds, service all day every day, every answered private question surveyed. */
export function fastPlaybookYaml(
  yaml: string,
  tiers: [string, string][] = [
    ['1s', 'owner-guide'],
    ['2s', 'store-manager'],
    ['3s', 'admins'],
  ],
): string {
  const tierText = `tiers:\n${tiers.map(([after, to]) => `  - after: ${after}\n    to: ${to}\n`).join('')}`;
  return yaml
    .replace(/tiers:\n(?: {2}- after: .*\n {4}to: .*\n)+/u, tierText)
    .replace('hours: "09:00-21:00"', 'hours: "00:00-24:00"')
    .replace('holidays: closed', 'holidays: open')
    .replace('bundleSeconds: 1', 'bundleSeconds: 0.3')
    .replace('sampleRate: 0.3', 'sampleRate: 1')
    .replace('target: 5m', `target: ${tiers[0]![0]}`);
}

/**
 * Store HZ01 with guides 王晓燕 (G1, contact guide-1, group g1@chatroom) and 李静 (G2, guide-2, group
 * g2@chatroom), manager 陈建华 (MGR, mgr-1), admin 林可欣 (ADM, admin-1, no store), HQ 周 (HQ1, no contact);
 * member 张丽娜 (contact m1, guide G2).
 */
export function seedSlaStore(db: Db, now = 0): void {
  db.insert(stores).values({ code: 'HZ01', name: '杭州湖滨店', createdAt: now }).onConflictDoNothing().run();
  const s = (code: string, name: string, role: typeof staff.$inferInsert.role, contactId: string | null, storeCode: string | null = 'HZ01') => ({
    code,
    name,
    role,
    contactId,
    storeCode,
    createdAt: now,
    updatedAt: now,
  });
  db.insert(staff)
    .values([
      s('G1', '王晓燕', 'guide', 'guide-1'),
      s('G2', '李静', 'guide', 'guide-2'),
      s('MGR', '陈建华', 'store-manager', 'mgr-1'),
      s('ADM', '林可欣', 'community-admin', 'admin-1', null),
      s('HQ1', '周', 'hq', null, null),
    ])
    .onConflictDoNothing()
    .run();
  db.insert(groups)
    .values([
      { roomId: 'g1@chatroom', name: '湖滨店宝妈1群', storeCode: 'HZ01', guideCode: 'G1', createdAt: now, updatedAt: now },
      { roomId: 'g2@chatroom', name: '湖滨店宝妈2群', storeCode: 'HZ01', guideCode: 'G2', createdAt: now, updatedAt: now },
    ])
    .onConflictDoNothing()
    .run();
  db.insert(members)
    .values({ contactId: 'm1', name: '张丽娜', storeCode: 'HZ01', guideCode: 'G2', tier: 'regular', referralCode: 'SLA0001', createdAt: now, updatedAt: now })
    .onConflictDoNothing()
    .run();
}

/**
 * A clock that starts at a chosen instant and runs at the speed of real time, so BullMQ's delays (wall
 * time) and the SLA's deadlines (this clock) agree, while the day and hour stay the test's choice.
 */
export class ShiftedClock implements Clock {
  private readonly offset: number;
  constructor(start: Date | number) {
    this.offset = new Date(start).getTime() - Date.now();
  }
  now(): Date {
    return new Date(Date.now() + this.offset);
  }
}

let seq = 0;

/** An inbound message: a member's text in group g1@chatroom unless overridden. */
export function inbound(over: Partial<InboundMessage> = {}): InboundMessage {
  return {
    id: `sla-msg-${++seq}`,
    account: 'main',
    talkerId: 'm2',
    talkerName: '王小丫',
    roomId: 'g1@chatroom',
    roomTopic: '湖滨店宝妈1群',
    type: 'text',
    text: '请问这款奶粉几段适合一岁宝宝？',
    mentionSelf: false,
    mentionIds: [],
    self: false,
    providerAt: 0,
    ...over,
  };
}
