import type { ImportKind, ImportKindName } from '../types.js';
import { groupsKind } from './groups.js';
import { membersKind } from './members.js';
import { ordersKind } from './orders.js';
import { staffKind } from './staff.js';
import { storesKind } from './stores.js';

/** Every import kind, in the order files are best imported (each refers to the ones before). */
export const importKinds: { readonly [K in ImportKindName]: ImportKind<unknown> } = {
  stores: storesKind as ImportKind<unknown>,
  staff: staffKind as ImportKind<unknown>,
  members: membersKind as ImportKind<unknown>,
  groups: groupsKind as ImportKind<unknown>,
  orders: ordersKind as ImportKind<unknown>,
};
