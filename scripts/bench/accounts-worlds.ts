/**
 * Child process of the accounts bench: `count` simulated worlds (one account each, puppet-service on
 * loopback), in a process of their own so their memory is not counted as the gateways' or the core's.
 * Prints one JSON line `{"worlds":[{id,endpoint,token,botId,members}]}`, then answers each `report`
 * line on stdin with `{"report":[{id,received,distinct,firstAt,lastAt}],"rss":…}` (what each world's
 * account sent, as the world saw it arrive). Exits on stdin end.
 */
import { createInterface } from 'node:readline';
import { silentLogger } from '../../src/core/logger.js';
import { isolateWechaty } from '../../src/platform/wechaty/testing.js';
import { startWorld, type World } from '../../src/platform/wechaty/world/server.js';

const count = Number(process.argv[2] ?? '100');
// Each world's gRPC server adds its own exit listener.
process.setMaxListeners(0);
const restoreHome = isolateWechaty();
const worlds: { id: string; world: World; arrivals: number[] }[] = [];
const logger = silentLogger();
for (let i = 0; i < count; i++) {
  const id = `G${String(i + 1).padStart(3, '0')}`;
  // Heartbeat every 30 s: well under the gateways' 180 s watchdog, and 100 worlds stay quiet.
  const world = await startWorld({ logger, token: `insecure_bench_${id}`, heartbeatMs: 30_000, traffic: { enabled: false, intervalMs: 8000 } });
  const arrivals: number[] = [];
  world.onBotMessage(() => arrivals.push(Date.now()));
  worlds.push({ id, world, arrivals });
}
process.stdout.write(
  `${JSON.stringify({
    worlds: worlds.map(({ id, world }) => ({ id, endpoint: world.endpoint, token: world.token, botId: world.botId, members: world.seed.members.map((m) => m.id) })),
  })}\n`,
);

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (line.trim() !== 'report') return;
  const report = worlds.map(({ id, world, arrivals }) => {
    const texts = world.sent.map((m) => m.text);
    return { id, received: texts.length, distinct: new Set(texts).size, firstAt: arrivals[0] ?? null, lastAt: arrivals.at(-1) ?? null };
  });
  process.stdout.write(`${JSON.stringify({ report, rss: process.memoryUsage().rss })}\n`);
});
rl.on('close', () => {
  void Promise.allSettled(worlds.map(({ world }) => world.stop())).then(() => {
    restoreHome();
    process.exit(0);
  });
});
