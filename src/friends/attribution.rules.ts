/**
 * Attribution of a new contact from the greeting of their friend request. Pure: the directory of
 * stores and guides is passed in.
 */

/** The stores and guides attribution can point at. */
export interface FriendsDirectory {
  /** Store code → name and its guides (staff codes, in numbering order). */
  stores: ReadonlyMap<string, { name: string; guides: readonly string[] }>;
  /** Staff code → name (guides and anyone an invite code names). */
  staff: ReadonlyMap<string, { name: string; storeCode: string | null }>;
}

/** Where a contact is attributed, and why. */
export interface Attribution {
  storeCode: string | null;
  guideCode: string | null;
  /** `HZ01-g03`, `invite:WXY01`, `store:HZ01` or `default`. */
  channel: string;
  /** A code-shaped token that matched nothing (then the default store applies). */
  unknownCode: string | null;
}

export interface AttributionRules {
  defaultStore: string;
  /** Invite code (upper-cased) → staff code. */
  inviteCodes: Readonly<Record<string, string>>;
}

/** `HZ01-g03`, `hz01-G3`, `HZ01 g03`: a store code, then g and the guide's number in that store. */
const CHANNEL_CODE = /(?<![A-Za-z0-9])([A-Za-z]{1,6}\d{1,4})[-_ ]?[gG](\d{1,3})(?![A-Za-z0-9])/u;
/** Tokens of letters and digits with at least one digit: candidates for invite and store codes. */
const TOKEN = /[A-Za-z0-9_-]*\d[A-Za-z0-9_-]*/gu;

/**
 * Attributes a contact from their greeting: a channel code (`HZ01-g03` → store HZ01, its 3rd guide),
 * a guide's invite code, or a bare store code; anything else goes to the default store. An unknown
 * store in a channel code, or a guide number the store does not have, counts as an unknown code.
 * @example attribute('我是小王 HZ01-g03', dir, { defaultStore: 'HZ01', inviteCodes: {} })
 * // { storeCode: 'HZ01', guideCode: 'guide-hz01-03', channel: 'HZ01-g03', unknownCode: null }
 */
export function attribute(hello: string, dir: FriendsDirectory, rules: AttributionRules): Attribution {
  const text = toHalfWidth(hello);
  let unknownCode: string | null = null;
  const ch = CHANNEL_CODE.exec(text);
  if (ch) {
    const store = ch[1]!.toUpperCase();
    const n = Number(ch[2]);
    const code = `${store}-g${String(n).padStart(2, '0')}`;
    const guide = dir.stores.get(store)?.guides[n - 1];
    if (guide) return { storeCode: store, guideCode: guide, channel: code, unknownCode: null };
    unknownCode = code;
  }
  for (const token of text.match(TOKEN) ?? []) {
    const upper = token.toUpperCase();
    const staffCode = rules.inviteCodes[upper];
    if (staffCode && dir.staff.has(staffCode)) {
      return { storeCode: dir.staff.get(staffCode)!.storeCode, guideCode: staffCode, channel: `invite:${upper}`, unknownCode: null };
    }
    if (dir.stores.has(upper)) return { storeCode: upper, guideCode: null, channel: `store:${upper}`, unknownCode };
    if (!unknownCode && /[A-Za-z]/u.test(token) && token.length >= 3) unknownCode = upper;
  }
  return { storeCode: rules.defaultStore, guideCode: null, channel: 'default', unknownCode };
}

/** Full-width letters, digits and hyphen (ＨＺ０１－ｇ０３) as ASCII. */
function toHalfWidth(s: string): string {
  return s.replace(/[\uFF01-\uFF5E]/gu, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}
