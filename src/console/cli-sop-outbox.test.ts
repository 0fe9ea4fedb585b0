import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, openDb } from '../platform/db/client.js';
import { outbox } from '../platform/db/schema.js';
import { AuditRepo } from './audit.repo.js';
import { runCliIn } from '../../test/support/cli.js';
import { commands } from './cli.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'siyu-cli-sop-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const cli = (...argv: string[]) => runCliIn(dir, argv, { env: { USER: 'lin' } });

describe('sop check', () => {
  it('prints every shipped playbook ok (exit 0)', async () => {
    const r = await cli('sop', 'check', '--dir', path.resolve('sop'));
    expect(r.code).toBe(0);
    for (const f of ['membership.yaml', 'guide-daily.yaml', 'sla.yaml', 'friends.yaml', 'wakeup.yaml', 'campaigns/member-day.yaml'])
      expect(r.out).toMatch(new RegExp(`^ok +\\S*${f.replace('.', '\\.')}$`, 'm'));
    expect(r.out).toMatch(/all \d+ playbooks are valid/);
  });

  it('names the file, the path and what is allowed for each problem (exit 1), and says the same in JSON', async () => {
    const sop = path.join(dir, 'sop');
    cpSync(path.resolve('sop'), sop, { recursive: true });
    const day = path.join(sop, 'campaigns', 'member-day.yaml');
    writeFileSync(day, readFileSync(day, 'utf8').replace('  groups:\n', '  groups:\n    city: [杭州]\n'));
    const wake = path.join(sop, 'wakeup.yaml');
    writeFileSync(wake, `${readFileSync(wake, 'utf8')}\nsurprise: 1\n`);
    const r = await cli('sop', 'check', '--dir', sop);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^PROBLEM +sop\/campaigns\/member-day\.yaml$/m);
    expect(r.out).toMatch(/sop\/campaigns\/member-day\.yaml: audience\.groups.*: .*"city".*allowed: .*stores/);
    expect(r.out).toMatch(/sop\/wakeup\.yaml: .*surprise/);
    expect(r.out).toMatch(/^ok +sop\/membership\.yaml$/m);
    expect(r.out).toContain('2 of ');
    const j = await cli('sop', 'check', '--dir', sop, '--json');
    expect(j.code).toBe(1);
    const checks = JSON.parse(j.out) as { kind: string; file: string; ok: boolean; problems: { path: string }[] }[];
    expect(
      checks
        .filter((c) => !c.ok)
        .map((c) => c.kind)
        .sort(),
    ).toEqual(['campaign', 'wakeup']);
    expect(checks.find((c) => c.kind === 'campaign' && !c.ok)!.problems[0]!.path).toMatch(/^audience\.groups/);
  });

  it('names the line and the field of a bad accounts registry entry, once each, and never echoes a token pasted into it', async () => {
    const sop = path.join(dir, 'sop');
    cpSync(path.resolve('sop'), sop, { recursive: true });
    const accounts = readFileSync(path.resolve('data/demo/accounts.yaml'), 'utf8');
    writeFileSync(path.join(sop, 'accounts.yaml'), accounts.replace('    role: hq\n', '    role: boss\n'));
    const r = await cli('sop', 'check', '--dir', sop);
    expect(r.code).toBe(1);
    const line = accounts.split('\n').indexOf('    role: hq') + 1;
    expect(r.out).toContain(`sop/accounts.yaml: line ${line}: accounts[2].role: expected one of store, hq, guide, found "boss"\n`);
    writeFileSync(path.join(sop, 'accounts.yaml'), accounts.replace('    role: hq\n', '    role: hq\n    token: s3cret-token\n'));
    const t = await cli('sop', 'check', '--dir', sop, '--json');
    expect(t.code).toBe(1);
    expect(t.out).not.toContain('s3cret-token');
    const problem = (JSON.parse(t.out) as { kind: string; problems: { path: string; line?: number }[] }[]).find((c) => c.kind === 'accounts')!.problems[0];
    expect(problem).toMatchObject({ path: 'accounts[2].token', line: line + 1 });
  });

  it('refuses a wrong command line (exit 2) and has --help', async () => {
    expect((await cli('sop')).code).toBe(2);
    expect((await cli('sop', 'lint')).err).toContain('sop commands are check');
    expect((await cli('sop', '--help')).out).toContain('Usage: npm run cli -- sop check');
  });
});

describe('outbox', () => {
  function seed(): void {
    const db = openDb(path.join(dir, 'siyu.db'));
    const at = Date.parse('2026-11-25T03:00:00Z');
    const base = {
      account: 'main',
      targetKind: 'contact' as const,
      content: '{"kind":"text","text":"您好 13800000001"}',
      priority: 6,
      createdAt: at,
      updatedAt: at,
      notBefore: at,
    };
    db.insert(outbox)
      .values([
        { ...base, key: 'k1', targetId: 'm001', purpose: 'campaign', status: 'skipped', reason: 'member-cap 1/day reached' },
        { ...base, key: 'k2', targetId: 'm002', purpose: 'reply', status: 'failed', reason: 'contact not found', attempts: 5 },
        { ...base, key: 'k3', targetId: 'm003', purpose: 'campaign', status: 'skipped', reason: 'paused' },
        // Held overnight by quiet hours: until 08:30 Shanghai the next morning.
        { ...base, key: 'k4', targetId: 'm004', purpose: 'campaign', status: 'queued', deferredUntil: Date.parse('2026-11-26T00:30:00Z'), deferredWhy: 'quiet-hours' },
      ])
      .run();
    closeDb(db);
  }

  it('lists messages with why each is where it is, as a table or JSON, filtered by status', async () => {
    seed();
    const r = await cli('outbox', 'list');
    expect(r.code).toBe(0);
    expect(r.out).toContain('该会员今日营销消息已达上限（每天 1 条）');
    expect(r.out).toContain('活动已暂停，消息暂缓（恢复后发送）');
    const j = JSON.parse((await cli('outbox', 'list', '--status', 'failed', '--json')).out) as { key: string; why: string }[];
    expect(j.map((x) => x.key)).toEqual(['k2']);
    expect(j[0]!.why).toBe('发送失败：contact not found');
    expect((await cli('outbox', 'list', '--status', 'lost')).code).toBe(2);
  });

  it('lists past 500 in pages: each message as text, addressed by name; --before continues', async () => {
    seed();
    const db = openDb(path.join(dir, 'siyu.db'));
    const at = Date.parse('2026-11-25T03:00:00Z');
    db.$client.prepare("insert into members (contact_id, name, tier, referral_code, created_at, updated_at) values ('m001', '王女士', 'regular', 'RC1', 0, 0)").run();
    db.$client.prepare("insert into groups (room_id, name, created_at, updated_at) values ('g1@chatroom', '湖滨宝妈群', 0, 0)").run();
    const insert = db.$client.prepare(`insert into outbox (key, account, target_kind, target_id, content, purpose, priority, status, created_at, updated_at)
      values (?, 'main', 'room', 'g1@chatroom', '{"kind":"link","url":"https://x.cn","title":"会员日清单"}', 'campaign', 6, 'sent', ?, ?)`);
    db.$client.transaction(() => {
      for (let i = 0; i < 1200; i++) insert.run(`bulk-${i}`, at, at);
    })();
    closeDb(db);
    const r = await cli('outbox', 'list', '--limit', '1100');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(1101); // the header and 1,100 messages
    expect(lines[1]).toMatch(/^\s+1204\s.*湖滨宝妈群\s+\[链接\] 会员日清单/u);
    const all = JSON.parse((await cli('outbox', 'list', '--limit', '5000', '--json')).out) as { id: number; targetName: string; text: string }[];
    expect(all).toHaveLength(1204);
    expect(all.at(-1)).toMatchObject({ id: 1, targetName: '王女士', text: '您好 138****0001' });
    const next = await cli('outbox', 'list', '--before', '4', '--json');
    expect((JSON.parse(next.out) as { id: number }[]).map((x) => x.id)).toEqual([3, 2, 1]);
    expect((await cli('outbox', 'list', '--before', 'x')).code).toBe(2);
  });

  it('shows one message with the phone masked', async () => {
    seed();
    const r = await cli('outbox', 'show', '1');
    expect(r.code).toBe(0);
    expect(r.out).toContain('138****0001');
    expect(r.out).not.toContain('13800000001');
    expect((await cli('outbox', 'show', '99')).code).toBe(1);
  });

  it('says a deferred message waits, until when and why, in list and show', async () => {
    seed();
    expect((await cli('outbox', 'show', '4')).out).toMatch(/^#4 {2}deferred until 11-26 08:30 \(quiet hours\)/);
    expect((await cli('outbox', 'list')).out).toMatch(/ 4 .*deferred until 11-26 08:30 \(quiet hours\) +campaign +m004 /);
    const j = JSON.parse((await cli('outbox', 'show', '4', '--json')).out) as { status: string; state: string };
    expect(j).toMatchObject({ status: 'queued', state: 'deferred until 11-26 08:30 (quiet hours)' });
  });

  it('shows a re-routed message with how often it moved, and an unreachable one with why', async () => {
    seed();
    const db = openDb(path.join(dir, 'siyu.db'));
    const at = Date.parse('2026-11-25T03:00:00Z');
    const base = { targetKind: 'contact' as const, content: '{"kind":"text","text":"会员日"}', priority: 6, createdAt: at, updatedAt: at, purpose: 'campaign' };
    db.insert(outbox)
      .values([
        { ...base, key: 'k5', account: 'hz02', targetId: 'm005', status: 'sent', rerouted: 1 },
        {
          ...base,
          key: 'k6',
          account: '',
          targetId: 'm006',
          status: 'unreachable',
          reason: "no enabled account is a friend of contact m006 (nor of the member's other contact ids)",
        },
      ])
      .run();
    closeDb(db);
    expect((await cli('outbox', 'show', '5')).out).toContain('account   hz02 (re-routed 1× after an account went down)');
    const lost = await cli('outbox', 'show', '6');
    expect(lost.out).toMatch(/^#6 {2}unreachable {2}\(没有启用的账号能联系到对方，未发送：no enabled account is a friend of contact m006/u);
    expect(lost.out).toContain('account   - (none reaches the target)');
    const j = JSON.parse((await cli('outbox', 'list', '--status', 'unreachable', '--json')).out) as { key: string }[];
    expect(j.map((x) => x.key)).toEqual(['k6']);
  });

  it('retries only a failed message, and audits both answers', async () => {
    seed();
    expect((await cli('outbox', 'retry', '1')).code).toBe(1);
    const ok = await cli('outbox', 'retry', '#2');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('#2 queued again');
    const db = openDb(path.join(dir, 'siyu.db'));
    try {
      expect(db.$client.prepare('select status from outbox where id = 2').pluck().get()).toBe('queued');
      expect(new AuditRepo(db).recent().map((a) => [a.actor, a.channel, a.action, a.target, a.result.replace(/:.*/s, '')])).toEqual([
        ['cli:lin', 'cli', 'outbox.retry', '2', 'ok'],
        ['cli:lin', 'cli', 'outbox.retry', '1', 'refused'],
      ]);
    } finally {
      closeDb(db);
    }
  });

  it('every command answers --help', async () => {
    for (const c of commands) {
      const r = await cli(c.name, '--help');
      expect(r.code, c.name).toBe(0);
      expect(r.out, c.name).toContain('Usage: npm run cli --');
    }
  });
});
