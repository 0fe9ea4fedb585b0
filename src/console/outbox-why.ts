/**
 * Why an outbox row is where it is, in plain Chinese for operators (the console's "为什么" column, the
 * CLI's `outbox show`, the admin chat summary). The stored reason stays the record; this only words it.
 */

const KNOWN: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^opted-out$/u, () => '会员已退订营销消息'],
  [/^member-cap (\d+)\/day reached$/u, (m) => `该会员今日营销消息已达上限（每天 ${m[1]} 条）`],
  [/^paused$/u, () => '活动已暂停，消息暂缓（恢复后发送）'],
  [/^cancelled$/u, () => '活动已取消，不再发送'],
  [/^quiet hours last past its expiry$/u, () => '免打扰时段持续到消息过期'],
  [/^expired at (.+) before it could go$/u, (m) => `在 ${m[1]} 前未能发出，已过期`],
  [/^expired at (.+) while its account was down$/u, (m) => `发送账号离线，在 ${m[1]} 前未能发出，已过期`],
  [/^wake-up stopped: (.+)$/u, (m) => `唤醒已停止（${m[1]}）`],
  [/^wake-up stopped before it was queued$/u, () => '唤醒在排队前已停止'],
  [/^retried by an operator$/u, () => '操作员已重试，排队等待发送'],
  [/^attempt (\d+) failed: (.+)$/u, (m) => `第 ${m[1]} 次发送失败，等待重试：${m[2]}`],
];

/**
 * @example whyText('skipped', 'member-cap 1/day reached') // '该会员今日营销消息已达上限（每天 1 条）'
 * @example whyText('queued', null) // '排队等待发送'
 */
export function whyText(status: string, reason: string | null): string {
  if (reason) {
    for (const [re, word] of KNOWN) {
      const m = re.exec(reason);
      if (m) return word(m);
    }
  }
  switch (status) {
    case 'queued':
      return reason ?? '排队等待发送';
    case 'sending':
      return '正在发送';
    case 'sent':
      return '已发送';
    case 'failed':
      return reason ? `发送失败：${reason}` : '发送失败';
    case 'unknown':
      return reason ?? '发送中断（崩溃），是否送达未知，不会重发';
    case 'unreachable':
      return `没有启用的账号能联系到对方，未发送${reason ? `：${reason}` : ''}`;
    default:
      return reason ?? '';
  }
}
