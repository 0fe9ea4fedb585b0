import { cleanText } from './sanitize.js';

/** A template variable: `{name}` (letters, digits, underscore; not starting with a digit). */
const VARIABLE = /\{([A-Za-z_]\w*)\}/gu;

/**
 * Fills `{name}` variables of a playbook or campaign text: the one template fill every capability uses.
 * Values are cleaned (core/sanitize.ts `cleanText`: no control characters, no stray line breaks from
 * names); a variable given as undefined becomes empty. A variable not given at all stays as written
 * (`{name}`: playbooks refuse unknown variables at load, so this shows a bug instead of hiding it),
 * or becomes empty with `{ unknown: 'empty' }` (campaign texts, whose targets lack some variables).
 * @example fill('您好，{name}', { name: '王女士' }) // '您好，王女士'
 * @example fill('{name}，{points} 分', { name: '王' }, { unknown: 'empty' }) // '王， 分'
 */
export function fill(template: string, vars: Readonly<Record<string, string | number | undefined>>, opts: { unknown?: 'keep' | 'empty' } = {}): string {
  return template.replace(VARIABLE, (all, k: string) => {
    if (!(k in vars)) return opts.unknown === 'empty' ? '' : all;
    return cleanText(String(vars[k] ?? ''));
  });
}
