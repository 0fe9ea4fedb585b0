/**
 * Text as a person typed it → the form chat commands are matched in: NFKC (full-width letters and
 * digits, the ideographic space), @mentions and zero-width characters removed, trimmed, lower case.
 * The members' commands and the guides' check-ins read the same form.
 * @example normalizeTyped('@小助手 兑换\u3000Ｃ００１') // '兑换 c001'
 */
export function normalizeTyped(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/@[^\s\u2005@]+[\u2005\s]?/gu, ' ')
    .replace(/[\u200b-\u200d\ufeff]/g, '')
    .trim()
    .toLowerCase();
}

/**
 * A stored tags column (a JSON array of strings, `[]` on most rows) → the tags; anything else → none.
 * @example storedTags('["VIP","宝妈"]') // ['VIP', '宝妈']
 */
export function storedTags(json: string): string[] {
  if (json === '[]') return []; // most rows: skip the parse
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}
