import type { OutboundContent } from '../core/messages.js';
import type { CampaignDef } from './campaign.file.js';
import type { AudienceTarget } from './audience.rules.js';

/** Fills `{name}` `{points}` `{tier}` `{store}`; a variable the target lacks becomes empty. */
export function fillVars(template: string, vars: AudienceTarget['vars']): string {
  return template.replace(/\{([A-Za-z_]\w*)\}/g, (_, k: string) => {
    const v = (vars as Record<string, string | number | undefined>)[k];
    return v === undefined ? '' : String(v);
  });
}

/**
 * The messages of a campaign for one target, as the outbox sends them.
 * @example renderContent(def.content, { name: '王女士', points: 120 })
 */
export function renderContent(content: CampaignDef['content'], vars: AudienceTarget['vars']): OutboundContent[] {
  return content.map((c): OutboundContent => {
    switch (c.kind) {
      case 'text': return { kind: 'text', text: fillVars(c.text, vars) };
      case 'image': return { kind: 'image', ...(c.path ? { path: c.path } : {}), ...(c.url ? { url: c.url } : {}), ...(c.name ? { name: c.name } : {}) };
      case 'link': return { kind: 'link', url: c.url, title: fillVars(c.title, vars), ...(c.description ? { description: fillVars(c.description, vars) } : {}), ...(c.thumbnailUrl ? { thumbnailUrl: c.thumbnailUrl } : {}) };
      case 'mini-program': {
        const { kind: _k, ...rest } = c;
        return { kind: 'mini-program', ...rest };
      }
    }
  });
}

/** Outbox key of message `index` (0-based) of one target: `campaign:<id>:<occurrence>:<target>` (+ `:2`, `:3` …). */
export function campaignKey(campaignId: string, occurrence: string, targetId: string, index = 0): string {
  return `campaign:${campaignId}:${occurrence}:${targetId}${index > 0 ? `:${index + 1}` : ''}`;
}

/** The key prefix of every message of an occurrence (or of the campaign when `occurrence` is omitted). */
export function campaignKeyPrefix(campaignId: string, occurrence?: string): string {
  return `campaign:${campaignId}:${occurrence === undefined ? '' : `${occurrence}:`}`;
}
