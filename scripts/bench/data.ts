import type { InboundMessage } from '../../src/core/messages.js';

import { seededRandom } from '../../src/core/random.js';

/** A small seeded PRNG (mulberry32), so every run benchmarks the same data. */
export { seededRandom };

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '罗', '高'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '洋', '艳', '勇', '军', '杰', '娟', '涛', '明', '超', '秀英', '霞', '平', '刚', '桂英', '晓', '思', '雨', '欣'];
const ROOM_KINDS = ['会员福利群', '新品尝鲜群', '门店老顾客群', '宝妈交流群', '护肤打卡群', '周末秒杀群'];
const CITIES = ['上海', '杭州', '成都', '深圳', '南京', '武汉', '西安', '苏州', '长沙', '广州'];
const PHRASES = [
  '请问这个还有货吗',
  '什么时候发货呀',
  '已经下单了，麻烦尽快安排',
  '这个活动到几号结束',
  '优惠券怎么用不了',
  '收到了，质量很好，谢谢',
  '能开发票吗',
  '我想换一个颜色',
  '快递到哪里了',
  '会员积分怎么查',
  '今天的直播几点开始',
  '好的，明白了',
  '有没有小样可以试用',
  '上次买的用完了，想回购',
  '这个适合敏感肌吗',
  '群里有人拼单吗',
  '[强][强][强]',
  '哈哈哈哈',
  '收到',
  '谢谢老师',
  '早上好☀️',
  '周末门店营业吗',
  '退款申请提交了，请帮忙处理一下',
  '地址写错了，可以改吗',
  '价格和昨天不一样？',
  '多买有优惠吗',
];

export interface Population {
  members: { id: string; name: string; room: number }[];
  rooms: { id: string; topic: string }[];
}

/** ~`members` people spread over `rooms` groups (each member belongs to one room). */
export function makePopulation(rnd: () => number, members = 5000, rooms = 100): Population {
  return {
    rooms: Array.from({ length: rooms }, (_, i) => ({
      id: `${String(20_000_000_000 + i * 7919)}@chatroom`,
      topic: `${pick(rnd, CITIES)}${pick(rnd, ROOM_KINDS)}${(i % 9) + 1}`,
    })),
    members: Array.from({ length: members }, (_, i) => ({
      id: `wxid_${(1_000_003 * (i + 1)).toString(36)}`,
      name: `${pick(rnd, SURNAMES)}${pick(rnd, GIVEN)}${rnd() < 0.3 ? pick(rnd, GIVEN) : ''}`,
      room: i % rooms,
    })),
  };
}

/** A realistic chat line: one to three phrases, sometimes with an order number. */
export function chatText(rnd: () => number): string {
  const n = 1 + Math.floor(rnd() * 3);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(pick(rnd, PHRASES));
  if (rnd() < 0.1) parts.push(`订单号 ${Math.floor(rnd() * 1e12)}`);
  return parts.join('，');
}

/**
 * A provider message id shaped like WeChat's `newMsgId`: 19 digits, in no particular order, so the
 * log's primary-key index is written at random places as in production.
 */
function messageId(rnd: () => number): string {
  const hi = 1_000_000_000 + Math.floor(rnd() * 8_999_999_999); // 10 digits
  const lo = Math.floor(rnd() * 1_000_000_000); // 9 digits
  return `${hi}${String(lo).padStart(9, '0')}`;
}

/**
 * `n` inbound text messages with distinct ids, ~85 % in rooms (the member's room) and the rest
 * direct, provider times spread over the last `spanMs` before `now`.
 */
export function makeInbound(n: number, pop: Population, rnd: () => number, now: number, spanMs = 60_000): InboundMessage[] {
  const out: InboundMessage[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const m = pop.members[Math.floor(rnd() * pop.members.length)]!;
    const inRoom = rnd() < 0.85;
    const room = pop.rooms[m.room]!;
    const mentionSelf = inRoom && rnd() < 0.05;
    out[i] = {
      id: messageId(rnd),
      account: 'main',
      talkerId: m.id,
      talkerName: m.name,
      roomId: inRoom ? room.id : null,
      roomTopic: inRoom ? room.topic : null,
      type: 'text',
      text: (mentionSelf ? '@思语小助手 ' : '') + chatText(rnd),
      mentionSelf,
      mentionIds: [],
      self: false,
      providerAt: now - spanMs + Math.floor((i / n) * spanMs),
    };
  }
  return out;
}
