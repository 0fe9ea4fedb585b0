import { describe, expect, it } from 'vitest';
import { routeTier } from './alerts.rules.js';
import type { StaffEntry } from './sla.repo.js';

const s = (code: string, role: StaffEntry['role'], storeCode: string | null, contactId: string | null = `c-${code}`): StaffEntry => ({
  code,
  name: code,
  role,
  storeCode,
  contactId,
});
const staff = [s('G1', 'guide', 'HZ01'), s('G2', 'guide', 'HZ01', null), s('MGR', 'store-manager', 'HZ01'), s('ADM2', 'community-admin', 'SH01'), s('HQ1', 'hq', null)];
const codes = (r: { recipients: StaffEntry[] }) => r.recipients.map((x) => x.code);

describe('who an SLA tier alerts, with fallbacks', () => {
  it("takes the tier's own recipients when it has any", () => {
    expect(routeTier('owner-guide', { storeCode: 'HZ01', guideCode: 'G1' }, staff)).toMatchObject({ via: 'tier' });
  });

  it('falls back from a guide without a WeChat contact to the store manager', () => {
    const r = routeTier('owner-guide', { storeCode: 'HZ01', guideCode: 'G2' }, staff);
    expect([r.via, codes(r)]).toEqual(['store-manager', ['MGR']]);
  });

  it("falls back to the group owner before the manager when the tier's people are missing", () => {
    const r = routeTier(
      'admins',
      { storeCode: 'HZ01', guideCode: 'G1' },
      staff.filter((x) => x.code !== 'HQ1'),
    );
    expect([r.via, codes(r)]).toEqual(['owner-guide', ['G1']]);
  });

  it("reaches the brand's community admins (any store) and HQ for a contact with no store and no guide", () => {
    const r = routeTier('owner-guide', { storeCode: null, guideCode: null }, staff);
    expect([r.via, codes(r)]).toEqual(['brand', ['ADM2', 'HQ1']]);
  });

  it('says none when nobody at all can be alerted', () => {
    expect(
      routeTier(
        'hq',
        { storeCode: null, guideCode: null },
        staff.map((x) => ({ ...x, contactId: null })),
      ),
    ).toEqual({ recipients: [], via: 'none' });
  });
});
