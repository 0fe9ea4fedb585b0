/**
 * A setting that may change while the bot runs: a fixed value, or a function read on every use.
 * @example const cap: Live<number> = () => settings.marketingCapPerDay(); liveValue(cap) // 2
 */
export type Live<T> = T | (() => T);

/** The value of a {@link Live} setting now. */
export function liveValue<T>(v: Live<T>): T {
  return typeof v === 'function' ? (v as () => T)() : v;
}
