import { loadConfig, type Config } from '../../src/config.js';
import type { Capability } from '../../src/core/capability.js';

/** A config for an app under test: temp data dir, any free ports, no simulated traffic, no send gaps. */
export function testConfig(dataDir: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    DATA_DIR: dataDir,
    HTTP_PORT: '0',
    WORLD_TRAFFIC: 'false',
    SEND_GAP_MIN_MS: '0',
    SEND_GAP_MAX_MS: '0',
    SEND_RATE_PER_MINUTE: '0',
    SEND_RETRY_BASE_MS: '200',
    LOG_LEVEL: 'silent',
    ...env,
  });
}

/** A capability for spine tests: `ping` in a private chat is answered `pong <n>` through the outbox. */
export const pingCapability: Capability = {
  name: 'ping',
  install: (ctx) =>
    ctx.router.use('ping', async ({ message }) => {
      const m = /^ping\s*(\S*)$/.exec(message.text.trim());
      if (message.roomId || !m) return;
      await ctx.outbox.enqueue({
        key: `reply:${message.id}`,
        target: { kind: 'contact', id: message.talkerId },
        content: { kind: 'text', text: `pong ${m[1] ?? ''}`.trim() },
        purpose: 'reply',
      });
    }),
};

/** A capability whose handler always throws, to prove the error boundary. */
export const throwingCapability: Capability = {
  name: 'throws',
  install: (ctx) =>
    ctx.router.use('throws', () => {
      throw new Error('handler bug');
    }),
};
