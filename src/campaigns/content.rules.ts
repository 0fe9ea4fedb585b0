import { fill } from '../core/template.js';
import type { OutboundContent } from '../core/messages.js';
import type { CampaignDef } from './campaign.file.js';
import type { AudienceTarget } from './audience.rules.js';

/** Fills `{name}` `{points}` `{tier}` `{store}`; a variable the target lacks becomes empty. */
export function fillVars(template: string, vars: AudienceTarget['vars']): string {
  return fill(template, vars, { unknown: 'empty' });
}

/**
 * The messages of a campaign for one target, as the outbox sends them.
 * @example renderContent(def.content, { name: '王女士', points: 120 })
 */
export function renderContent(content: CampaignDef['content'], vars: AudienceTarget['vars']): OutboundContent[] {
  return content.map((c): OutboundContent => {
    switch (c.kind) {
      case 'text':
        return { kind: 'text', text: fillVars(c.text, vars) };
      case 'image':
        return { kind: 'image', ...(c.path ? { path: c.path } : {}), ...(c.url ? { url: c.url } : {}), ...(c.name ? { name: c.name } : {}) };
      case 'link':
        return {
          kind: 'link',
          url: c.url,
          title: fillVars(c.title, vars),
          ...(c.description ? { description: fillVars(c.description, vars) } : {}),
          ...(c.thumbnailUrl ? { thumbnailUrl: c.thumbnailUrl } : {}),
        };
      case 'mini-program': {
        const { kind: _k, ...rest } = c;
        return { kind: 'mini-program', ...rest };
      }
    }
  });
}

/**
 * `renderContent` with the templates parsed once: for planning thousands of targets. Contents
 * without variables are built once and shared by every target.
 * @example const render = compileContent(def.content); render({ name: '王女士', points: 120 })
 */
export function compileContent(content: CampaignDef['content']): (vars: AudienceTarget['vars']) => OutboundContent[] {
  const hasVars = (c: CampaignDef['content'][number]) =>
    (c.kind === 'text' && VAR.test(c.text)) || (c.kind === 'link' && (VAR.test(c.title) || (c.description !== undefined && VAR.test(c.description))));
  const fixed = content.map((c) => (hasVars(c) ? null : renderContent([c], { name: '' })[0]!));
  if (fixed.every((f) => f !== null)) return () => fixed as OutboundContent[];
  const texts = content.map((c) => (c.kind === 'text' ? compileTemplate(c.text) : null));
  return (vars) =>
    content.map((c, i): OutboundContent => {
      const f = fixed[i];
      if (f) return f;
      const t = texts[i];
      return t ? { kind: 'text', text: t(vars) } : renderContent([c], vars)[0]!;
    });
}

const VAR = /\{[A-Za-z_]\w*\}/;

/** A template split once into literal text and variable names; the result joins them per target. */
function compileTemplate(template: string): (vars: AudienceTarget['vars']) => string {
  const parts = template.split(/\{([A-Za-z_]\w*)\}/g); // even: literal; odd: variable name
  return (vars) => {
    let out = parts[0]!;
    for (let i = 1; i < parts.length; i += 2) {
      const v = (vars as Record<string, string | number | undefined>)[parts[i]!];
      out += (v === undefined ? '' : String(v)) + parts[i + 1]!;
    }
    return out;
  };
}

/** Outbox key of message `index` (0-based) of one target: `campaign:<id>:<occurrence>:<target>` (+ `:2`, `:3` …). */
export function campaignKey(campaignId: string, occurrence: string, targetId: string, index = 0): string {
  return `campaign:${campaignId}:${occurrence}:${targetId}${index > 0 ? `:${index + 1}` : ''}`;
}

/** The key prefix of every message of an occurrence (or of the campaign when `occurrence` is omitted). */
export function campaignKeyPrefix(campaignId: string, occurrence?: string): string {
  return `campaign:${campaignId}:${occurrence === undefined ? '' : `${occurrence}:`}`;
}
