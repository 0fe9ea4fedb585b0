import type { InboundMessage } from '../core/messages.js';
import type { SpamKind } from './groups.schema.js';

/** What a suspected spam message is and what gave it away. */
export interface SpamVerdict {
  kind: SpamKind;
  /** The URL, the card's title or page, or the image's name. */
  detail: string;
}

/** A URL with a scheme, or starting `www.`: always a link. */
const WITH_SCHEME = /(?:https?:\/\/|www\.)[^\s<>"'，。！？、]+/iu;

/**
 * A bare host name: DNS labels (letters, digits, inner dashes) ending in a top-level domain, optionally
 * followed by a path. Not preceded by a letter, digit, `@`, `.`, `_` or `-` (so no e-mail addresses).
 */
const BARE_HOST = /(?<![a-z0-9@._-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+)([a-z]{2,12})(?![a-z0-9-])(\/[^\s<>"'，。！？、]*)?/giu;

/** Top-level domains spam in Chinese groups uses (generic and Greater China); other endings are not read as links. */
export const LINK_TLDS: ReadonlySet<string> = new Set([
  'com',
  'cn',
  'net',
  'org',
  'top',
  'xyz',
  'vip',
  'cc',
  'me',
  'io',
  'co',
  'info',
  'shop',
  'site',
  'link',
  'ly',
  'club',
  'online',
  'store',
  'tech',
  'icu',
  'ink',
  'wang',
  'ltd',
  'cloud',
  'pro',
  'biz',
  'tv',
  'asia',
  'hk',
  'tw',
  'app',
  'dev',
  'mobi',
  'xin',
]);

/** Short-link services whose host has a one-letter name: a link only with a path (`t.cn/A6xYz`). */
const SHORT_LINK_HOSTS: ReadonlySet<string> = new Set(['t.cn', 't.co', 'j.mp', 'u.nu', 'm.tb.cn']);

/**
 * The first link in a text, as an admin would call it one: a URL with a scheme (`https://…`, `www.…`), or
 * a plausible host name — a known top-level domain, and a name before it with at least two letters
 * (`abc.cn/x`, `hb88.vip`; not `O.CO`, `S-.Co`, `3.5kg`, `v2.0.1`) — or a one-letter short-link host
 * with a path (`t.cn/A6xYz`). Full-width dots are read as dots. Pure.
 * @example findLink('进群领券 https://x.cn/a') // 'https://x.cn/a'
 * @example findLink('O.CO') // null
 */
export function findLink(text: string): string | null {
  const t = text.replace(/[。．]/gu, '.');
  const scheme = WITH_SCHEME.exec(t);
  if (scheme) return scheme[0];
  for (const m of t.matchAll(BARE_HOST)) {
    const labels = m[1]!.slice(0, -1).split('.');
    const tld = m[2]!.toLowerCase();
    const path = m[3] ?? '';
    if (!LINK_TLDS.has(tld)) continue;
    const host = `${labels.join('.')}.${tld}`.toLowerCase();
    const name = labels.at(-1)!;
    if ((name.match(/[a-z]/giu)?.length ?? 0) >= 2) return m[0];
    if (SHORT_LINK_HOSTS.has(host) && path.length > 2) return m[0];
  }
  return null;
}

/** Chinese names of the kinds, for alerts and reports. */
export const SPAM_KIND_NAMES: Record<SpamKind, string> = {
  'qr-code': '二维码图片',
  link: '链接',
  'link-card': '链接卡片',
  'mini-program': '小程序',
};

/**
 * Whether a group message looks like common spam, and why. Pure; the caller decides who is staff.
 * Detected: link cards (`url`), mini-program cards, a link in text (see `findLink`), and images whose file name or text
 * contains a QR hint (`二维码`, `qrcode` …). Not detected: QR codes inside images with plain names
 * (images are not decoded), URLs written with spaces or in words, contact cards, files, voice.
 * @example spamVerdict({ type: 'text', text: '进群领券 https://x.cn/a' … }, ['二维码']) // { kind: 'link', detail: 'https://x.cn/a' }
 */
export function spamVerdict(m: Pick<InboundMessage, 'type' | 'text' | 'card'>, qrHints: readonly string[]): SpamVerdict | null {
  switch (m.type) {
    case 'url':
      return { kind: 'link-card', detail: [m.card?.title ?? m.text, m.card?.url].filter(Boolean).join(' ') };
    case 'mini-program':
      return { kind: 'mini-program', detail: [m.card?.title ?? m.text, m.card?.appid, m.card?.pagePath].filter(Boolean).join(' ') };
    case 'image': {
      const text = m.text.toLowerCase();
      return qrHints.some((h) => text.includes(h.toLowerCase())) ? { kind: 'qr-code', detail: m.text } : null;
    }
    case 'text': {
      const found = findLink(m.text);
      return found ? { kind: 'link', detail: found } : null;
    }
    default:
      return null;
  }
}
