import { describe, expect, it } from 'vitest';
import { renderWakeupReport, type WakeupReport } from './report.js';

const arm = { n: 10, reactivated: 3, rate: 0.3, ci: null, windowOpen: 0 };

describe('renderWakeupReport', () => {
  it('names tiers by the playbook, aligned by terminal columns', () => {
    const report: WakeupReport = {
      generatedAt: 0,
      windowDays: 14,
      method: 'newcombe-hybrid-score-95',
      rows: [
        { stage: 1, tier: 'regular', treatment: arm, holdout: arm, lift: { diff: 0, ci: null } },
        { stage: 1, tier: 'vip-x', treatment: arm, holdout: arm, lift: { diff: 0, ci: null } },
      ],
      episodes: { treatment: 10, holdout: 10, active: 0, lapsed: 0, stoppedBy: {} },
      sends: {},
      suggestions: 0,
      coupons: { issued: 0, used: 0 },
      handovers: 0,
    };
    const lines = renderWakeupReport(report, new Map([['regular', '普卡']])).split('\n');
    expect(lines.find((l) => l.startsWith('1      普卡     '))).toBeDefined();
    expect(lines.find((l) => l.startsWith('1      vip-x    '))).toBeDefined();
    expect(lines.join('\n')).not.toContain('regular');
  });
});
