import { describe, expect, it } from 'vitest';
import { shippedWakeup, editedWakeup } from './testing.js';

const refusal = (from: string, to: string) => {
  try {
    editedWakeup(from, to);
  } catch (err) {
    return (err as Error).message;
  }
  return 'accepted';
};

describe('wake-up playbook (sop/wakeup.yaml)', () => {
  it('loads the shipped file: stages 30/60/90, a coupon at stage 2, windows 10–12 and 19–21, 10% holdout, 14-day window', () => {
    const pb = shippedWakeup();
    expect(pb.stages.map((s) => s.days)).toEqual([30, 60, 90]);
    expect(pb.stages[1]!.coupon?.reward).toBe('C002');
    expect(pb.windows).toEqual([
      { startMinute: 600, endMinute: 720 },
      { startMinute: 1140, endMinute: 1260 },
    ]);
    expect(pb.holdout.share).toBe(0.1);
    expect(pb.measurement.reactivationWindowDays).toBe(14);
    expect(pb.activity).toEqual(['message', 'purchase', 'redemption']);
  });

  it('refuses bad edits with the file, the path, what was found and what is allowed', () => {
    expect(refusal('share: 0.10', 'share: 0.9')).toBe('FILE: holdout.share: expected a share between 0 and 0.5, found 0.9');
    expect(refusal('  - days: 60', '  - days: 20')).toBe('FILE: stages[1].days: expected more than stages[0].days (30), found 20');
    expect(refusal('windows: ["10:00-12:00", "19:00-21:00"]', 'windows: ["10:00-12:00", "25:00-21:00"]')).toBe(
      'FILE: windows[1]: expected a window "HH:MM-HH:MM" within one day (start before end), found "25:00-21:00"',
    );
    expect(refusal('windows: ["10:00-12:00", "19:00-21:00"]', 'windows: ["10:00-12:00", "11:00-13:00"]')).toMatch(/^FILE: windows: expected windows that do not overlap/);
    expect(refusal('activity: [message, purchase, redemption]', 'activity: [message, visit]')).toBe(
      'FILE: activity[1]: expected one of message, purchase, redemption, found "visit"',
    );
    expect(refusal('ack: "{name}，收到', 'ack: "{member}，收到')).toBe('FILE: texts.ack: unknown variable {member}; allowed: {name}');
    expect(refusal('lapseAfterDays: 14', 'lapseAfterDays: 14\nbogus: 1')).toMatch(/^FILE: \(top level\): unknown key "bogus"; allowed: activity, stages, /);
    expect(refusal('perGuidePerDay: 3', 'perGuidePerDay: 3\n  perStore: 9')).toBe('FILE: budget: unknown key "perStore"; allowed: perAccountPerDay, perGuidePerDay');
    expect(refusal('{name}，这是我们最后一次', '{coupon}，这是我们最后一次')).toBe('FILE: stages[2].texts.default: unknown variable {coupon}; allowed: {name}, {days}');
    expect(refusal('      gold: "{name}，好久不见！作为金卡', '      Gold!: "{name}，好久不见！作为金卡')).toBe(
      'FILE: stages[0].texts: "Gold!" is not a tier code (lowercase letters, digits, dashes) or "default"',
    );
    expect(refusal('{member}（{tier}', '{who}（{tier}')).toBe('FILE: texts.handover: unknown variable {who}; allowed: {member}, {tier}, {days}, {stage}, {text}, {where}');
    expect(refusal('perAccountPerDay: 200', 'perAccountPerDay: lots')).toBe('FILE: budget.perAccountPerDay: expected a whole number 0–100000, found "lots"');
    expect(refusal('lapseAfterDays: 14', 'lapseAfterDays: [')).toMatch(/^FILE: line \d+, column \d+: not valid YAML/);
  });
});
