/**
 * The one sanitiser for text that came from outside (a member's message, a WeChat nickname, a CSV cell)
 * before the bot puts it into something it sends. Pure.
 *
 * Removed: C0 and C1 control characters (a line break stays, a tab becomes a space), bidirectional
 * overrides, embeddings, isolates and marks (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C),
 * unpaired UTF-16 surrogates, noncharacters (U+FFFE, U+FFFF) and the replacement character U+FFFD.
 */

// Every control except \n (\t is turned into a space first), the bidi controls, noncharacters and U+FFFD.
// eslint-disable-next-line no-control-regex -- control characters are what this removes
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffd\ufffe\uffff]/gu;
// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// eslint-disable-next-line no-control-regex -- control characters are what this finds
const UNSAFE_TEST = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffd\ufffe\uffff]/u;

/**
 * Text safe to send: no control characters (line breaks kept), no bidi controls, no unpaired surrogates.
 * @example cleanText('兑换 Q\uD800\u202E') // '兑换 Q'
 */
export function cleanText(s: string): string {
  const noLone = s.replace(LONE_SURROGATE, '');
  if (!UNSAFE_TEST.test(noLone)) return noLone;
  return noLone.replace(/\t/g, ' ').replace(UNSAFE, '');
}

/** True when `s` holds something {@link cleanText} would remove (for tests and checks). */
export function hasUnsafeChars(s: string): boolean {
  return UNSAFE_TEST.test(s) || new RegExp(LONE_SURROGATE.source).test(s);
}

/** Longest prefix of member input the bot quotes back, in characters (code points). */
export const QUOTE_MAX = 20;

/**
 * A short, single-line quote of member input for a reply: cleaned, whitespace runs made one space, and
 * at most `max` characters (code points, so no surrogate pair is cut) followed by `…`.
 * @example quote('  兑换\n\n一个超级无敌大礼包请问有没有货呀还有别的吗 ') // '兑换 一个超级无敌大礼包请问有没有货呀还有…'
 */
export function quote(s: string, max = QUOTE_MAX): string {
  const one = cleanText(s).replace(/\s+/gu, ' ').trim();
  const chars = Array.from(one);
  return chars.length <= max ? one : `${chars.slice(0, max).join('')}…`;
}

/**
 * The form two texts are compared in to tell whether one is the other as a provider handed it back:
 * cleaned, NFC, without any whitespace or zero-width characters (providers drop unpaired surrogates,
 * turn line breaks into `\r\n`, trim, or put `@name` and U+2005 in front of mentions).
 * @example forMatching('早上好\uD800\n') === forMatching('早上好\r\n') // true
 */
export function forMatching(s: string): string {
  return cleanText(s)
    .normalize('NFC')
    .replace(/[\s\u200b-\u200d\u2060\ufeff]+/gu, '');
}
