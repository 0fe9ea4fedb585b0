/** Fields and checks several import kinds share. */
import type { FieldSpec } from '../headers.js';
import type { KnownCodes } from '../known-codes.js';
import type { FieldProblem } from '../types.js';

export const phoneField = {
  key: 'phone',
  label: '手机号/phone',
  phone: true,
  aliases: ['手机号', '手机', '手机号码', '会员手机号', '移动电话', '联系电话', '电话', 'mobile', 'phone', 'tel', 'cellphone', 'phone number'],
} as const satisfies FieldSpec;

export const storeRefField = {
  key: 'store',
  label: '门店/store',
  aliases: ['门店', '门店编码', '门店代码', '门店编号', '门店号', '所属门店', '店铺编码', 'store', 'store code', 'shop'],
} as const satisfies FieldSpec;

export const guideRefField = {
  key: 'guide',
  label: '导购/guide',
  meaning: 'owner guide',
  aliases: ['导购', '导购工号', '导购编号', '专属导购', '所属导购', '负责导购', '群主', '群主导购', '群负责人', 'guide', 'guide code', 'owner'],
} as const satisfies FieldSpec;

export const tagsField = {
  key: 'tags',
  label: '标签/tags',
  aliases: ['标签', '会员标签', '群标签', 'tags', 'tag', 'labels'],
} as const satisfies FieldSpec;

/**
 * A person's WeChat / WeCom contact id (wxid, WeCom external_userid): what the bot sees when they write.
 * Members and staff files name it the same ways.
 */
export const contactIdField = {
  key: 'contactId',
  label: '微信ID/contact_id',
  aliases: [
    '微信ID',
    '微信用户ID',
    'wxid',
    'contact_id',
    'contact id',
    'contact',
    'external_userid',
    'external userid',
    'externaluserid',
    '外部联系人ID',
    '企微外部联系人ID',
    '企业微信ID',
    '企微ID',
    'wechat id',
    'wecom id',
  ],
} as const satisfies FieldSpec;

/** The brand's WeChat unionid for a person (one per person across the brand's accounts and apps). */
export const unionidField = {
  key: 'unionid',
  label: 'unionid',
  aliases: ['unionid', 'union id', '微信unionid', 'UnionID'],
} as const satisfies FieldSpec;

/**
 * First row of each key in the file, to report repeats: "row 12 has the same phone". Keys are kept as
 * given (use numbers where possible: a million phone numbers as numbers take far less memory).
 */
export class FirstSeen<K> {
  private readonly rows = new Map<K, number>();

  /** Records `key` at `row`; returns the earlier row when the key was seen before. */
  repeatOf(key: K, row: number): number | undefined {
    const first = this.rows.get(key);
    if (first !== undefined) return first;
    this.rows.set(key, row);
    return undefined;
  }
}

/** The answer of a check that found nothing (shared, frozen: never push to it). */
export const NO_PROBLEMS: FieldProblem[] = Object.freeze([]) as unknown as FieldProblem[];

/** The problem of a key that appeared before in the file, at row `first`. */
export function repeated(field: string, value: string, what: string, first: number): FieldProblem {
  return { field, value, why: `repeats the ${what} of row ${first}: each ${what} may appear once per file` };
}

/** A problem for a key seen before in the file, or none. */
export function repeatProblem<K>(seen: FirstSeen<K>, key: K, row: number, field: string, value: string, what: string): FieldProblem[] {
  const first = seen.repeatOf(key, row);
  return first === undefined ? [] : [repeated(field, value, what, first)];
}

/** The problem of a store code the store does not know. */
export function unknownStore(stores: KnownCodes, code: string): FieldProblem {
  return { field: 'store', value: code, why: `is not a known store code${stores.hint(code)}: import the store first (import stores FILE)` };
}

/** The problem of a guide's 工号 the store does not know. */
export function unknownGuide(staff: KnownCodes, code: string): FieldProblem {
  return { field: 'guide', value: code, why: `is not a known 工号${staff.hint(code)}: import the guide first (import staff FILE)` };
}

/** The store and guide problems of a row's optional references. */
export function unknownRefs(stores: KnownCodes, staff: KnownCodes | null, storeCode: string | undefined, guideCode: string | undefined): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (storeCode !== undefined && !stores.has(storeCode)) problems.push(unknownStore(stores, storeCode));
  if (staff && guideCode !== undefined && !staff.has(guideCode)) problems.push(unknownGuide(staff, guideCode));
  return problems;
}
