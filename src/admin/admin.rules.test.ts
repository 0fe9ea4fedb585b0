import { describe, expect, it } from 'vitest';
import { isAdminRole, parseAdminCommand } from './admin.rules.js';

describe('admin chat commands', () => {
  it('reads each command, with full-width characters, spaces and a trailing mark', () => {
    expect(parseAdminCommand('今日')).toEqual({ kind: 'today' });
    expect(parseAdminCommand(' 今日概况。')).toEqual({ kind: 'today' });
    expect(parseAdminCommand('待回复')).toEqual({ kind: 'waiting' });
    expect(parseAdminCommand('活动')).toEqual({ kind: 'campaigns' });
    expect(parseAdminCommand('暂停活动 member-day')).toEqual({ kind: 'pause', id: 'member-day' });
    expect(parseAdminCommand('暂停活动：ｍｅｍｂｅｒ-day')).toEqual({ kind: 'pause', id: 'member-day' });
    expect(parseAdminCommand('恢复活动member-day')).toEqual({ kind: 'resume', id: 'member-day' });
    expect(parseAdminCommand('查会员 138 0000 0001')).toEqual({ kind: 'member', query: '13800000001' });
    expect(parseAdminCommand('查会员 张丽娜')).toEqual({ kind: 'member', query: '张丽娜' });
  });

  it('asks for the argument when it is missing', () => {
    expect(parseAdminCommand('暂停活动')).toEqual({ kind: 'pause', id: null });
    expect(parseAdminCommand('查会员')).toEqual({ kind: 'member', query: null });
  });

  it('leaves everything else to the other capabilities', () => {
    for (const t of ['积分', '帮助', '待处理', '活动什么时候开始', '今日有活动吗', '朋友圈 2', '']) expect(parseAdminCommand(t), t).toBeNull();
  });

  it('lets store managers, community admins and HQ in, not guides', () => {
    expect(['store-manager', 'community-admin', 'hq'].every((r) => isAdminRole(r as never))).toBe(true);
    expect(isAdminRole('guide')).toBe(false);
    expect(isAdminRole(null)).toBe(false);
  });
});
