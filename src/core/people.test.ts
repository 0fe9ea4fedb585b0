import { describe, expect, it } from 'vitest';
import { personLabels } from './people.js';

describe('personLabels: two people of the same name are told apart', () => {
  it('keeps unique names bare, adds the 工号 within one store and the store across stores', () => {
    const labels = personLabels([
      { code: 'HZ01-G03', name: '黄静怡', store: '杭州湖滨店' },
      { code: 'HZ01-G07', name: '黄静怡', store: '杭州湖滨店' },
      { code: 'HZ01-G01', name: '王晓燕', store: '杭州湖滨店' },
      { code: 'HZ01-G02', name: '李静', store: '杭州湖滨店' },
      { code: 'SH02-G01', name: '李静', store: '上海南京路店' },
      { code: 'HQ-01', name: '林可欣', store: null },
      { code: 'HZ01-A1', name: '林可欣', store: '杭州湖滨店' },
    ]);
    expect(Object.fromEntries(labels)).toEqual({
      'HZ01-G03': '黄静怡（HZ01-G03）',
      'HZ01-G07': '黄静怡（HZ01-G07）',
      'HZ01-G01': '王晓燕',
      'HZ01-G02': '李静（杭州湖滨店）',
      'SH02-G01': '李静（上海南京路店）',
      'HQ-01': '林可欣（HQ-01）',
      'HZ01-A1': '林可欣（HZ01-A1）',
    });
  });

  it('names someone without a name by their code', () => {
    expect(personLabels([{ code: 'G9', name: ' ' }]).get('G9')).toBe('G9');
  });
});
