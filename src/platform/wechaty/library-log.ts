import { log as wechatyLog } from 'wechaty-puppet';
import type { Logger } from '../../core/logger.js';

/** Library lines that are known and harmless: kept at debug so they do not read as problems. */
const HARMLESS = [
  /eventStream is undefined/u, // puppet-service's client when its stream ends at a normal stop
  /no payload found for id .*@chatroom/u, // Wechaty's room lookup on join/leave (see STACK-NOTES)
];

/**
 * Sends what Wechaty and its puppets print through their own console logger (brolog, one instance
 * shared by every Wechaty package) into the bot's log, so the process writes one stream of log lines:
 * their errors and warnings as `error`/`warn` (`part: "wechaty-lib"`), the rest at debug.
 * @param expected further lines to keep at debug (the simulated world's loopback runs without TLS on purpose)
 * @example routeWechatyLog(logger) // before the world and the bot start
 */
export function routeWechatyLog(logger: Logger, expected: readonly RegExp[] = []): void {
  const quiet = [...HARMLESS, ...expected];
  const out = logger.child({ part: 'wechaty-lib' });
  const brolog = wechatyLog as unknown as { enableTimestamp: boolean; textPrinter: (level: string, text: string) => void };
  brolog.enableTimestamp = false;
  brolog.textPrinter = (level, text) => {
    if (quiet.some((re) => re.test(text))) out.debug(text);
    else if (level === 'ERR') out.error(text);
    else if (level === 'WARN') out.warn(text);
    else out.debug(text);
  };
}
