import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { startApp, type App } from '../../src/app.js';
import { silentLogger } from '../../src/core/logger.js';
import { contacts, inboundMessages, outbox } from '../../src/platform/db/schema.js';
import { isolateWechaty } from '../../src/platform/wechaty/testing.js';
import { startWorld, type World } from '../../src/platform/wechaty/world/server.js';
import { useTestRedis } from '../support/redis-fixture.js';
import { tempDir } from '../support/harness.js';
import { pingCapability, testConfig, throwingCapability } from '../support/app.js';

const redis = useTestRedis();
let tmp: ReturnType<typeof tempDir>;
let restoreHome: () => void;

beforeAll(async () => {
  restoreHome = isolateWechaty();
  tmp = tempDir('siyu-e2e-');
});
afterAll(async () => {
  tmp.remove();
  restoreHome();
});

describe('the spine, end to end through puppet-service and a real Redis', () => {
  let app: App;
  let world: World;

  beforeAll(async () => {
    app = await startApp({
      config: testConfig(`${tmp.dir}/embedded`, { REDIS_URL: redis.url, QUEUE_PREFIX: 'e2e' }),
      logger: silentLogger(),
      capabilities: [throwingCapability, pingCapability],
    });
    await app.ready;
    world = app.world!;
  });
  afterAll(() => app.stop());

  it('logs in to the embedded world through the puppet-service client and answers /healthz', async () => {
    expect(app.edge.isLoggedIn()).toBe(true);
    const res = await fetch(app.healthUrl!);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; bot: { loggedIn: boolean; selfId: string } };
    expect(body).toMatchObject({ ok: true, bot: { loggedIn: true, selfId: world.botId } });
  });

  it('takes a member message in and sends the reply out, despite a handler that throws first', async () => {
    const id = await world.memberSays('m001', 'ping one');
    const reply = await world.waitForBotMessage((m) => m.target.id === 'm001' && m.text === 'pong one', 20_000);
    expect(reply.type).toBe('text');
    expect(app.router.failureCount).toBeGreaterThanOrEqual(1);
    expect(app.db.select().from(inboundMessages).where(eq(inboundMessages.id, id)).all()).toHaveLength(1);
    await expect
      .poll(() =>
        app.db
          .select()
          .from(outbox)
          .where(eq(outbox.key, `reply:${id}`))
          .get(),
      )
      .toMatchObject({ status: 'sent', purpose: 'reply', targetId: 'm001' });
    // the next message is still handled
    await world.memberSays('m002', 'ping two');
    await world.waitForBotMessage((m) => m.target.id === 'm002' && m.text === 'pong two', 20_000);
  });

  it('logs group messages with room and talker and updates the directory', async () => {
    const id = await world.memberSays('m003', '请问这款奶粉几段适合一岁宝宝？', { roomId: 'hz01-a@chatroom' });
    await app.ingest.idle();
    await expect
      .poll(() => app.db.select().from(inboundMessages).where(eq(inboundMessages.id, id)).get())
      .toMatchObject({
        roomId: 'hz01-a@chatroom',
        talkerId: 'm003',
        conversationId: 'hz01-a@chatroom',
        type: 'text',
      });
    const c = app.db.select().from(contacts).where(eq(contacts.id, 'm003')).get();
    expect(c?.lastInboundAt).toBeGreaterThan(0);
  });

  it('logs in again by itself after the puppet-service server was down, then sends what was queued', async () => {
    await world.stopServer();
    await expect.poll(() => app.edge.isLoggedIn(), { timeout: 20_000 }).toBe(false);
    const queued = await app.outbox.enqueue({
      key: 'while-down',
      target: { kind: 'contact', id: 'm004' },
      content: { kind: 'text', text: 'sent after reconnect' },
      purpose: 'service',
    });
    expect(queued.created).toBe(true);
    await world.startServer();
    await world.waitForBotMessage((m) => m.target.id === 'm004' && m.text === 'sent after reconnect', 30_000);
    expect(app.edge.isLoggedIn()).toBe(true);
  });
});

describe('production path: a world started separately', () => {
  it('connects to WECHATY_PUPPET_SERVICE_ENDPOINT with the token instead of an embedded world', async () => {
    const world = await startWorld({ logger: silentLogger(), token: 'insecure_e2e_external' });
    const app = await startApp({
      config: testConfig(`${tmp.dir}/external`, {
        REDIS_URL: redis.url,
        QUEUE_PREFIX: 'ext',
        WECHATY_PUPPET_SERVICE_ENDPOINT: world.endpoint,
        WECHATY_PUPPET_SERVICE_TOKEN: world.token,
        WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT: 'true',
      }),
      logger: silentLogger(),
      capabilities: [pingCapability],
    });
    try {
      await app.ready;
      expect(app.world).toBeNull();
      expect(app.edge.selfId()).toBe(world.botId);
      await world.memberSays('m010', 'ping ext');
      await world.waitForBotMessage((m) => m.target.id === 'm010' && m.text === 'pong ext', 20_000);
    } finally {
      await app.stop();
      await world.stop();
    }
  });
});
