import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApp } from './app.js';
import { SOP_ROOT } from './console/index.js';
import { capabilities } from './capabilities.js';
import { loadConfig, readEnvFile } from './config.js';
import { ConfigError } from './core/errors.js';
import { createLogger } from './core/logger.js';

/** Process entry: config, the app, signals. Nothing else registers process handlers. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig({ ...readEnvFile(process.cwd()), ...process.env });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`siyu-bot: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const pretty = config.LOG_PRETTY === 'auto' ? Boolean(process.stdout.isTTY) : config.LOG_PRETTY === 'true';
  const logger = createLogger({
    level: config.LOG_LEVEL,
    pretty,
    secrets: [config.WECHATY_PUPPET_SERVICE_TOKEN ?? ''],
  });

  let starting: Promise<Awaited<ReturnType<typeof startApp>> | null> = Promise.resolve(null);
  let signals = 0;
  let firstSignalAt = 0;
  const shutdown = (signal: string) => {
    // `npm start` forwards the terminal's Ctrl-C, so one key press can arrive twice within a moment:
    // only a signal a second or more after the first forces the exit.
    if (signals > 0 && Date.now() - firstSignalAt < 1000) return;
    signals++;
    if (signals === 1) firstSignalAt = Date.now();
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: forcing exit');
      process.exit(130);
    }
    logger.info({ signal }, 'stopping: schedules, workers, bot, redis, database (signal again to force)');
    // A signal during start-up waits for the start to finish (or fail), then stops what started.
    starting
      .then((app) => app?.stop())
      .then(
        () => {
          logger.info('stopped cleanly');
          logger.flush();
          process.exit(0);
        },
        (err: unknown) => {
          logger.error({ err }, 'error while stopping');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection (kept running)'));

  logger.info({ timezone: config.TIMEZONE, production: config.production }, 'siyu-bot starting');
  const started = startApp({ config, logger, capabilities, ...demoAccounts(config.production) });
  starting = started.catch(() => null);
  let app;
  try {
    app = await started;
  } catch (err) {
    if (err instanceof ConfigError) {
      logger.flush();
      process.stderr.write(`siyu-bot: ${err.message}\n`);
      process.exit(1);
    }
    logger.error({ err }, 'start failed');
    process.exit(1);
  }
  if (signals > 0) return; // shutdown() is already stopping it
  await app.ready;
  if (signals > 0) return;
  // Every account and its state (the first to log in made `ready`; the others may still be connecting).
  const accounts = Object.fromEntries(app.hub.statuses().map((a) => [a.id, a.state]));
  logger.info({ health: app.healthUrl, accounts, world: Boolean(app.world) }, 'siyu-bot is running');
}

/**
 * The demo (`npm start` on the simulated world) runs three accounts from `data/demo/accounts.yaml`
 * unless `sop/accounts.yaml` exists; in production the registry is `sop/accounts.yaml` or the environment.
 */
function demoAccounts(production: boolean): { accountsFile?: string } {
  if (production || existsSync(path.join(SOP_ROOT, 'accounts.yaml'))) return {};
  return { accountsFile: fileURLToPath(new URL('../data/demo/accounts.yaml', import.meta.url)) };
}

void main();
