import type { Db } from '../platform/db/client.js';
import { CAMPAIGN_TEXT_VARIABLES } from './campaign.file.js';
import { storedTags } from '../core/text.js';

/** What the campaign builder offers to pick from: the known groups, stores, tiers and tags. */
export interface BuilderOptions {
  groups: { roomId: string; name: string; storeCode: string | null; tags: string[] }[];
  stores: { code: string; name: string }[];
  groupTags: string[];
  memberTiers: string[];
  memberTags: string[];
  variables: readonly string[];
}

/**
 * The choices the builder's audience picker shows, read from the store (one query each).
 * @example builderOptions(db).groups // [{ roomId: 'hz01-a@chatroom', name: '湖滨A群', storeCode: 'HZ01', tags: ['vip'] }]
 */
export function builderOptions(db: Db): BuilderOptions {
  const c = db.$client;
  const groups = (c.prepare('select room_id, name, store_code, tags from groups order by store_code, name').raw().all() as [string, string, string | null, string][]).map(
    ([roomId, name, storeCode, tags]) => ({ roomId, name, storeCode, tags: storedTags(tags) }),
  );
  return {
    groups,
    stores: c.prepare('select code, name from stores order by code').all() as { code: string; name: string }[],
    groupTags: [...new Set(groups.flatMap((g) => g.tags))].sort(),
    memberTiers: c.prepare('select distinct tier from members order by tier').pluck().all() as string[],
    memberTags: c.prepare("select distinct j.value from members m, json_each(case when json_valid(m.tags) then m.tags else '[]' end) j order by 1").pluck().all() as string[],
    variables: CAMPAIGN_TEXT_VARIABLES,
  };
}
