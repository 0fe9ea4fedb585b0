import { seededRandom } from '../../../core/random.js';
import type { WorldSeed } from './seed.js';

/** Lines members say in the groups. */
export const MEMBER_CHAT = [
  '大家早上好呀～',
  '今天湖滨这边人好多',
  '宝宝终于睡午觉了😂',
  '周末有人一起去西湖边遛娃吗？',
  '昨天买的湿巾挺好用的',
  '哈哈哈哈',
  '刚下班，累瘫了',
  '这群里好热闹',
] as const;

/** Questions a guide is expected to answer. */
export const MEMBER_QUESTIONS = [
  '请问这款奶粉几段适合一岁宝宝？',
  '店里周末几点关门呀？',
  '会员积分可以抵现吗？',
  '上次说的试用装还有吗？',
  '纸尿裤L码和XL码怎么选？',
  '门店可以停车吗？',
] as const;

export const MEMBER_THANKS = ['谢谢！', '收到，谢谢导购～', '好的，明天去店里看看', '👍 感谢'] as const;

/** What members say to the bot in private. */
export const MEMBER_PRIVATE = ['入会', '积分', '兑换', '你好', '在吗'] as const;

export const GUIDE_REPLIES = [
  '一岁宝宝一般喝3段，具体可以来店里我帮您看看～',
  '周末营业到晚上九点哦',
  '有的，来店报手机号就可以领',
  '亲，积分100分可以抵1元',
  '按体重选，11公斤以上建议XL',
] as const;

/** One simulated utterance: who says what, where. */
export interface TrafficEvent {
  talkerId: string;
  text: string;
  /** Set for a group message; null for a private message to the bot. */
  roomId: string | null;
}

/**
 * Picks the next simulated utterance. Pure: all chance comes from `random` (values in [0, 1)).
 * Mostly a member chatting, asking or thanking in one of their groups; sometimes a private
 * message to the bot (`入会`, `积分` …); sometimes a guide answering in a group.
 */
export function nextTrafficEvent(seed: WorldSeed, random: () => number): TrafficEvent | null {
  const pick = <T>(list: readonly T[]): T | undefined => list[Math.floor(random() * list.length)];
  const roll = random();
  if (roll < 0.12) {
    const member = pick(seed.members);
    const text = pick(MEMBER_PRIVATE);
    return member && text ? { talkerId: member.id, text, roomId: null } : null;
  }
  if (roll < 0.27) {
    const room = pick(seed.rooms);
    const guides = seed.staff.filter((s) => s.role === 'guide' && room?.staffIds.includes(s.id));
    const guide = pick(guides);
    const text = pick(GUIDE_REPLIES);
    return room && guide && text ? { talkerId: guide.id, text, roomId: room.id } : null;
  }
  const member = pick(seed.members.filter((m) => m.roomId !== null));
  const kind = random();
  const text = pick(kind < 0.55 ? MEMBER_CHAT : kind < 0.85 ? MEMBER_QUESTIONS : MEMBER_THANKS);
  return member?.roomId && text ? { talkerId: member.id, text, roomId: member.roomId } : null;
}

/** A delay of `intervalMs` ± 50 %, never below 50 ms. */
export function jitter(intervalMs: number, random: () => number): number {
  return Math.max(50, Math.round(intervalMs * (0.5 + random())));
}

/**
 * Runs `emit` with a new utterance after every jittered interval until the returned stop function
 * is called. `emit` may skip (e.g. while the bot is offline) by doing nothing.
 */
export function startTraffic(opts: { seed: WorldSeed; intervalMs: number; random: () => number; emit: (event: TrafficEvent) => void }): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    const event = nextTrafficEvent(opts.seed, opts.random);
    if (event) opts.emit(event);
    timer = setTimeout(tick, jitter(opts.intervalMs, opts.random));
  };
  timer = setTimeout(tick, jitter(opts.intervalMs, opts.random));
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

/** A small seeded PRNG (mulberry32) so demos and tests can replay the same traffic (see core/random). */
export { seededRandom };
