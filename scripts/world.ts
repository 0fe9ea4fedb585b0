/**
 * Runs the simulated WeChat world alone (`npm run world`), so a bot process can connect to it
 * exactly as it would to a real puppet-service provider.
 *
 * Reads WORLD_PORT (default 8788 here), WORLD_TRAFFIC, WORLD_TRAFFIC_INTERVAL_MS, LOG_LEVEL and
 * LOG_PRETTY; reuses WECHATY_PUPPET_SERVICE_TOKEN when it is an `insecure_` token, so pasted
 * settings keep working across runs. WORLD_ACCOUNTS=hz01-assistant,hz02-assistant,hq hosts several
 * accounts (one endpoint and token each; the first on WORLD_PORT) and prints a registry for them.
 */
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { envAccountOf, loadAccountsRegistry, type AccountSpec } from '../src/accounts/index.js';
import { loadConfig, readEnvFile } from '../src/config.js';
import { errorMessage } from '../src/core/errors.js';
import { createLogger } from '../src/core/logger.js';
import { routeWechatyLog } from '../src/platform/wechaty/library-log.js';
import { startWorld } from '../src/platform/wechaty/world/server.js';

const DEFAULT_PORT = '8788';
const DEFAULT_TOKEN = 'insecure_siyu_world';

async function main(): Promise<void> {
  const env = { ...readEnvFile(process.cwd()), ...process.env };
  const config = loadConfig({ ...env, WORLD_PORT: env.WORLD_PORT || DEFAULT_PORT });
  const pretty = config.LOG_PRETTY === 'true' || (config.LOG_PRETTY === 'auto' && Boolean(process.stdout.isTTY));
  const logger = createLogger({ level: config.LOG_LEVEL, pretty });
  // The world serves loopback without TLS on purpose: Wechaty's INSECURE warning about it is kept at debug.
  routeWechatyLog(logger, [/TLS.*(disabled|INSECURE)/u]);
  const configured = config.WECHATY_PUPPET_SERVICE_TOKEN;
  const token = configured?.startsWith('insecure_') ? configured : DEFAULT_TOKEN;

  const accounts = (env['WORLD_ACCOUNTS'] ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  if (accounts.length > 1) return hostMany(accounts, config.WORLD_PORT, logger, config.WORLD_TRAFFIC, config.WORLD_TRAFFIC_INTERVAL_MS);
  const world = await startWorld({
    port: config.WORLD_PORT,
    token,
    logger,
    traffic: { enabled: config.WORLD_TRAFFIC, intervalMs: config.WORLD_TRAFFIC_INTERVAL_MS },
  });
  const { store, bot, members, rooms } = world.seed;
  process.stdout.write(
    [
      '',
      `Simulated world for ${store.name} (${store.code}): ${members.length} members, ${rooms.length} groups, bot ${bot.name} (${bot.id})`,
      `puppet-service endpoint: ${world.endpoint}   token: ${world.token}   traffic: ${config.WORLD_TRAFFIC ? `every ~${config.WORLD_TRAFFIC_INTERVAL_MS} ms` : 'off'}`,
      '',
      'Point the bot at it (put these in .env or export them):',
      `WECHATY_PUPPET_SERVICE_ENDPOINT=${world.endpoint}`,
      `WECHATY_PUPPET_SERVICE_TOKEN=${world.token}`,
      'WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT=true',
      '',
      'Ctrl-C stops the world.',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'world: stopping');
    world.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err: errorMessage(err) }, 'world: stop failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

/** Several accounts: prints `sop/accounts.yaml` entries and the token variables to export. */
async function hostMany(ids: string[], port: number, logger: ReturnType<typeof createLogger>, traffic: boolean, intervalMs: number): Promise<void> {
  const world = await startWorld({ port, accounts: ids, logger, traffic: { enabled: traffic, intervalMs } });
  const envName = (id: string) => `WORLD_TOKEN_${id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
  // An id of the demo registry keeps its name, role and stores there (hq is an HQ account, not a store's).
  const demo = demoAccounts();
  const entry = (id: string): string[] => {
    const d = demo.get(id);
    if (!d) return [`    name: ${id}`, '    role: store'];
    return [`    name: ${d.name}`, `    role: ${d.role}`, ...(d.guide ? [`    guide: ${d.guide}`] : []), ...(d.stores.length ? [`    stores: [${d.stores.join(', ')}]`] : [])];
  };
  process.stdout.write(
    [
      '',
      `Simulated world hosting ${ids.length} accounts. Put these in sop/accounts.yaml:`,
      '',
      'accounts:',
      ...world.accounts.flatMap((a) => [`  - id: ${a.id}`, ...entry(a.id), `    endpoint: ${a.endpoint}`, `    token: { env: ${envName(a.id)} }`]),
      '',
      'and export the tokens (with WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT=true):',
      ...world.accounts.map((a) => `export ${envName(a.id)}=${a.token}`),
      '',
      'Ctrl-C stops the world.',
      '',
    ].join('\n'),
  );
  const stop = () =>
    void world.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** The accounts of `data/demo/accounts.yaml` by id (none when it cannot be read). */
function demoAccounts(): Map<string, AccountSpec> {
  try {
    const file = fileURLToPath(new URL('../data/demo/accounts.yaml', import.meta.url));
    const { env, defaults } = envAccountOf(loadConfig({}));
    return new Map(loadAccountsRegistry(file, { ...defaults, production: false }, env).accounts.map((a) => [a.id, a]));
  } catch {
    return new Map();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`world: ${errorMessage(err)}\n`);
  process.exit(1);
});
