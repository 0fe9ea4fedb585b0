import { describe, expect, it } from 'vitest';
import { describeHeaderProblems, resolveHeader, type FieldSpec } from './headers.js';
import { importKinds } from './kinds/index.js';

const members = importKinds.members.fields;
const orders = importKinds.orders;

function indexOf(header: string[], fields: readonly FieldSpec[] = members) {
  const r = resolveHeader(header, fields);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return Object.fromEntries(r.columns.index);
}

describe('resolveHeader', () => {
  it('reads Chinese headers', () => {
    expect(indexOf(['手机号', '姓名', '门店', '导购工号', '生日', '标签'])).toEqual({ phone: 0, name: 1, store: 2, guide: 3, birthday: 4, tags: 5 });
  });

  it('reads English headers in any case, with spaces or underscores', () => {
    expect(indexOf(['Mobile', 'NAME', 'Store Code', 'guide_code', 'Birthday', 'tags'])).toEqual({ phone: 0, name: 1, store: 2, guide: 3, birthday: 4, tags: 5 });
  });

  it('reads full-width and annotated headers', () => {
    expect(indexOf(['手机（必填）', '姓 名', '门店编码'])).toEqual({ phone: 0, name: 1, store: 2 });
    expect(indexOf(['ｍｏｂｉｌｅ'])).toEqual({ phone: 0 });
  });

  it('keeps the columns it does not know as ignored', () => {
    const r = resolveHeader(['手机', '备注', '', '来源'], members);
    expect(r.ok && r.columns.ignored).toEqual(['备注', '来源']);
  });

  it('reports a missing required column', () => {
    const r = resolveHeader(['姓名', '门店'], members);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems).toEqual([{ kind: 'missing', fields: [members[0]] }]);
  });

  it('reports two columns that mean the same field', () => {
    const r = resolveHeader(['手机', '姓名', '手机号'], members);
    expect(!r.ok && r.problems[0]).toMatchObject({ kind: 'ambiguous', columns: [0, 2] });
  });

  it('asks orders for the phone or the member id', () => {
    const r = resolveHeader(['订单号', '金额', '下单时间'], orders.fields, orders.oneOf);
    expect(!r.ok && r.problems[0]!.kind).toBe('missing-one-of');
    expect(resolveHeader(['订单号', '实付金额', '下单时间', '会员ID'], orders.fields, orders.oneOf).ok).toBe(true);
  });
});

describe('describeHeaderProblems', () => {
  it('names the file, the columns found, the ones required and their accepted names', () => {
    const header = ['姓名', '门店'];
    const r = resolveHeader(header, members);
    if (r.ok) throw new Error('expected problems');
    const text = describeHeaderProblems('会员.csv', header, r.problems, members, 'UTF-8 (detected)');
    expect(text).toContain('会员.csv: missing column 手机号/phone.');
    expect(text).toContain('columns found: A "姓名", B "门店"');
    expect(text).toContain('columns required: 手机号/phone');
    expect(text).toMatch(/may be named: 手机号, phone, 手机, .*mobile/);
    expect(text).toContain('read as UTF-8 (detected)');
  });
});
