/**
 * Test fixture, not part of the bot: a process that starts a managed Redis for the data dir given
 * as argv[2], prints `{"pid":…,"url":…}` on one line, then idles until killed. managed.test.ts
 * SIGKILLs it to check that the server does not outlive it.
 */
import { startManagedRedis } from './managed.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: managed.fixture.ts <dataDir>');
const redis = await startManagedRedis({ dataDir });
process.stdout.write(`${JSON.stringify({ pid: redis.pid, url: redis.url })}\n`);
setInterval(() => undefined, 60_000);
