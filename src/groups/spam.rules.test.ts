import { describe, expect, it } from 'vitest';
import { findLink, spamVerdict } from './spam.rules.js';

const HINTS = ['二维码', 'qrcode', 'qr', '扫码', '扫一扫'];

/** Text posts an admin would call spam: each carries a link. */
const SPAM = [
  '进群领券 https://x.cn/a',
  '限时秒杀 www.taobao-sale.com/item',
  '点击领取红包 hb88.vip/get',
  '兼职刷单日赚500 加QQ 看 jz-work.top',
  '免费领取奶粉试用装 t.cn/A6xYz9',
  '低价代购正品 daigou.shop',
  '复制打开 https://m.tb.cn/h.5abc?sm=1',
  '扫码进VIP群 http://qr.example.net/g/123',
  '投资理财稳赚不赔 licai.xyz',
  '美容院开业 全场5折 meirong.site 预约',
  '看这里 www.xx88.cc',
  '0元领好礼→haoli.icu/z',
  'Free gift: bit.ly/3xYz',
  '优惠券 HTTPS://COUPON.EXAMPLE.COM',
  '奶粉超低价→milk-deal.net',
  '刷单返利 fanli.top 日结',
  '加我领取 mall.example.org',
  '直播间抽奖 live.douyin-fake.com/r/1',
  '帮我砍一刀 https://pdd.cn/xyz',
  '点 gift.tw 领取',
  '正品折扣 Brand-Outlet.Shop',
  '复制 shop.vip。cn 打开',
];

/** Group chatter an admin would not want an alert about. */
const CHATTER = [
  'O.CO',
  'S-.Co',
  '今天到店3.5折吗',
  '宝宝6.5kg了',
  '下午3.30到店',
  '价格是12.99元',
  '好的。谢谢',
  '我发你邮箱 abc@qq.com 了',
  '版本v2.0.1更新了',
  'OK.好的',
  'Mr.Li 您好',
  '照片.jpg发不出去',
  '1.2.3 三个选项',
  'A.B两款都要',
  '大家早上好！',
  '请问奶粉什么时候到货？',
  '这个...怎么用',
  '哈哈.co',
  'e.g. 周五',
  'No.1 好评',
  'P.S.记得带小票',
  'U.S.A 产的吗',
  'i.e.就是会员日',
  '3.cn',
  'ok.ok',
  '谢谢老师.辛苦了',
  'www 打不开',
  '提醒:周五.会员日',
  'X.CN',
  'a.co b.cn',
  'Q.Q群号是多少',
  'AB-.CN',
];

describe('findLink: a link as an admin would call it one', () => {
  it('needs a scheme or a plausible host: O.CO and S-.Co are not links', () => {
    expect(findLink('O.CO')).toBeNull();
    expect(findLink('S-.Co')).toBeNull();
    expect(findLink('进群领券 https://x.cn/a')).toBe('https://x.cn/a');
    expect(findLink('点击领取红包 hb88.vip/get')).toBe('hb88.vip/get');
    expect(findLink('免费领取 t.cn/A6xYz9')).toBe('t.cn/A6xYz9');
    expect(findLink('t.cn')).toBeNull();
    expect(findLink('我发你邮箱 abc@qq.com 了')).toBeNull();
  });

  it('on a set of real-looking spam and chatter: precision 1.0, recall 1.0', () => {
    const flagged = (t: string) => spamVerdict({ type: 'text', text: t }, HINTS)?.kind === 'link';
    const tp = SPAM.filter(flagged).length;
    const fp = CHATTER.filter(flagged);
    const precision = tp / (tp + fp.length);
    const recall = tp / SPAM.length;
    console.log(`spam links: ${SPAM.length} spam, ${CHATTER.length} chatter → precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}`);
    expect(fp, 'chatter flagged as links').toEqual([]);
    expect(
      SPAM.filter((t) => !flagged(t)),
      'spam missed',
    ).toEqual([]);
    expect(precision).toBe(1);
    expect(recall).toBe(1);
  });
});
