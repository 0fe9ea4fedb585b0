import type { InboundMessage } from '../core/messages.js';
import type { SpamKind } from './groups.schema.js';

/** What a suspected spam message is and what gave it away. */
export interface SpamVerdict {
  kind: SpamKind;
  /** The URL, the card's title or page, or the image's name. */
  detail: string;
}

/**
 * A URL in text: `http(s)://…`, `www.…`, or a bare domain under a common top-level domain
 * (`abc.cn/x`, `t.cn/AbC`). Full-width dots are read as dots.
 */
const URL_IN_TEXT = /(?:https?:\/\/|www\.)[^\s<>"'，。！？、]+|\b[a-z0-9][a-z0-9-]{0,62}(?:\.[a-z0-9-]{1,63})*\.(?:com|cn|net|org|top|xyz|vip|cc|me|io|co|info|shop|site|link|ly)(?:\/[^\s<>"'，。！？、]*)?(?![a-z0-9.-])/iu;

/** Chinese names of the kinds, for alerts and reports. */
export const SPAM_KIND_NAMES: Record<SpamKind, string> = {
  'qr-code': '二维码图片', link: '链接', 'link-card': '链接卡片', 'mini-program': '小程序',
};

/**
 * Whether a group message looks like common spam, and why. Pure; the caller decides who is staff.
 * Detected: link cards (`url`), mini-program cards, a URL in text, and images whose file name or text
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
      const found = URL_IN_TEXT.exec(m.text.replace(/[。．]/gu, '.'));
      return found ? { kind: 'link', detail: found[0] } : null;
    }
    default:
      return null;
  }
}
