import { afterEach, describe, expect, it } from 'vitest';
import { log as wechatyLog } from 'wechaty-puppet';
import { recordingLogger } from './testing.js';
import { routeWechatyLog } from './library-log.js';

const brolog = wechatyLog as unknown as { textPrinter: unknown; enableTimestamp: boolean };
const saved = { printer: brolog.textPrinter, timestamp: brolog.enableTimestamp, level: wechatyLog.level() };
afterEach(() => {
  brolog.textPrinter = saved.printer;
  brolog.enableTimestamp = saved.timestamp;
  wechatyLog.level(saved.level as 'info');
});

describe("Wechaty's own log lines", () => {
  it('go into the bot log: warnings and errors as such, known harmless lines and chatter at debug', () => {
    const { logger, lines } = recordingLogger();
    routeWechatyLog(logger);
    wechatyLog.level('verbose');
    wechatyLog.warn('PuppetServer', 'start() TLS disabled: INSECURE!');
    wechatyLog.error('GrpcManager', 'stream failed: %s', 'UNAVAILABLE');
    wechatyLog.warn('EventStreamManager', 'this.onStreamingCallEnd() this.eventStream.on(close) eventStream is undefined');
    wechatyLog.verbose('Wechaty', 'start()');
    const seen = lines.filter((l) => l['part'] === 'wechaty-lib').map((l) => [l['level'], l['msg']]);
    expect(seen).toEqual([
      [40, 'WARN PuppetServer start() TLS disabled: INSECURE!'],
      [50, 'ERR GrpcManager stream failed: UNAVAILABLE'],
      [20, 'WARN EventStreamManager this.onStreamingCallEnd() this.eventStream.on(close) eventStream is undefined'],
      [20, 'VERB Wechaty start()'],
    ]);
  });

  it('keeps lines the caller expects (the world without TLS) at debug', () => {
    const { logger, lines } = recordingLogger();
    routeWechatyLog(logger, [/TLS.*(disabled|INSECURE)/u]);
    wechatyLog.warn('GrpcManager', 'initClient() TLS: disabled (INSECURE)');
    expect(lines.filter((l) => l['part'] === 'wechaty-lib').map((l) => l['level'])).toEqual([20]);
  });
});
