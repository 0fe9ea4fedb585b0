/** Masking for anything that may end up in a log or on a screen. */

const CN_MOBILE = /(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)/g;

/** `13812345678` → `138****5678`, wherever a mainland mobile number appears in the text. */
export function maskPhones(text: string): string {
  return text.replace(CN_MOBILE, '$1****$3');
}

/** A secret shown only by its prefix and length, e.g. `insecure_…(24)`. */
export function maskSecret(secret: string | undefined): string {
  if (!secret) return '';
  const prefix = secret.split('_')[0] ?? '';
  return `${prefix}_…(${secret.length})`;
}

/** Deep-copies plain data, masking phone numbers in every string. */
export function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPhones(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v, depth + 1);
  return out;
}
